"""`minhbach agencies import|list`: the agency registry."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table
from sqlalchemy import select

from minhbach.audit.cli.common import App, console, fail, pass_app
from minhbach.audit.words.i18n import _, ngettext
from minhbach.audit.words.names import level_name


@click.group(help=_("The agency registry (a CSV file; see data/agencies.example.csv)."))
def agencies() -> None:
    pass


@agencies.command("import", help=_("Validate FILE whole, then add or update its agencies."))
@click.argument("file", type=click.Path(path_type=Path))
@pass_app
def agencies_import(app: App, file: Path) -> None:
    from minhbach.audit.registry.agencies import RegistryError, import_registry

    with app.sessions() as session:
        try:
            result = import_registry(session, file)
        except RegistryError as error:
            for problem in error.problems:
                click.echo(problem, err=True)
            click.echo(ngettext("{n} problem; nothing was imported.", "{n} problems; nothing was imported.",
                                len(error.problems)).format(n=len(error.problems)), err=True)
            sys.exit(2)
    click.echo(_("{added} added, {updated} updated, {unchanged} unchanged.").format(
        added=len(result.added), updated=len(result.updated), unchanged=len(result.unchanged)))


@agencies.command("list", help=_("Show the registered agencies."))
@pass_app
def agencies_list(app: App) -> None:
    from minhbach.audit.store.models import Agency

    with app.sessions() as session:
        rows = list(session.scalars(select(Agency).order_by(Agency.code)))
    table = Table(title=_("Registered agencies ({n})").format(n=len(rows)))
    for header in (_("Code"), _("Agency name"), _("Level"), _("Parent agency"), _("Portal"), _("Version"), _("Status")):
        table.add_column(header, overflow="fold")
    for agency in rows:
        table.add_row(agency.code, agency.name, level_name(agency.level),
                      agency.parent_code or "", agency.portal_url, str(agency.version), lifecycle_text(agency),
                      style=None if agency.active else "dim")
    console.print(table)


def lifecycle_text(agency) -> str:
    if agency.active:
        return _("Followed")
    if agency.replaced_by:
        return _("Merged into {code}").format(code=agency.replaced_by)
    return _("No longer followed") + (f": {agency.lifecycle_note}" if agency.lifecycle_note else "")


def _lifecycle(app: App, change) -> None:
    from minhbach.audit.registry.agencies import LifecycleError

    with app.sessions() as session:
        try:
            for agency in change(session):
                version = _("version {n}").format(n=agency.version)
                click.echo(f"{agency.code}: {lifecycle_text(agency)} ({version})")
        except LifecycleError as error:
            fail(str(error))


@agencies.command("deactivate", help=_("Stop crawling an agency; its audits and history are kept."))
@click.argument("code")
@click.option("--reason", default="", help=_("Why (shown in the agency list)."))
@pass_app
def agencies_deactivate(app: App, code: str, reason: str) -> None:
    from minhbach.audit.registry.agencies import set_active

    _lifecycle(app, lambda session: [set_active(session, code, False, reason)])


@agencies.command("activate", help=_("Crawl an agency again."))
@click.argument("code")
@pass_app
def agencies_activate(app: App, code: str) -> None:
    from minhbach.audit.registry.agencies import set_active

    _lifecycle(app, lambda session: [set_active(session, code, True)])


@agencies.command("merge", help=_("Record that the agency INTO replaced the agencies CODES (a merger): they "
                                  "stop being crawled and point to it; their history is kept."))
@click.option("--into", required=True, metavar="CODE", help=_("The agency that replaced them."))
@click.argument("codes", nargs=-1, required=True)
@click.option("--reason", default="", help=_("E.g. the decision that merged them."))
@pass_app
def agencies_merge(app: App, into: str, codes: tuple[str, ...], reason: str) -> None:
    from minhbach.audit.registry.agencies import merge

    _lifecycle(app, lambda session: merge(session, into, list(codes), reason))
