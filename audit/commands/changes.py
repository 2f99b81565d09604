"""`minhbach history` and `minhbach diff`: an agency's scores over time, and what changed
between two audits."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
from rich.table import Table

from minhbach.audit.commands.common import console, fail, score_text, sessions

OUTCOME_LABEL = {"pass": "Đạt", "partial": "Không đạt (một phần)", "fail": "Không đạt", "needs_review": "Cần xem lại",
                 "error": "Không đánh giá được", "not_applicable": "Không áp dụng"}
CHANGE_LABEL = {"regression": "Giảm", "improvement": "Cải thiện", "other": "Khác"}


@click.command(help="An agency's score, grade and coverage at every audit.")
@click.option("--agency", "agency_code", required=True, metavar="CODE")
def history(agency_code) -> None:
    from minhbach.audit.changes import ChangesError, history as agency_history

    with sessions()() as session:
        try:
            rows = agency_history(session, agency_code)
        except ChangesError as error:
            fail(str(error))
    table = Table(title=f"Lịch sử điểm – {agency_code}")
    for header, justify in (("Lượt đánh giá", "right"), ("Ngày", "left"), ("Bộ tiêu chí", "left"),
                            ("Lượt thu thập", "right"), ("Điểm", "right"), ("Xếp loại", "left"),
                            ("Bao phủ", "right"), ("Lý do / ghi chú", "left")):
        table.add_column(header, justify=justify, overflow="fold")
    for row in rows:
        table.add_row(str(row["audit"]), f"{row['audit_date']:%d/%m/%Y}", row["rubric"], str(row["crawl_run"]),
                      score_text(row["score"]), row["grade"], f"{row['coverage_pct']}%", row["reason"])
    console.print(table)


@click.command(help="What changed between two audits (default: the last two): rules whose outcome "
                    "changed, regressions first; score and grade changes; sites lost or recovered.")
@click.option("--from", "from_id", type=int, metavar="AUDIT", help="The earlier audit.")
@click.option("--to", "to_id", type=int, metavar="AUDIT", help="The later audit.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write to this file instead of the terminal.")
def diff(from_id, to_id, fmt, out) -> None:
    from minhbach.audit.changes import DIFF_KEYS, ChangesError, diff_audits, diff_records, pick_audits
    from minhbach.audit.files import OutputError, write_atomically

    with sessions()() as session:
        try:
            before, after = pick_audits(session, from_id, to_id)
        except ChangesError as error:
            fail(str(error))
        rows, sites = diff_audits(session, before, after)
    if fmt == "table":
        if out:
            fail("--out goes with --format csv or json")
        print_diff(before, after, rows, sites)
        return
    records = diff_records(rows, sites)
    if fmt == "json":
        text = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=DIFF_KEYS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        text = buffer.getvalue()
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        write_atomically(out, lambda handle: handle.write(text), encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    except OutputError as error:
        fail(str(error))
    console.print(f"Đã ghi {len(records)} dòng vào {out}")


def print_diff(before, after, rows: list[dict], sites) -> None:
    title = (f"Thay đổi từ lượt đánh giá {before.id} ({before.audit_date:%d/%m/%Y}) "
             f"đến lượt {after.id} ({after.audit_date:%d/%m/%Y})")
    if not rows and not sites:
        console.print(f"{title}: không có thay đổi.")
        return
    if sites:
        table = Table(title=title + " – điểm")
        for header, justify in (("Mã", "left"), ("Cơ quan", "left"), ("Điểm trước", "right"), ("Điểm sau", "right"),
                                ("Xếp loại", "left"), ("Truy cập", "left")):
            table.add_column(header, justify=justify, overflow="fold")
        for s in sites:
            grade = s.grade_after if s.grade_before == s.grade_after else f"{s.grade_before or '–'} → {s.grade_after or '–'}"
            access = {"lost": "không truy cập được", "recovered": "truy cập lại được", "": ""}[s.reachable]
            table.add_row(s.agency_code, s.agency_name, score_text(s.score_before), score_text(s.score_after),
                          grade, access, style="red" if s.reachable == "lost" else None)
        console.print(table)
    if rows:
        table = Table(title=title + " – tiêu chí")
        for header in ("Mã", "Tiêu chí", "Trước", "Sau", "Thay đổi", "Ghi chú"):
            table.add_column(header, overflow="fold")
        colours = {"regression": "red", "improvement": "green"}
        for row in rows:
            table.add_row(row["agency_code"], row["rule_code"], OUTCOME_LABEL.get(row["before"], row["before"]),
                          OUTCOME_LABEL.get(row["after"], row["after"]), CHANGE_LABEL[row["change"]], row["note"],
                          style=colours.get(row["change"]))
        console.print(table)
