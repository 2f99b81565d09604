"""The monthly report: frozen, the same twice, versioned on republish; its XLSX, CSV and DOCX
as an officer opens them (read back with openpyxl and python-docx); survey figures."""
import csv
import os
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.support.cli import run_cli
from tests.support.demo import demo_host, demo_url

MONTH = "2026-11"
NAME = "bao-cao-thang-2026-11"
# the demo runs on 21/11/2026: its month is not over, so its report is the provisional one
DEMO_NAME = "bao-cao-thang-2026-11-tam-thoi"


def _values(path):
    book = load_workbook(path)
    return {name: [[cell.value for cell in row] for row in book[name].iter_rows()] for name in book.sheetnames}


def test_the_demo_writes_the_months_workbook_typed_and_linked(demo_output):
    out, stdout = demo_output
    assert f"{DEMO_NAME}.xlsx" in stdout
    book = load_workbook(out / f"{DEMO_NAME}.xlsx")
    assert book.sheetnames == ["Tổng hợp", "Cấp tỉnh", "Sở, ngành", "Cấp xã", "Theo nhóm", "Bằng chứng", "Phương pháp"]
    sheet = book["Tổng hợp"]
    assert sheet["A1"].value == "UBND TỈNH HÒA SƠN" and "THÁNG 11/2026" in sheet["A3"].value
    assert "BẢN TẠM THỜI" in sheet["A3"].value  # the demo's day, 21/11, is before the month's end
    headers = [c.value for c in sheet[5]]
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=6)}
    score, coverage = headers.index("9. Điểm chất lượng website"), headers.index("Độ bao phủ")
    stc = rows["stc-hs"]
    assert isinstance(stc[score].value, float) and stc[score].number_format == "0.0"
    assert 0 < stc[coverage].value <= 1 and stc[coverage].number_format == "0.0%"
    high = stc[headers.index("Điểm cao nhất có thể")]
    assert isinstance(high.value, float) and high.value >= stc[score].value and high.number_format == "0.0"
    assert stc[headers.index("4. Số tin mời thầu trong tháng")].data_type == "n"
    assert stc[headers.index("5. Tỉ lệ DN nhận được thông tin")].value == "chưa có"
    assert stc[headers.index("3. Ngân sách: nội dung đạt")].value == "5/5"
    unreachable = rows["sgddt-hs"]
    assert unreachable[score].value is None and unreachable[headers.index("Xếp loại")].value == "Không xác định"
    assert unreachable[headers.index("1. Quy hoạch: nội dung đạt")].value is None
    assert unreachable[headers.index("4. Số tin mời thầu trong tháng")].value is None  # not a zero
    assert sheet.freeze_panes == "D6"
    # the items in words, on the sheet of the agencies' level, each linked to its evidence
    detail = book["Sở, ngành"]
    headers = [c.value for c in detail[5]]
    rows = {r[1].value: r for r in detail.iter_rows(min_row=6)}
    stc = rows["stc-hs"]
    assert "0211 3845 113" in stc[headers.index("7. Cách DN tiếp cận tài liệu")].value  # a phone as text
    budget = stc[headers.index("3. Tài liệu ngân sách")]
    assert "Năm 2026" in budget.value.replace("năm", "Năm") and budget.hyperlink.target.startswith("http://127.0.0.1:")
    assert budget.alignment.wrap_text
    assert "máy chủ từ chối kết nối" in rows["sgddt-hs"][headers.index("1. Tài liệu quy hoạch")].value
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    evidence = book["Bằng chứng"]
    header = [c.value for c in evidence[5]]
    linked = [r for r in evidence.iter_rows(min_row=6) if r[header.index("Địa chỉ bằng chứng")].hyperlink]
    assert linked and linked[0][header.index("Địa chỉ bằng chứng")].hyperlink.target.startswith("http://127.0.0.1:")
    dated = [r[header.index("Ngày")] for r in evidence.iter_rows(min_row=6) if r[header.index("Ngày")].value]
    assert dated and all(c.is_date and c.number_format == "DD/MM/YYYY" for c in dated)
    assert any("ND43-2011" in (r[header.index("Căn cứ")].value or "") for r in evidence.iter_rows(min_row=6))
    method = [r[1] for r in _values(out / f"{DEMO_NAME}.xlsx")["Phương pháp"][5:]]
    assert any("không tính là 0 điểm" in (text or "") for text in method)


def test_the_csv_summary_and_the_word_report(demo_output):
    out, _ = demo_output
    with (out / f"{DEMO_NAME}.csv").open(encoding="utf-8-sig") as handle:
        rows = {r["Mã"]: r for r in csv.DictReader(handle)}
    assert rows["sgddt-hs"]["Xếp loại"] == "Không xác định" and rows["stc-hs"]["Cấp"] == "Sở/ngành"
    document = Document(out / f"{DEMO_NAME}.docx")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in text and "I. KẾT QUẢ CHUNG" in text and "9 cơ quan, đơn vị" in text
    assert f"Sở Giáo dục và Đào tạo tỉnh Hòa Sơn ({demo_url(out, 'sgddt-hs')}): máy chủ từ chối kết nối" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in document.tables[0].rows[0].cells[1].text
    table = document.tables[1]  # the ranking, by the lower end of the score
    assert len(table.rows) == 10 and table.rows[1].cells[1].text == "Ủy ban nhân dân tỉnh Hòa Sơn"
    assert table.rows[1].cells[3].text == "96,3–99,1" and table.rows[1].cells[4].text == "97,2%"


def test_the_same_month_twice_is_the_same_report_and_a_republish_keeps_version_1(demo_store, tmp_path, english):
    first = run_cli("monthly", "--month", MONTH, "--out", str(tmp_path / "a"))
    again = run_cli("monthly", "--month", MONTH, "--out", str(tmp_path / "b"))
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    assert "version 1 (new)" in first.stdout and "audits of 21/11/2026" in first.stdout
    assert "version 1" in again.stdout and "unchanged" in again.stdout
    assert _values(tmp_path / "a" / f"{NAME}.xlsx") == _values(tmp_path / "b" / f"{NAME}.xlsx")
    assert (tmp_path / "a" / f"{NAME}.csv").read_bytes() == (tmp_path / "b" / f"{NAME}.csv").read_bytes()
    db = sqlite3.connect(demo_store / "minhbach.sqlite")
    (version1,) = db.execute("select content_sha256 from monthly_reports").fetchall()
    assert run_cli("monthly", "--month", MONTH, "--republish").returncode == 2  # a reason is required
    republished = run_cli("monthly", "--month", MONTH, "--republish", "--reason", "sửa số liệu khảo sát",
                          "--out", str(tmp_path / "c"))
    assert republished.returncode == 0, republished.stderr
    assert (tmp_path / "c" / f"{NAME}-v2.xlsx").exists()
    rows = db.execute("select version, content_sha256, reason from monthly_reports order by version").fetchall()
    assert rows[0] == (1, version1[0], "") and rows[1][0] == 2 and rows[1][2] == "sửa số liệu khảo sát"
    old = run_cli("monthly", "--month", MONTH, "--version", "1", "--out", str(tmp_path / "d"))
    assert old.returncode == 0 and _values(tmp_path / "d" / f"{NAME}.xlsx") == _values(tmp_path / "a" / f"{NAME}.xlsx")


def test_a_month_without_a_complete_audit_is_one_line(demo_store, english):
    result = run_cli("monthly", "--month", "2026-10")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: no complete audit dated in 2026-10: run `minhbach nightly` (or crawl "
                                     "and audit with --date in that month) first")


def test_survey_figures_are_checked_whole_then_shown(demo_store, tmp_path, english):
    bad = tmp_path / "khao-sat.csv"
    bad.write_text("agency_code,month,item,value,note\n"
                   "stc-hs,2026-11,5,85,\n"
                   "khong-co,2026-11,5,85,\n"
                   "stc-hs,2026-13,6,3,\n"
                   "stc-hs,2026-11,7,3,\n"
                   "stc-hs,2026-11,8,120,\n"
                   "stc-hs,2026-11,6,ba ngày,\n", encoding="utf-8")
    result = run_cli("monthly", "import-survey", str(bad))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "khao-sat.csv:3: agency_code: unknown agency 'khong-co' (see `minhbach agencies list`)",
        "khao-sat.csv:4: month: '2026-13' is not a month written YYYY-MM",
        "khao-sat.csv:5: item: '7' is not 5, 6 or 8 (the survey items of the report)",
        "khao-sat.csv:6: value: 120 % is outside 0-100 for item 8",
        "khao-sat.csv:7: value: 'ba ngày' is not a number",
    ]
    db = sqlite3.connect(demo_store / "minhbach.sqlite")
    assert db.execute("select count(*) from survey_values").fetchone() == (0,)
    good = tmp_path / "khao-sat-dung.csv"
    good.write_text("agency_code,month,item,value,note\nstc-hs,2026-11,5,85,\nstc-hs,2026-11,6,3,\n"
                    "stc-hs,2026-11,8,70%,theo phiếu khảo sát\n", encoding="utf-8")
    assert run_cli("monthly", "--month", MONTH, "--out", str(tmp_path / "v1")).returncode == 0
    assert run_cli("monthly", "import-survey", str(good)).returncode == 0
    # the survey came after the first report: a new version says why
    result = run_cli("monthly", "--month", MONTH, "--republish", "--reason", "có số liệu khảo sát",
                     "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(tmp_path / f"{NAME}-v2.xlsx")["Tổng hợp"]
    headers = [c.value for c in sheet[5]]
    stc = next(r for r in sheet.iter_rows(min_row=6) if r[1].value == "stc-hs")
    assert stc[headers.index("5. Tỉ lệ DN nhận được thông tin")].value == pytest.approx(0.85)
    assert stc[headers.index("5. Tỉ lệ DN nhận được thông tin")].number_format == "0.0%"
    assert stc[headers.index("6. Số ngày DN nhận được tài liệu")].value == 3
    assert stc[headers.index("8. Dự liệu việc thực thi")].value == pytest.approx(0.70)


def test_a_partially_crawled_agency_says_so_in_item_9(demo_store, tmp_path):
    db = sqlite3.connect(demo_store / "minhbach.sqlite")
    with db:
        db.execute("delete from monthly_reports")
        db.execute("update site_crawls set status = 'partial', reason = '{\"kind\": \"incomplete\", \"missed\": [[\"timeout\", 3]]}' "
                   "where agency_id = (select id from agencies where code = 'syt-hs')")
    assert run_cli("audit", "--date", "2026-11-21").returncode == 0
    assert run_cli("monthly", "--month", MONTH, "--out", str(tmp_path)).returncode == 0
    sheet = load_workbook(tmp_path / f"{NAME}.xlsx")["Sở, ngành"]
    headers = [c.value for c in sheet[5]]
    syt = next(r for r in sheet.iter_rows(min_row=6) if r[1].value == "syt-hs")
    assert "thu thập chưa đầy đủ" in syt[headers.index("9. Nhận xét")].value


def test_every_export_keeps_its_types_and_vocabulary(demo_store, tmp_path):
    import json

    scores = tmp_path / "diem.xlsx"
    assert run_cli("export", "--out", str(scores)).returncode == 0
    sheet = load_workbook(scores).active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "stc-hs")
    assert isinstance(row[header.index("Điểm")].value, float) and row[header.index("Ngày đánh giá")].is_date
    findings = tmp_path / "phat-hien.csv"
    assert run_cli("export", "--findings", "--out", str(findings)).returncode == 0
    with findings.open(encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Mã cơ quan"] == "stc-hs"]
    hotline = next(r for r in rows if r["Mã tiêu chí"] == "HL01")
    assert hotline["Giá trị"] == "0211 3845 113" and hotline["Nhóm"] == "Đường dây nóng"
    as_json = tmp_path / "phat-hien.json"
    assert run_cli("export", "--findings", "--format", "json", "--out", str(as_json)).returncode == 0
    first = json.loads(as_json.read_text(encoding="utf-8"))[0]
    assert {"note", "partial", "stored_copy", "family"} <= set(first) and first["family"] in ("budget", "contacts")
    wrong = run_cli("export", "--format", "json", "--out", str(tmp_path / "diem.xlsx"))
    assert wrong.returncode == 2 and wrong.stderr.startswith("lỗi: --out ") and "phải có đuôi .json" in wrong.stderr
    with (demo_store / "crawl.csv").open(encoding="utf-8-sig") as handle:
        assert {r["Cấp"] for r in csv.DictReader(handle)} == {"Tỉnh", "Sở/ngành", "Xã/phường"}


def test_the_category_columns_stay_when_no_site_was_reachable(data_dir):
    from minhbach.audit.reports.rows import score_columns
    from minhbach.audit.store.models import AuditRun, CrawlRun
    from tests.support.stores import current_sessions

    sessions = current_sessions()
    with sessions() as session:
        run = CrawlRun(status="completed")
        session.add(run)
        session.flush()
        audit = AuditRun(crawl_run_id=run.id, rubric_id="vp-qd26-2017", rubric_version="x", audit_date=date(2026, 11, 2))
        session.add(audit)
        session.flush()
        headers = [header for key, header in score_columns(session, audit) if key.startswith("cat_")]
    assert "Công khai ngân sách" in headers and len(headers) >= 6


def test_the_change_since_last_month_comes_from_the_previous_months_audit(demo_store, tmp_path):
    db = sqlite3.connect(demo_store / "minhbach.sqlite")
    with db:
        db.execute("delete from monthly_reports")
    # the same saved crawl judged as of 31/10 (allowed before the crawl's day, and said so)
    assert run_cli("audit", "--run", "1", "--date", "2026-10-31").returncode == 0
    assert run_cli("audit", "--run", "1", "--date", "2026-11-21").returncode == 0
    assert run_cli("monthly", "--month", MONTH, "--out", str(tmp_path)).returncode == 0
    sheet = load_workbook(tmp_path / f"{NAME}.xlsx")["Tổng hợp"]
    headers = [c.value for c in sheet[5]]
    change = headers.index("Thay đổi so với tháng trước")
    by_code = {r[1].value: r for r in sheet.iter_rows(min_row=6)}
    assert isinstance(by_code["stc-hs"][change].value, (int, float))
    assert by_code["stc-hs"][change].number_format == "+0.0;-0.0;0.0"
    assert by_code["sgddt-hs"][change].value is None  # not scored: no change to show
    ranks = sorted(r[headers.index("Hạng trong cấp")].value for r in by_code.values()
                   if r[headers.index("Cấp")].value == "Sở/ngành" and r[headers.index("Hạng trong cấp")].value)
    assert ranks[0] == 1 and ranks == sorted(ranks)


def test_a_section_the_crawl_could_not_read_is_never_counted_as_zero(demo_store, tmp_path):
    db = sqlite3.connect(demo_store / "minhbach.sqlite")
    with db:
        db.execute("delete from monthly_reports")
        # its tenders page answered 503 instead of the page the crawl stored
        host = demo_host(demo_store, "stp-hs")
        db.execute(f"delete from pages where final_url = 'http://{host}/node/1017'")
        db.execute("insert into unread_pages (site_crawl_id, url, kind, reason, anchor_text) "
                   f"select s.id, 'http://{host}/node/1017', 'http_503', '{{\"kind\": \"http_error\", \"status\": 503, \"host\": \"{host}\"}}', "
                   "'Đấu thầu' from site_crawls s join agencies a on a.id = s.agency_id where a.code = 'stp-hs'")
    assert run_cli("audit", "--date", "2026-11-21").returncode == 0
    assert run_cli("monthly", "--month", MONTH, "--out", str(tmp_path)).returncode == 0
    sheet = load_workbook(tmp_path / f"{NAME}.xlsx")["Sở, ngành"]
    headers = [c.value for c in sheet[5]]
    stp = next(r for r in sheet.iter_rows(min_row=6) if r[1].value == "stp-hs")
    tenders = stp[headers.index("4. Số tin mời thầu trong tháng")].value
    assert isinstance(tenders, str) and "chưa đọc được 1 trang" in tenders and "HTTP 503" in tenders


def test_no_report_names_a_rule():
    """Reports read what the rules found (findings and their facts) by family, as
    data/monthly_items.yaml says: a new rule of a family appears in its item, and no rule code
    is written into a report's code."""
    import ast
    import re

    from tests.support.paths import ROOT

    named = [f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}"
             for path in sorted((ROOT / "audit" / "reports").rglob("*.py"))
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and re.fullmatch(r"[A-Z]{2}\d{2}", node.value)]
    assert not named, named


# The demo's month as officers read it (the CSV summary: every item of every agency). A change
# to it is a change to a document people sign: look at the difference, then record it again
# with MINHBACH_RECORD_MONTHLY=1.
MONTHLY_SNAPSHOT = Path(__file__).parent / "snapshots" / f"{NAME}.csv"


def test_the_demo_month_reads_as_recorded(demo_output):
    out, _ = demo_output
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", (out / f"{DEMO_NAME}.csv").read_text(encoding="utf-8-sig"))
    if os.environ.get("MINHBACH_RECORD_MONTHLY"):
        MONTHLY_SNAPSHOT.parent.mkdir(exist_ok=True)
        MONTHLY_SNAPSHOT.write_text(text, encoding="utf-8", newline="")
    recorded = MONTHLY_SNAPSHOT.read_text(encoding="utf-8")
    changed = [f"{code}: {before!r} → {now!r}" for before, now, code in zip(
        recorded.splitlines(), text.splitlines(), (line.split(",")[1] for line in text.splitlines()))
        if before != now]
    assert text == recorded, "\n".join(changed) or "lines added or removed"
