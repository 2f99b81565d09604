"""The `minhbach` command line."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from audit import config

# Wide tables when piped or captured, so Vietnamese names do not wrap letter by letter.
console = Console(width=None if sys.stdout.isatty() else 200)


def _sessions():
    from audit.store.db import open_store

    return open_store()


@click.group(help="Crawl Vietnamese government portals and audit what they publish.")
@click.version_option(package_name="minhbach")
def main() -> None:
    pass


# -- agencies ----------------------------------------------------------------------------------

@main.group(help="The agency registry (a CSV file; see data/agencies.example.csv).")
def agencies() -> None:
    pass


@agencies.command("import", help="Validate FILE whole, then add or update its agencies.")
@click.argument("file", type=click.Path(path_type=Path))
def agencies_import(file: Path) -> None:
    from audit.registry import RegistryError, import_registry

    with _sessions()() as session:
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
    from audit.registry import LEVEL_NAMES
    from audit.store.models import Agency

    with _sessions()() as session:
        rows = list(session.scalars(select(Agency).order_by(Agency.code)))
    table = Table(title=f"Cơ quan đã đăng ký ({len(rows)})")
    for header in ("Mã", "Tên cơ quan", "Cấp", "Cơ quan cấp trên", "Cổng thông tin", "Phiên bản"):
        table.add_column(header)
    for agency in rows:
        table.add_row(agency.code, agency.name, LEVEL_NAMES.get(agency.level, agency.level),
                      agency.parent_code or "", agency.portal_url, str(agency.version))
    console.print(table)


# -- crawl -------------------------------------------------------------------------------------

def crawl_options(**kwargs):
    from crawler.settings import CrawlOptions

    options = CrawlOptions()
    for key, value in kwargs.items():
        if value is not None:
            setattr(options, key, value)
    return options


def run_with_progress(codes, options) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from audit.store.db import open_store
    from crawler.runner import run_crawl

    open_store()
    progress = Progress(SpinnerColumn(), TextColumn("[bold]Thu thập[/]"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("trang: {task.fields[pages]}"), TimeElapsedColumn(), console=console,
                        transient=False)
    state = {}

    def on_start(run_id, n_sites):
        state["task"] = progress.add_task("crawl", total=n_sites, pages=0)

    def on_page(_code):
        progress.update(state["task"], advance=0, pages=progress.tasks[0].fields["pages"] + 1)

    def on_site_done(_site):
        progress.update(state["task"], advance=1)

    with progress:
        run_id = run_crawl(codes or None, options, config.database_url(), config.bodies_dir(),
                           on_page=on_page, on_site_done=on_site_done, on_start=on_start)
    return run_id


def print_crawl_summary(run_id: int) -> list[dict]:
    from audit.crawl_report import crawl_summary

    with _sessions()() as session:
        rows = crawl_summary(session, run_id)
    table = Table(title=f"Kết quả thu thập – lượt {run_id}")
    for header, justify in (("Mã", "left"), ("Cơ quan", "left"), ("Trạng thái", "left"), ("Trang", "right"),
                            ("Tài liệu", "right"), ("KB", "right"), ("Lỗi", "right"), ("Lý do / ghi chú", "left")):
        table.add_column(header, justify=justify, overflow="fold")
    for row in rows:
        style = None if row["status"] == "ok" else "yellow"
        table.add_row(row["code"], row["name"], row["status_vi"], str(row["pages"]), str(row["documents"]),
                      str(row["kilobytes"]), str(row["errors"]), row["reason"], style=style)
    console.print(table)
    return rows


@main.command(help="Crawl agency portals (all registered agencies unless --agency is given).")
@click.option("--agency", "agency_codes", multiple=True, metavar="CODE", help="Only this agency (repeatable).")
@click.option("--page-cap", type=int, help="Most pages fetched per site (default 300).")
@click.option("--time-budget", "site_time_budget", type=float, help="Seconds allowed per site (default 900).")
@click.option("--depth", "depth_cap", type=int, help="Most links followed from the home page (default 8).")
@click.option("--contact-url", help="URL in the User-Agent where site owners can reach the operator.")
@click.option("--allow-private", is_flag=True, default=None,
              help="Allow private/loopback/link-local addresses (only for sites you run yourself).")
@click.option("--allow-private-host", "allowed_private_hosts", multiple=True, metavar="HOST[:PORT]",
              help="Allow one private host (repeatable).")
@click.option("--concurrency", "concurrent_requests", type=int, help="Requests in flight overall (default 32).")
def crawl(agency_codes, allowed_private_hosts, **kwargs) -> None:
    options = crawl_options(allowed_private_hosts=tuple(allowed_private_hosts) or None, **kwargs)
    try:
        run_id = run_with_progress(list(agency_codes), options)
    except ValueError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    print_crawl_summary(run_id)


@main.command(help="List crawl runs, or show one run's sites with --run.")
@click.option("--run", "run_id", type=int, help="Show the sites of this run.")
def runs(run_id: int | None) -> None:
    from audit.store.models import CrawlRun, SiteCrawl

    if run_id is not None:
        print_crawl_summary(run_id)
        return
    with _sessions()() as session:
        rows = session.execute(
            select(CrawlRun, func.count(SiteCrawl.id), func.coalesce(func.sum(SiteCrawl.pages_fetched), 0))
            .outerjoin(SiteCrawl, SiteCrawl.run_id == CrawlRun.id).group_by(CrawlRun.id)
            .order_by(CrawlRun.id.desc())
        ).all()
    table = Table(title="Các lượt thu thập")
    for header in ("Lượt", "Trạng thái", "Bắt đầu", "Kết thúc", "Số trang web", "Số trang"):
        table.add_column(header)
    for run, n_sites, n_pages in rows:
        table.add_row(str(run.id), run.status, f"{run.started_at:%Y-%m-%d %H:%M}",
                      f"{run.finished_at:%Y-%m-%d %H:%M}" if run.finished_at else "", str(n_sites), str(n_pages))
    console.print(table)


# -- audit, report, export, rules -------------------------------------------------------------

DEFAULT_RUBRIC = "vp-qd26-2017"


def run_audit_command(run_id: int | None, rubric_id: str, audit_date: date) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from audit.auditor import AuditError, run_audit
    from audit.rubric import RubricError, load_rubric
    from audit.store.bodies import BodyStore
    from audit.store.models import SiteCrawl

    try:
        rubric = load_rubric(rubric_id)
    except RubricError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        sys.exit(2)
    with _sessions()() as session:
        try:
            from audit.auditor import resolve_run

            run = resolve_run(session, run_id)
        except AuditError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
        n_sites = session.scalar(select(func.count(SiteCrawl.id)).where(SiteCrawl.run_id == run.id))
        progress = Progress(TextColumn("[bold]Đánh giá[/]"), BarColumn(), MofNCompleteColumn(), console=console)
        with progress:
            task = progress.add_task("audit", total=n_sites)
            return run_audit(session, BodyStore(config.bodies_dir()), rubric, audit_date, run.id,
                             on_site=lambda _code: progress.advance(task))


def _audit_or_exit(session, audit_id: int | None):
    from audit.score_report import latest_audit
    from audit.store.models import AuditRun

    audit = session.get(AuditRun, audit_id) if audit_id else latest_audit(session)
    if audit is None:
        click.echo("error: no audit yet: run `minhbach audit` first" if not audit_id
                   else f"error: no audit {audit_id}", err=True)
        sys.exit(2)
    return audit


def _score_text(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def print_score_table(audit_id: int | None = None) -> list[dict]:
    from audit.score_report import score_columns, score_rows

    with _sessions()() as session:
        audit = _audit_or_exit(session, audit_id)
        rows = score_rows(session, audit)
        columns = score_columns(session, audit)
    categories = [(key, header) for key, header in columns if key.startswith("cat_")]
    table = Table(title=f"Điểm theo {audit.rubric_id} ({audit.rubric_version}) – ngày đánh giá "
                        f"{audit.audit_date:%d/%m/%Y} – lượt thu thập {audit.crawl_run_id}")
    table.add_column("Mã", no_wrap=True)
    table.add_column("Cơ quan", min_width=22, overflow="fold")
    table.add_column("Cấp", no_wrap=True)
    table.add_column("Điểm", justify="right", no_wrap=True)
    table.add_column("Xếp loại", no_wrap=True)
    for _, header in categories:  # the part before the first comma keeps the table narrow
        table.add_column(header.split(",")[0], justify="right", max_width=9, overflow="fold")
    table.add_column("Bao phủ", justify="right", no_wrap=True)
    table.add_column("Lý do / ghi chú", min_width=18, overflow="fold")
    for row in rows:
        unknown = row["score"] is None
        table.add_row(row["agency_code"], row["agency_name"], row["level_vi"],
                      _score_text(row["score"]), row["grade"],
                      *[_score_text(row.get(key)) for key, _ in categories], f"{row['coverage_pct']}%",
                      row["reason"], style="yellow" if unknown else None)
    console.print(table)
    return rows


@main.command(help="Judge a stored crawl with every rule and score it with a rubric.")
@click.option("--run", "run_id", type=int, help="Crawl run to audit (default: the newest completed one).")
@click.option("--rubric", "rubric_id", default=DEFAULT_RUBRIC, show_default=True,
              help="Rubric id (a file in data/rubrics/) or a path to a rubric YAML file.")
@click.option("--date", "audit_date", type=click.DateTime(["%Y-%m-%d"]),
              help="Audit date that freshness is judged against (default: today).")
def audit(run_id, rubric_id, audit_date) -> None:
    day = audit_date.date() if audit_date else date.today()
    audit_id = run_audit_command(run_id, rubric_id, day)
    print_score_table(audit_id)
    console.print(f"Lượt đánh giá {audit_id}. Chi tiết: minhbach report --agency MÃ")


@main.command(help="Print the score table, or one agency's rules with outcome and evidence.")
@click.option("--agency", "agency_code", metavar="CODE", help="Show this agency's findings.")
@click.option("--audit", "audit_id", type=int, help="Audit to show (default: the newest).")
def report(agency_code, audit_id) -> None:
    from audit.score_report import finding_rows, score_rows

    if not agency_code:
        print_score_table(audit_id)
        return
    with _sessions()() as session:
        audit_run = _audit_or_exit(session, audit_id)
        findings = finding_rows(session, audit_run, agency_code)
        score = next((r for r in score_rows(session, audit_run) if r["agency_code"] == agency_code), None)
    if score is None:
        click.echo(f"error: agency '{agency_code}' is not in audit {audit_run.id}", err=True)
        sys.exit(2)
    verdict = ("không xác định – " + score["reason"] if score["score"] is None
               else f"{score['score']:.1f} điểm, {score['grade']}, bao phủ {score['coverage_pct']}%")
    table = Table(title=f"{score['agency_name']} ({agency_code}): {verdict}")
    for header in ("Mã", "Tiêu chí", "Kết quả", "Bằng chứng", "Giá trị", "Ngày", "Ghi chú"):
        table.add_column(header, overflow="fold")
    colours = {"pass": "green", "fail": "red", "needs_review": "yellow", "error": "magenta"}
    for row in findings:
        table.add_row(row["rule_code"], row["rule_title"], row["outcome_vi"], row["evidence_url"], row["value"],
                      row["date_vi"], row["note"], style=colours.get(row["outcome"]))
    console.print(table)


@main.command(help="Write the score table (or, with --findings, every finding) to a file.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--findings", is_flag=True, help="One row per agency and rule instead of the score table.")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option("--audit", "audit_id", type=int, help="Audit to export (default: the newest).")
def export(fmt, findings, out, audit_id) -> None:
    written = export_audit(fmt, findings, out, audit_id)
    console.print(f"Đã ghi {written} dòng vào {out}")


def export_audit(fmt: str, findings: bool, out: Path, audit_id: int | None = None) -> int:
    import json

    from audit.exports import write_csv
    from audit.score_report import FINDING_COLUMNS, finding_json, finding_rows, score_columns, score_json, score_rows

    with _sessions()() as session:
        audit_run = _audit_or_exit(session, audit_id)
        rows = finding_rows(session, audit_run) if findings else score_rows(session, audit_run)
        columns = FINDING_COLUMNS if findings else score_columns(session, audit_run)
    if fmt == "csv":
        write_csv(out, columns, rows)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        shaped = [finding_json(r) if findings else score_json(r) for r in rows]
        out.write_text(json.dumps(shaped, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(rows)


@main.command("rules", help="List the rules with codes, titles and citations; --doc for their documentation.")
@click.option("--doc", is_flag=True, help="Render each rule's documentation (what, why, good, bad, limits).")
@click.argument("codes", nargs=-1)
def rules_command(doc, codes) -> None:
    from audit.rule_docs import render_rule_docs
    from rules.registry import all_rules

    rules = [r for r in all_rules().values() if not codes or r.code in codes]
    if doc:
        from rich.markdown import Markdown

        text = render_rule_docs(rules)
        console.print(Markdown(text)) if sys.stdout.isatty() else click.echo(text)
        return
    table = Table(title=f"Tiêu chí ({len(rules)})")
    for header in ("Mã", "Nhóm", "Tiêu chí", "Criterion", "Cấp áp dụng", "Căn cứ"):
        table.add_column(header, overflow="fold")
    for rule in rules:
        table.add_row(rule.code, rule.family, rule.title_vi, rule.title_en, ", ".join(rule.levels),
                      "; ".join(rule.citations))
    console.print(table)


# -- demo --------------------------------------------------------------------------------------

@main.command(help="Serve the fictional demo province on 127.0.0.1, crawl it and write the results.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("demo-output"),
              show_default=True, help="Folder for the demo's database, stored pages and CSV files.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Date the demo sites treat as today.")
def demo(out_dir: Path, today) -> None:
    import os

    from audit.crawl_report import CRAWL_COLUMNS
    from audit.demo.server import serve_demo
    from audit.exports import write_csv
    from audit.registry import import_registry, parse_registry
    from audit.demo.portal import DEMO_DIR

    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    # The demo keeps its own store in its output folder, apart from the user's real registry.
    os.environ["MINHBACH_DATA_DIR"] = str(out_dir)
    os.environ.pop("MINHBACH_DATABASE_URL", None)
    registry = DEMO_DIR / "agencies.csv"
    serve_date = today.date() if today else date.today()
    servers = serve_demo(parse_registry(registry), serve_date)
    console.print(f"Tỉnh demo Hòa Sơn: {len(servers)} cổng thông tin đang chạy trên 127.0.0.1 "
                  "(thu thập với --allow-private vì các trang demo nằm trên máy này).")
    try:
        with _sessions()() as session:
            result = import_registry(session, registry)
        console.print(f"Danh sách cơ quan: {len(result.added)} thêm, {len(result.updated)} cập nhật, "
                      f"{len(result.unchanged)} không đổi.")
        run_id = run_with_progress(None, crawl_options(allow_private=True, site_time_budget=120.0))
    finally:
        for server in servers:
            server.stop()
    rows = print_crawl_summary(run_id)
    write_csv(out_dir / "crawl.csv", CRAWL_COLUMNS, rows)
    audit_id = run_audit_command(run_id, DEFAULT_RUBRIC, serve_date)
    print_score_table(audit_id)
    export_audit("csv", False, out_dir / "scores.csv", audit_id)
    export_audit("csv", True, out_dir / "findings.csv", audit_id)
    console.print(f"Đã ghi {out_dir / 'crawl.csv'}, {out_dir / 'scores.csv'}, {out_dir / 'findings.csv'}")
    console.print(f"Xem lại: MINHBACH_DATA_DIR={out_dir} minhbach report --agency ubnd-hs")


if __name__ == "__main__":
    main()
