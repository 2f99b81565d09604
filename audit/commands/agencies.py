"""`minhbach agencies import|list`: the agency registry."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table
from sqlalchemy import select

from minhbach.audit.commands.common import console, fail, sessions


@click.group(help="The agency registry (a CSV file; see data/agencies.example.csv).")
def agencies() -> None:
    pass


@agencies.command("import", help="Validate FILE whole, then add or update its agencies.")
@click.argument("file", type=click.Path(path_type=Path))
def agencies_import(file: Path) -> None:
    from minhbach.audit.registry import RegistryError, import_registry

    with sessions()() as session:
        try:
            result = import_registry(session, file)
        except RegistryError as error:
            for problem in error.problems:
                click.echo(problem, err=True)
            click.echo(f"{len(error.problems)} problem(s); nothing was imported.", err=True)
            sys.exit(2)
    click.echo(f"{len(result.added)} added, {len(result.updated)} updated, "
               f"{len(result.unchanged)} unchanged.")


@agencies.command("list", help="Show the registered agencies.")
def agencies_list() -> None:
    from minhbach.rules.registry import LEVEL_NAMES
    from minhbach.audit.store.models import Agency

    with sessions()() as session:
        rows = list(session.scalars(select(Agency).order_by(Agency.code)))
    table = Table(title=f"Cơ quan đã đăng ký ({len(rows)})")
    for header in ("Mã", "Tên cơ quan", "Cấp", "Cơ quan cấp trên", "Cổng thông tin", "Phiên bản", "Trạng thái"):
        table.add_column(header, overflow="fold")
    for agency in rows:
        table.add_row(agency.code, agency.name, LEVEL_NAMES.get(agency.level, agency.level),
                      agency.parent_code or "", agency.portal_url, str(agency.version), lifecycle_text(agency),
                      style=None if agency.active else "dim")
    console.print(table)


def lifecycle_text(agency) -> str:
    if agency.active:
        return "Đang theo dõi"
    if agency.replaced_by:
        return f"Đã sáp nhập vào {agency.replaced_by}"
    return "Ngừng theo dõi" + (f": {agency.lifecycle_note}" if agency.lifecycle_note else "")


def _lifecycle(change) -> None:
    from minhbach.audit.registry import LifecycleError

    with sessions()() as session:
        try:
            for agency in change(session):
                click.echo(f"{agency.code}: {lifecycle_text(agency)} (phiên bản {agency.version})")
        except LifecycleError as error:
            fail(str(error))


@agencies.command("deactivate", help="Stop crawling an agency; its audits and history are kept.")
@click.argument("code")
@click.option("--reason", default="", help="Why (shown in the agency list).")
def agencies_deactivate(code: str, reason: str) -> None:
    from minhbach.audit.registry import set_active

    _lifecycle(lambda session: [set_active(session, code, False, reason)])


@agencies.command("activate", help="Crawl an agency again.")
@click.argument("code")
def agencies_activate(code: str) -> None:
    from minhbach.audit.registry import set_active

    _lifecycle(lambda session: [set_active(session, code, True)])


@agencies.command("merge", help="Record that the agency INTO replaced the agencies CODES (a merger): they "
                                "stop being crawled and point to it; their history is kept.")
@click.option("--into", required=True, metavar="CODE", help="The agency that replaced them.")
@click.argument("codes", nargs=-1, required=True)
@click.option("--reason", default="", help="E.g. the decision that merged them.")
def agencies_merge(into: str, codes: tuple[str, ...], reason: str) -> None:
    from minhbach.audit.registry import merge

    _lifecycle(lambda session: merge(session, into, list(codes), reason))
