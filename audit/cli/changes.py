"""`minhbach history` and `minhbach diff`: an agency's scores over time, and what changed
between two audits."""
from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import JustifyMethod
from rich.table import Table

from minhbach.audit.cli.common import App, console, csv_options, fail, pass_app, score_text
from minhbach.audit.words.i18n import _
from minhbach.audit.words.names import change_kind_name, outcome_name, reachability_name
from minhbach.audit.words.numbers import decimal, percent


def signed(change: float | None) -> str:
    """A change of score with its sign, decimal comma: +1,5; nothing when there is none."""
    return "" if change is None else ("+" if change > 0 else "") + decimal(change)


@click.command(help=_("An agency's score, grade and coverage at every audit."))
@click.option("--agency", "agency_code", required=True, metavar="CODE")
@pass_app
def history(app: App, agency_code) -> None:
    from minhbach.audit.judge.changes import ChangesError
    from minhbach.audit.judge.changes import history as agency_history

    with app.sessions() as session:
        try:
            rows = agency_history(session, agency_code)
        except ChangesError as error:
            fail(str(error))
    table = Table(title=_("Score history – {code}").format(code=agency_code))
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        (_("Audit"), "right"), (_("Date"), "left"), (_("Rubric"), "left"), (_("Crawl"), "right"),
        (_("Score"), "right"), (_("Change"), "right"), (_("Grade"), "left"), (_("Coverage"), "right"),
        (_("Reason / note"), "left"))
    for header, justify in columns:
        table.add_column(header, justify=justify, overflow="fold")
    for row in rows:
        table.add_row(str(row["audit"]), f"{row['audit_date']:%d/%m/%Y}", row["rubric"], str(row["crawl_run"]),
                      score_text(row["score"]), signed(row["change"]),
                      row["grade"], percent(row["coverage_pct"] / 100),
                      "; ".join(t for t in (row["note"], row["reason"]) if t),
                      style="yellow" if row["note"] else None)
    console.print(table)


@click.command(help=_("What changed between two audits (default: the last two): rules whose outcome "
                      "changed, regressions first; score and grade changes; sites lost or recovered."))
@click.option("--from", "from_id", type=int, metavar="AUDIT", help=_("The earlier audit."))
@click.option("--to", "to_id", type=int, metavar="AUDIT", help=_("The later audit."))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help=_("Write to this file instead of the terminal."))
@csv_options
@pass_app
def diff(app: App, from_id, to_id, fmt, out, dialect, keys) -> None:
    from minhbach.audit.files import OutputError, write_atomically
    from minhbach.audit.judge.changes import ChangesError, diff_records, pick_comparison

    with app.sessions() as session:
        try:
            comparison = pick_comparison(session, from_id, to_id)
        except ChangesError as error:
            fail(str(error))
    before, after, rows, sites = comparison.before, comparison.after, comparison.rows, comparison.sites
    if fmt == "table":
        if out:
            fail(_("--out goes with --format csv or json"))
        print_diff(before, after, rows, sites, comparison.note_texts())
        return
    for note in comparison.note_texts():  # the files hold rows only: what qualifies them is said beside
        click.echo(note, err=True)
    records = diff_records(rows, sites)
    if fmt == "json":
        text = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    else:
        from minhbach.audit.reports.exports import change_columns, csv_text, people_changes

        text = csv_text(change_columns(keys), records if keys else people_changes(records),
                        dialect or app.settings.report.csv_dialect, keys)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomically(out, lambda handle: handle.write(text), encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    except OutputError as error:
        fail(str(error))
    console.print(_("Wrote {n} rows to {out}").format(n=len(records), out=out))


def print_diff(before, after, rows: list[dict], sites, notes: list[str] | None = None) -> None:
    title = _("Changes from audit {old} ({old_date}) to audit {new} ({new_date})").format(
        old=before.id, old_date=f"{before.audit_date:%d/%m/%Y}", new=after.id, new_date=f"{after.audit_date:%d/%m/%Y}")
    notes = notes or []
    for note in notes:  # a change of rubric (nothing compared) or of its version
        console.print(f"{title}: [bold yellow]{note}[/]", highlight=False, soft_wrap=True)
    if not rows and not sites and notes:
        return
    if not rows and not sites:
        console.print(title + ": " + _("nothing changed."))
        return
    if sites:
        table = Table(title=title + " – " + _("scores"))
        columns: tuple[tuple[str, JustifyMethod], ...] = (
            (_("Code"), "left"), (_("Agency"), "left"), (_("Score before"), "right"),
            (_("Score after"), "right"), (_("Grade"), "left"), (_("Reachability"), "left"))
        for header, justify in columns:
            table.add_column(header, justify=justify, overflow="fold")
        for s in sites:
            grade = (s.grade_after if s.grade_before == s.grade_after
                     else f"{s.grade_before or '–'} → {s.grade_after or '–'}")
            access = reachability_name(s.reachable)
            table.add_row(s.agency_code, s.agency_name, score_text(s.score_before), score_text(s.score_after),
                          grade, access, style="red" if s.reachable == "lost" else None)
        console.print(table)
    if rows:
        table = Table(title=title + " – " + _("rules"))
        for header in (_("Code"), _("Rule"), _("Before"), _("After"), _("Change"), _("Note")):
            table.add_column(header, overflow="fold")
        colours = {"regression": "red", "improvement": "green"}
        for row in rows:
            table.add_row(row["agency_code"], row["rule_code"], outcome_name(row["before"]),
                          outcome_name(row["after"]), change_kind_name(row["change"]), row["note"],
                          style=colours.get(row["change"]))
        console.print(table)
