"""`minhbach monthly`: the month's report, frozen, as XLSX, CSV and DOCX; and
`minhbach monthly import-survey FILE` for the figures agencies supply (items 5, 6, 8)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from minhbach.audit.cli.common import App, console, fail, pass_app
from minhbach.audit.extras import require
from minhbach.audit.words.i18n import _


def _month(_ctx, _param, value):
    if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise click.BadParameter(_("'{value}' is not a month written YYYY-MM").format(value=value))
    return value


@click.group(invoke_without_command=True,
             help=_("Freeze the month's report (the nine items of the provincial plan's appendix per agency) "
                    "from its last complete audit and write it as XLSX, CSV and DOCX. The same month again "
                    "gives the same report; --republish makes a new version and keeps the earlier ones."))
@click.option("--month", callback=_month, metavar="YYYY-MM", help=_("The month to report."))
@click.option("--province", default="", help=_("Only the agencies of this province (as in the registry)."))
@click.option("--audit", "audit_id", type=int, help=_("Use this audit (default: the month's last complete one)."))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help=_("Folder for the files."))
@click.option("--republish", is_flag=True, help=_("Make a new version from the current audit (needs --reason)."))
@click.option("--reason", default="", help=_("Why the report is republished."))
@click.option("--version", "version", type=int, help=_("Write this earlier version again."))
@click.pass_context
@pass_app
def monthly(app: App, ctx, month, province, audit_id, out_dir, republish, reason, version) -> None:
    if ctx.invoked_subcommand is not None:
        return
    if month is None:
        fail(_("--month YYYY-MM is required (or use `minhbach monthly import-survey FILE`)"))
    require("reports", "minhbach monthly")
    from minhbach.audit.files import OutputError
    from minhbach.audit.reports.monthly.freeze import MonthlyError, freeze
    from minhbach.audit.reports.monthly.publish import DEFAULT_ISSUER, publish

    with app.sessions() as session:
        try:
            report, made = freeze(session, month, province, audit_id,
                                  app.settings.default_rubric, republish, reason, version)
        except MonthlyError as error:
            fail(str(error))
        try:
            paths = publish(report, out_dir, app.settings.report.issuer or DEFAULT_ISSUER)
        except OutputError as error:
            fail(str(error))
    state = _("new") if made else _("made on {time}, unchanged").format(time=f"{report.created_at:%d/%m/%Y %H:%M}")
    console.print(_("Monthly report {month} – version {version} ({state}); audit {audit}; SHA-256 {sha}…").format(
        month=f"{month[5:]}/{month[:4]}", version=report.version, state=state, audit=report.audit_ids["audits"][0],
        sha=report.content_sha256[:16]), highlight=False)
    for path in paths:
        console.print(f"  {path}", soft_wrap=True, highlight=False)


@monthly.command("import-survey", help=_("Import survey figures (CSV: agency_code, month, item, value, note; "
                                         "items 5, 6, 8). The whole file is checked first; nothing is stored "
                                         "when a line is wrong."))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def import_survey_command(app: App, file: Path) -> None:
    from minhbach.audit.reports.monthly.survey import SurveyError, import_survey

    with app.sessions() as session:
        try:
            count = import_survey(session, file)
        except SurveyError as error:
            for problem in error.problems:
                click.echo(problem, err=True)
            sys.exit(2)
    console.print(_("Imported {n} survey figures from {file}").format(n=count, file=file), highlight=False)
