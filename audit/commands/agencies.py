"""`minhbach agencies import|list`: the agency registry."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table
from sqlalchemy import select

from minhbach.audit.commands.common import console, sessions


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
    from minhbach.audit.registry import LEVEL_NAMES
    from minhbach.audit.store.models import Agency

    with sessions()() as session:
        rows = list(session.scalars(select(Agency).order_by(Agency.code)))
    table = Table(title=f"Cơ quan đã đăng ký ({len(rows)})")
    for header in ("Mã", "Tên cơ quan", "Cấp", "Cơ quan cấp trên", "Cổng thông tin", "Phiên bản"):
        table.add_column(header)
    for agency in rows:
        table.add_row(agency.code, agency.name, LEVEL_NAMES.get(agency.level, agency.level),
                      agency.parent_code or "", agency.portal_url, str(agency.version))
    console.print(table)
