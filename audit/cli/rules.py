"""`minhbach rules`: the rule catalogue and each rule's documentation."""
from __future__ import annotations

import sys

import click
from rich.table import Table

from minhbach.audit.cli.common import console
from minhbach.audit.words.i18n import _
from minhbach.audit.words.names import family_name, level_name


@click.command("rules", help=_("List the rules with codes, titles and citations; --doc for their documentation."))
@click.option("--doc", is_flag=True, help=_("Render each rule's documentation (what, why, good, bad, limits)."))
@click.argument("codes", nargs=-1)
def rules_command(doc, codes) -> None:
    from minhbach.audit.reports.rule_docs import render_rule_docs
    from minhbach.rules.registry import all_rules

    rules = [r for r in all_rules().values() if not codes or r.code in codes]
    if doc:
        from rich.markdown import Markdown

        text = render_rule_docs(rules)
        console.print(Markdown(text)) if sys.stdout.isatty() else click.echo(text)
        return
    table = Table(title=_("Rules ({n})").format(n=len(rules)))
    for header in (_("Code"), _("Family"), _("Rule (Vietnamese)"), _("Rule (English)"), _("Levels"), _("Legal basis")):
        table.add_column(header, overflow="fold")
    for rule in rules:
        table.add_row(rule.code, family_name(rule.family), rule.title_vi, rule.title_en,
                      ", ".join(level_name(level) for level in rule.levels),
                      "; ".join(rule.citations))
    console.print(table)


@click.command("rubrics", help=_("List the rubrics with their dates; an audit without --rubric takes the one in "
                                 "force on its date."))
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help=_("Say which is in force on this day "
                                                                          "(default: today)."))
def rubrics_command(day) -> None:

    from minhbach.audit.clock import today_in
    from minhbach.audit.judge.rubric import RubricError, available, load_rubric, rubric_in_force

    day = day.date() if day else today_in()
    in_force = rubric_in_force(day)
    table = Table(title=_("Rubrics – in force on {day}: {rubric}").format(
        day=f"{day:%d/%m/%Y}", rubric=in_force.id if in_force else _("no rubric")))
    for header in (_("Rubric"), _("Version"), _("From"), _("Until"), _("Title"), _("Legal basis")):
        table.add_column(header, overflow="fold")
    for rubric_id in available():
        try:
            rubric = load_rubric(rubric_id)
        except RubricError as error:
            table.add_row(rubric_id, "", "", "", "; ".join(error.problems), "", style="red")
            continue
        table.add_row(("▶ " if in_force and rubric.id == in_force.id else "") + rubric.id, rubric.version,
                      f"{rubric.effective_from:%d/%m/%Y}" if rubric.effective_from else "…",
                      f"{rubric.effective_until:%d/%m/%Y}" if rubric.effective_until else "…", rubric.title,
                      "; ".join(rubric.legal_basis), style="bold" if in_force and rubric.id == in_force.id else None)
    console.print(table)
