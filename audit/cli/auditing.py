"""`minhbach audit`, `report` and `export`: judge a stored crawl, read and write its scores."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from rich.table import Table
from sqlalchemy import func, select

from minhbach.audit.cli.common import App, console, csv_options, fail, pass_app, score_text
from minhbach.audit.extras import require
from minhbach.audit.words.i18n import _, ngettext
from minhbach.audit.words.names import level_name
from minhbach.audit.words.numbers import percent


def run_audit_command(app: App, run_id: int | None, rubric_id: str, audit_date: date,
                      allow_partial: bool = False) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from minhbach.audit.judge.auditor import AuditError, resolve_run, run_audit
    from minhbach.audit.judge.rubric import RubricError, load_rubric
    from minhbach.audit.store.models import SiteCrawl

    try:
        rubric = load_rubric(rubric_id)
    except RubricError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        sys.exit(2)
    with app.sessions() as session:
        try:
            run = resolve_run(session, run_id, allow_partial)
        except AuditError as error:
            fail(str(error))
        n_sites = session.scalar(select(func.count(SiteCrawl.id)).where(SiteCrawl.run_id == run.id))
        progress = Progress(TextColumn("[bold]" + _("Auditing") + "[/]"), BarColumn(), MofNCompleteColumn(),
                            console=app.console)
        with progress:
            task = progress.add_task("audit", total=n_sites)
            return run_audit(session, app.store.bodies, rubric, audit_date, run.id,
                             on_site=lambda _code: progress.advance(task))


def audit_or_exit(session, audit_id: int | None):
    from minhbach.audit.reports.rows import latest_audit
    from minhbach.audit.store.models import AuditRun

    audit = session.get(AuditRun, audit_id) if audit_id else latest_audit(session)
    if audit is None:
        fail(_("no audit yet: run `minhbach audit` first") if not audit_id else _("no audit {id}").format(id=audit_id))
    return audit


def print_score_table(app: App, audit_id: int | None = None, wide: bool = False) -> list[dict]:
    """The score table: code, agency, score, grade, coverage and reason, which fits 100 columns;
    `wide` adds the level and one column per rubric category."""
    from minhbach.audit.reports.rows import score_columns, score_rows
    from minhbach.audit.store.models import CrawlRun

    with app.sessions() as session:
        audit = audit_or_exit(session, audit_id)
        rows = score_rows(session, audit)
        columns = score_columns(session, audit)
        crawled = session.get(CrawlRun, audit.crawl_run_id).started_at.date()
    categories = [(key, header) for key, header in columns if key.startswith("cat_")] if wide else []
    title = _("Scores by {rubric} ({version}) – audit date {date} – crawl {crawl}").format(
        rubric=audit.rubric_id, version=audit.rubric_version, date=f"{audit.audit_date:%d/%m/%Y}",
        crawl=audit.crawl_run_id)
    if audit.audit_date < crawled:
        title += " " + _("(judged as of a day before the crawl of {date})").format(date=f"{crawled:%d/%m/%Y}")
    table = Table(title=title)
    table.add_column(_("Code"), no_wrap=True)
    table.add_column(_("Agency"), min_width=12, ratio=2, overflow="fold")
    if wide:
        table.add_column(_("Level"), no_wrap=True)
    # an interval ("72,7–75,6") folds after its dash where 80 columns need it
    table.add_column(_("Score"), justify="right", max_width=5 if console.width < 100 else None, overflow="fold")
    # "Unknown" ("Không xác định") on two lines only where 80 columns need it
    table.add_column(_("Grade"), max_width=10 if console.width < 100 else None, overflow="fold")
    for _key, header in categories:  # the part before the first comma keeps the table narrow
        table.add_column(header.split(",")[0], justify="right", max_width=9, overflow="fold")
    table.add_column(_("Coverage"), justify="right", no_wrap=True)
    table.add_column(_("Reason / note"), min_width=14, ratio=3, overflow="fold")
    for row in rows:
        unknown = row["score"] is None
        cells = [row["agency_code"], row["agency_name"], *([level_name(row["level"])] if wide else []),
                 score_text(row["score"], row["score_high"]), row["grade"],
                 *[score_text(row.get(key)) for key, _ in categories],
                 "–" if unknown else percent(row["coverage_pct"] / 100), row["reason"]]
        table.add_row(*cells, style="yellow" if unknown else None)
    console.print(table)
    print_rubric_warning(audit)
    return rows


def print_rule_errors(app: App, audit_id: int) -> None:
    """Rules that crashed are a bug of minhbach, not of the sites: said, never silent."""
    from minhbach.audit.store.models import AuditRun

    with app.sessions() as session:
        crashed = session.get(AuditRun, audit_id).rule_errors
    if crashed:
        console.print("[bold red]" + ngettext(
            "{n} rule could not be evaluated (a fault of minhbach; the traceback is above): its finding is "
            "“could not be judged”, and it is left out of the score.",
            "{n} rule evaluations could not be made (a fault of minhbach; the tracebacks are above): their "
            "findings are “could not be judged”, and they are left out of the score.", crashed).format(n=crashed)
            + "[/]", highlight=False, soft_wrap=True)


def print_rubric_warning(audit) -> None:
    from minhbach.audit.judge.rubric import audit_warning

    warning = audit_warning(audit)
    if warning:
        console.print(f"[bold yellow]{warning}[/]", highlight=False, soft_wrap=True)


def print_rollup(app: App, audit_id: int | None, by: str) -> None:
    from minhbach.audit.judge.rubric import RubricError, load_rubric
    from minhbach.audit.reports.rollups import ROLLUP_COLUMNS, rollup
    from minhbach.audit.reports.rows import finding_rows, score_rows

    with app.sessions() as session:
        audit = audit_or_exit(session, audit_id)
        try:
            grades = [grade.name for grade in load_rubric(audit.rubric_id).grades]
        except RubricError:  # a rubric file that has since moved: the grades found will do
            grades = None
        table_rows = rollup(score_rows(session, audit), finding_rows(session, audit), by, grades)
    grades = table_rows[0]["grades"] if table_rows else []
    table = Table(title=_("Totals by {group} – audit {id} of {date}").format(
        group=_(ROLLUP_COLUMNS[by]).lower(), id=audit.id, date=f"{audit.audit_date:%d/%m/%Y}"))
    table.add_column(_(ROLLUP_COLUMNS[by]), overflow="fold")
    for header in (_("Agencies"), _("Unknown"), *grades, _("Mean score"), _("Mean coverage")):
        table.add_column(header, justify="right", overflow="fold")
    table.add_column(_("Failed most"), overflow="fold")
    for row in table_rows:
        table.add_row(row["group"], str(row["agencies"]), str(row["unknown"]),
                      *[str(row[grade]) for grade in grades],
                      score_text(row["average"]), percent(row['coverage_pct'] / 100), row["most_failed"])
    console.print(table)


@click.command(help=_("Judge a stored crawl with every rule and score it with a rubric."))
@click.option("--run", "run_id", type=int, help=_("Crawl run to audit (default: the newest completed one)."))
@click.option("--rubric", "rubric_id", help=_("Rubric id (a file in data/rubrics/) or a path to a rubric YAML "
                      "file (default: the rubric an administrator chose in the dashboard, else default_rubric "
                      "in the settings file, else the rubric in force on the audit date: see `minhbach rubrics`)."))
@click.option("--date", "audit_date", type=click.DateTime(["%Y-%m-%d"]),
              help=_("Audit date that freshness is judged against (default: today)."))
@click.option("--allow-partial", is_flag=True,
              help=_("Audit an interrupted crawl; what it did not reach is not judged (needs review)."))
@pass_app
def audit(app: App, run_id, rubric_id, audit_date, allow_partial) -> None:
    from minhbach.audit.clock import today_in
    from minhbach.audit.judge.choice import pick_rubric

    day = audit_date.date() if audit_date else today_in(app.settings.timezone)
    if day > today_in(app.settings.timezone):
        fail(_("--date {day} is in the future; freshness can only be judged up to today").format(day=day.isoformat()))
    with app.sessions() as session:
        rubric_id, why = pick_rubric(session, rubric_id, day, app.settings.default_rubric)
    console.print(_("Rubric: {rubric} ({why}).").format(rubric=rubric_id, why=why), highlight=False)
    audit_id = run_audit_command(app, run_id, rubric_id, day, allow_partial)
    print_score_table(app, audit_id)
    print_rule_errors(app, audit_id)
    console.print(_("Audit {id}. Details: minhbach report --agency CODE").format(id=audit_id))


@click.command(help=_("Print the score table, one agency's rules with outcome and evidence, "
                      "or roll-ups with --by."))
@click.option("--agency", "agency_code", metavar="CODE", help=_("Show this agency's findings."))
@click.option("--by", type=click.Choice(["province", "parent", "level"]),
              help=_("Roll up the scores per province, parent agency or level."))
@click.option("--wide", is_flag=True, help=_("Add the level and one column per rubric category."))
@click.option("--audit", "audit_id", type=int, help=_("Audit to show (default: the newest)."))
@pass_app
def report(app: App, agency_code, by, wide, audit_id) -> None:
    from minhbach.audit.reports.rows import finding_rows, score_rows

    if by:
        require("reports", "minhbach report --by")
        print_rollup(app, audit_id, by)
        return
    if not agency_code:
        print_score_table(app, audit_id, wide)
        return
    with app.sessions() as session:
        audit_run = audit_or_exit(session, audit_id)
        findings = finding_rows(session, audit_run, agency_code)
        score = next((r for r in score_rows(session, audit_run) if r["agency_code"] == agency_code), None)
    if score is None:
        fail(_("agency '{code}' is not in audit {id}").format(code=agency_code, id=audit_run.id))
    verdict = (_("unknown") + " – " + score["reason"] if score["score"] is None
               else _("{score} points, {grade}, coverage {pct}").format(
                   score=score_text(score["score"], score["score_high"]), grade=score["grade"],
                   pct=percent(score["coverage"])))
    table = Table(title=f"{score['agency_name']} ({agency_code}): {verdict}")
    for header in (_("Code"), _("Rule"), _("Outcome"), _("Value"), _("Date"), _("Note")):
        table.add_column(header, overflow="fold")
    colours = {"pass": "green", "fail": "red", "needs_review": "yellow", "error": "magenta"}
    for row in findings:
        table.add_row(row["rule_code"], row["rule_title"], row["outcome_label"], row["value"], row["date_label"],
                      row["note"], style=colours.get(row["outcome"]))
    console.print(table)
    print_rubric_warning(audit_run)
    # Addresses on lines of their own, never folded by the table: a terminal keeps them whole
    # (and clickable) however narrow it is.
    links = [(row["rule_code"], row["evidence_url"]) for row in findings if row["evidence_url"]]
    if links:
        console.print(_("Evidence:"))
        for code, url in links:
            console.print(f"  {code}  {url}", soft_wrap=True, highlight=False, markup=False)


def export_audit(app: App, fmt: str, findings: bool, out: Path, audit_id: int | None = None,
                 dialect: str | None = None, keys: bool = False) -> int:
    from minhbach.audit.files import OutputError
    from minhbach.audit.reports.exports import write_audit_file

    with app.sessions() as session:
        audit_run = audit_or_exit(session, audit_id)
        try:
            return write_audit_file(session, audit_run, fmt, findings, out,
                                    dialect or app.settings.report.csv_dialect, keys)
        except OutputError as error:
            fail(str(error))


@click.command(help=_("Write the score table (or, with --findings, every finding) to a file."))
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx"]), default=None,
              help=_("csv (UTF-8 with BOM), xlsx (typed cells) or json (stable English keys); "
                     "default: from the file's extension, else csv."))
@click.option("--findings", is_flag=True, help=_("One row per agency and rule instead of the score table."))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help=_("File to write."))
@click.option("--audit", "audit_id", type=int, help=_("Audit to export (default: the newest)."))
@csv_options
@pass_app
def export(app: App, fmt, findings, out, audit_id, dialect, keys) -> None:
    suffix = out.suffix.lower().lstrip(".")
    fmt = fmt or (suffix if suffix in ("csv", "json", "xlsx") else "csv")
    if suffix != fmt and not out.is_dir():  # a folder gets its own message when written
        fail(_("--out {out}: a {kind} file should end in .{fmt} (or give --format {suffix})").format(
            out=out, kind=fmt.upper(), fmt=fmt, suffix=suffix or "csv"))
    if fmt == "xlsx":
        require("reports", "minhbach export --format xlsx")
    written = export_audit(app, fmt, findings, out, audit_id, dialect, keys)
    console.print(_("Wrote {n} rows to {out}").format(n=written, out=out))
