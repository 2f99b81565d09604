"""`minhbach monthly`: the month's report as XLSX, CSV and DOCX (provisional while the month
runs, frozen once it is over), `--status` (which reports a change has made out of date); and
`minhbach monthly import-survey FILE` for the figures agencies supply (items 5, 6, 8)."""
from __future__ import annotations

import re
import sys
from datetime import date
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
             help=_("The month's report (the nine items of the provincial plan's appendix per agency) as XLSX, CSV "
                    "and DOCX. While the month runs it is provisional (marked so, never stored); once the month is "
                    "over (at the end of its last day in the province's time zone) the first run freezes it from "
                    "the last audit of each agency dated within the month. The same month again gives the same "
                    "report; --republish makes a new version and keeps the earlier ones; --status says which "
                    "reports a change has made out of date."))
@click.option("--month", callback=_month, metavar="YYYY-MM",
              help=_("The month to report (default: the last month that is over)."))
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]),
              help=_("The province's date to take as today (default: today); not after today."))
@click.option("--status", is_flag=True, help=_("Say where each month's report stands and why a new version is due."))
@click.option("--province", default="", help=_("Only the agencies of this province (as in the registry)."))
@click.option("--audit", "audit_id", type=int,
              help=_("Use this audit for every agency (default: each agency's last complete one of the month)."))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help=_("Folder for the files."))
@click.option("--republish", is_flag=True, help=_("Make a new version from the current audits (needs --reason)."))
@click.option("--reason", default="", help=_("Why the report is republished."))
@click.option("--version", "version", type=int, help=_("Write this earlier version again."))
@click.pass_context
@pass_app
def monthly(app: App, ctx, month, today, status, province, audit_id, out_dir, republish, reason, version) -> None:
    if ctx.invoked_subcommand is not None:
        return
    require("reports", "minhbach monthly")
    from minhbach.audit.clock import today_in
    from minhbach.audit.files import OutputError
    from minhbach.audit.reports.monthly.freeze import MonthlyError, freeze, provisional_content
    from minhbach.audit.reports.monthly.lifecycle import due_reasons
    from minhbach.audit.reports.monthly.months import closes_on, is_closed, last_closed_month
    from minhbach.audit.reports.monthly.publish import local_time, publish, publish_provisional

    real_today = today_in(app.settings.timezone)
    day = today.date() if today else real_today
    if day > real_today:  # a month must not be frozen before it is over
        fail(_("--today {day} is in the future").format(day=day.isoformat()))
    if status:
        with app.sessions() as session:
            print_status(session, month, day, province)
        return
    month = month or last_closed_month(day)
    shown = f"{month[5:]}/{month[:4]}"
    with app.sessions() as session:
        if version is None and not is_closed(month, day):
            if republish:
                fail(_("{month} is not over until the end of {day}: only a month that is over has versions to "
                       "republish").format(month=month, day=f"{closes_on(month):%d/%m/%Y}"))
            try:
                content = provisional_content(session, month, day, province, audit_id)
                paths = publish_provisional(content, day, out_dir, app.settings)
            except (MonthlyError, OutputError) as error:
                fail(str(error))
            console.print(_("Provisional monthly report {month}, as of {today} (the month is over at the end of "
                            "{end}; it is frozen then, not now); audits of {dates}").format(
                month=shown, today=f"{day:%d/%m/%Y}", end=f"{closes_on(month):%d/%m/%Y}",
                dates=_dates(content)), highlight=False)
            _print_paths(paths)
            return
        try:
            report, made = freeze(session, month, province, audit_id, None, republish, reason, version, day)
        except MonthlyError as error:
            fail(str(error))
        try:
            paths = publish(report, out_dir, app.settings)
        except OutputError as error:
            fail(str(error))
        due = due_reasons(session, report) if version is None else []
    state = _("new") if made else _("made on {time}, unchanged").format(
        time=local_time(report.created_at, app.settings.timezone))
    console.print(_("Monthly report {month} – version {version} ({state}); audits of {dates}; SHA-256 {sha}…").format(
        month=shown, version=report.version, state=state, dates=_dates(report.content),
        sha=report.content_sha256[:16]), highlight=False)
    _print_paths(paths)
    if due:
        _print_due(due, month)


def _dates(content: dict) -> str:
    return ", ".join(f"{date.fromisoformat(d):%d/%m/%Y}" for d in content.get("audit_dates", [content["audit_date"]]))


def _print_paths(paths) -> None:
    for path in paths:
        console.print(f"  {path}", soft_wrap=True, highlight=False)


def _print_due(due: list[str], month: str) -> None:
    console.print(_("A new version is due:"), highlight=False)
    for why in due:
        console.print(f"  – {why}", soft_wrap=True, highlight=False)
    console.print("  " + _("Republish it: minhbach monthly --month {month} --republish --reason \"…\"").format(
        month=month), soft_wrap=True, highlight=False)


def print_status(session, month: str | None, today, province: str) -> None:
    """One block per month: open, over but not frozen, frozen (current, or a new version due)."""
    from minhbach.audit.reports.monthly.lifecycle import month_state, months_to_show

    for shown in [month] if month else months_to_show(session, today, province):
        state = month_state(session, shown, today, province)
        label = f"{shown[5:]}/{shown[:4]}"
        if state.state == "open":
            console.print(_("{month}: not over until the end of {day}; its report is provisional").format(
                month=label, day=f"{state.closes_on:%d/%m/%Y}"), highlight=False)
        elif state.state == "unfrozen":
            console.print(_("{month}: over, not frozen yet (`minhbach monthly --month {code}` freezes it)").format(
                month=label, code=shown), highlight=False)
        else:
            assert state.report is not None  # a frozen month has its newest version
            console.print(_("{month}: version {version} frozen on {time}").format(
                month=label, version=state.report.version, time=f"{state.report.created_at:%d/%m/%Y %H:%M}")
                + (" – " + _("a new version is due") if state.due else " – " + _("current")), highlight=False)
            for why in state.due:
                console.print(f"  – {why}", soft_wrap=True, highlight=False)


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
