"""`minhbach demo`: serve the fictional province, crawl, audit and write the results."""
from __future__ import annotations

import os
from pathlib import Path

import click

from minhbach.audit.cli.auditing import export_audit, print_score_table, run_audit_command
from minhbach.audit.cli.common import App, console
from minhbach.audit.cli.crawling import print_crawl_summary, run_with_progress
from minhbach.audit.clock import today_in
from minhbach.audit.extras import require
from minhbach.audit.words.i18n import _


@click.command(help=_("Serve the fictional demo province on 127.0.0.1, crawl it and write the results."))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("demo-output"),
              show_default=True, help=_("Folder for the demo's database, stored pages and CSV files."))
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help=_("Date the demo sites treat as today."))
def demo(out_dir: Path, today) -> None:
    from minhbach.audit.judge.choice import DEFAULT_RUBRIC
    from minhbach.audit.judge.rubric import rubric_in_force
    from minhbach.audit.ops.demo.portal import DEMO_DIR
    from minhbach.audit.ops.demo.server import serve_demo
    from minhbach.audit.ops.options import crawl_options

    require("reports", "minhbach demo")   # its month's report
    require("web", "minhbach demo")       # its dashboard's admin account
    from minhbach.audit.registry.agencies import import_registry, parse_registry
    from minhbach.audit.reports.crawl_table import crawl_columns
    from minhbach.audit.reports.exports import write_csv
    from minhbach.audit.reports.monthly.freeze import provisional_content
    from minhbach.audit.reports.monthly.publish import publish_provisional

    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    # The demo keeps its own store in its output folder, apart from the user's real registry and
    # settings (neither the settings file nor the environment's store is read).
    app = App(overrides={"data_dir": out_dir}, use_environment=False)
    serve_date = today.date() if today else today_in()
    province = serve_demo(parse_registry(DEMO_DIR / "agencies.csv"), serve_date)
    # the sites are on ports the system chose: the registry the demo imports says which
    registry = out_dir / "agencies.csv"
    registry.write_text(province.registry(), encoding="utf-8")
    console.print(_("The demo province Hòa Sơn: {n} portals running on 127.0.0.1 (crawled with "
                    "--allow-private, since the demo sites are on this machine).").format(n=len(province.servers)))
    try:
        with app.sessions() as session:
            result = import_registry(session, registry)
        console.print(_("Agency list: {added} added, {updated} updated, {unchanged} unchanged.").format(
            added=len(result.added), updated=len(result.updated), unchanged=len(result.unchanged)))
        run_id = run_with_progress(app, None, crawl_options(app.settings, allow_private=True, site_time_budget=120.0))
    finally:
        province.stop()
    rows = print_crawl_summary(app, run_id)
    write_csv(out_dir / "crawl.csv", crawl_columns(), rows)
    # The province scored twice: first by the old rubric, for comparison (its dates ended in
    # 2022: its table says so), then by the rubric in force on the demo's day, which the files,
    # the monthly report and the dashboard use.
    in_force = rubric_in_force(serve_date)
    current = in_force.id if in_force else DEFAULT_RUBRIC
    for rubric_id in ([HISTORICAL_RUBRIC] if HISTORICAL_RUBRIC != current else []) + [current]:
        if rubric_id == current:
            console.print("[bold]" + _("By the rubric in force on {day}: {rubric}").format(
                day=f"{serve_date:%d/%m/%Y}", rubric=rubric_id) + "[/]", highlight=False)
        else:
            console.print("[bold]" + _("For comparison, by the earlier rubric {rubric} (no longer in force)").format(
                rubric=rubric_id) + "[/]", highlight=False)
        audit_id = run_audit_command(app, run_id, rubric_id, serve_date)
        print_score_table(app, audit_id)
    export_audit(app, "csv", False, out_dir / "scores.csv", audit_id)
    export_audit(app, "csv", True, out_dir / "findings.csv", audit_id)
    console.print(_("Wrote {files}").format(files=", ".join(str(out_dir / name) for name in
                                                          ("crawl.csv", "scores.csv", "findings.csv"))))
    with app.sessions() as session:  # the month's report so far: provisional, its month is not over
        content = provisional_content(session, f"{serve_date:%Y-%m}", serve_date, audit_id=audit_id)
        paths = publish_provisional(content, serve_date, out_dir, app.settings)
    console.print(_("Monthly report: ") + ", ".join(str(p) for p in paths), soft_wrap=True, highlight=False)
    again = f"MINHBACH_DATA_DIR={out_dir} minhbach report --agency ubnd-hs"
    console.print(_("To look again: {command}").format(command=again))
    password = demo_admin(app)
    where = os.path.relpath(out_dir) if not os.path.relpath(out_dir).startswith("..") else str(out_dir)
    console.print(_("Dashboard: {command}, then open http://127.0.0.1:8000/ and log in: admin / {password}").format(
        command=f"MINHBACH_DATA_DIR={where} .venv/bin/minhbach serve", password=password),
        soft_wrap=True, highlight=False)


HISTORICAL_RUBRIC = "vp-qd26-2017"  # the demo also shows what the law before 2022 would have given


def demo_admin(app: App) -> str:
    """An admin account for the demo's dashboard, with a fresh password each run."""
    import secrets

    from minhbach.audit.people.accounts import AccountError, add_user, set_password

    password = secrets.token_urlsafe(9)
    with app.sessions() as session:
        try:
            add_user(session, "admin", password, "admin")
        except AccountError:  # a demo run before made it: a new password
            set_password(session, "admin", password)
    return password
