"""Crawled and registry text in the files officers open (CSV, every XLSX, the Word report): the
demo's store with payloads in agency names, the province and every finding's texts and address,
written by the CLI, read back with openpyxl, the csv module and python-docx. No cell is a
formula or an error value, no link leads elsewhere than http(s), the text reads as it was
(Vietnamese intact, control characters gone), numbers and dates keep their types."""
import csv
import sqlite3

from docx import Document

from minhbach.audit.reports.cells import csv_line, link_target, safe_cell
from tests.support.cli import run_cli
from tests.support.files import check_csv, check_workbook, no_control, reads_as_formula

MONTH = "2026-11"
NAME = "bao-cao-thang-2026-11"
PAYLOADS = ['=HYPERLINK("http://x","Bấm vào đây")', "=1+1", "+cmd|'/C calc'!A0", "-2+3", "@SUM(A1)", "\t=1",
            "＝1+1", "java\tscript:alert(1)", "a\x00b\x07c", "-2.5", "+84 211 3861 234", "#N/A", " =cmd|' /C calc'!A0",
            "\u200b@SUM(1)", "Giờ làm việc; =1+1", "Trích đoạn tiếng Việt: Đường dây nóng"]
ADDRESSES = ["java\tscript:alert(1)", "JavaScript:alert(1)", "file:///C:/Windows/System32/calc.exe",
             '=HYPERLINK("http://x")', "\\\\attacker\\share\\x", " http://127.0.0.1:9/ok\t", "data:text/html,x"]
NAMES = {"ubnd-hs": '=HYPERLINK("http://x","Ủy ban nhân dân tỉnh Hòa Sơn")', "stc-hs": "=1+1",
         "sxd-hs": "+cmd|'/C calc'!A0", "snnmt-hs": "-2+3", "syt-hs": "@SUM(A1)", "stp-hs": "\t=1 Sở Tư pháp",
         "sgddt-hs": "＝1+1 Sở Giáo dục và Đào tạo", "xa-thanhbinh": "a\x00b\x07c Ủy ban nhân dân xã Thanh Bình",
         "sct-hs": "+84 211 3861 234"}


def _hostile(store):
    """The payloads in the store, where a portal or the registry would put them."""
    db = sqlite3.connect(store / "minhbach.sqlite")
    with db:
        db.execute("delete from monthly_reports")
        db.execute("update agencies set province = ?", ("Hòa\x00 Sơn\x1b",))
        for code, name in NAMES.items():
            db.execute("update agencies set name = ? where code = ?", (name, code))
        for (finding,) in db.execute("select id from findings").fetchall():
            snippet, value, note = (PAYLOADS[(finding + shift) % len(PAYLOADS)] for shift in range(3))
            db.execute("update findings set snippet = ?, value = ?, note = ?, evidence_url = ? where id = ?",
                       (snippet, value, note, ADDRESSES[finding % len(ADDRESSES)], finding))
    db.close()


def test_the_monthly_report_holds_payloads_as_text(demo_store, tmp_path):
    _hostile(demo_store)
    result = run_cli("monthly", "--month", MONTH, "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    sheets = check_workbook(tmp_path / f"{NAME}.xlsx")
    summary = sheets["Tổng hợp"]
    assert summary[0][0].value == "UBND TỈNH HÒA SƠN"  # the province's NUL and ESC removed
    header = [c.value for c in summary[4]]
    by_code = {row[1].value: row for row in summary[5:]}
    name, score = header.index("Cơ quan, đơn vị"), header.index("9. Điểm chất lượng website")
    assert by_code["stc-hs"][name].value == "=1+1" and by_code["stc-hs"][name].data_type == "s"
    assert by_code["sct-hs"][name].value == "+84 211 3861 234"  # reads as written, a string
    assert by_code["xa-thanhbinh"][name].value == "abc Ủy ban nhân dân xã Thanh Bình"
    assert by_code["sgddt-hs"][name].value == "＝1+1 Sở Giáo dục và Đào tạo"
    assert by_code["ubnd-hs"][name].value == NAMES["ubnd-hs"] and by_code["ubnd-hs"][name].hyperlink is None
    assert isinstance(by_code["stc-hs"][score].value, float) and by_code["stc-hs"][score].number_format == "0.0"
    coverage = by_code["stc-hs"][header.index("Độ bao phủ")]
    assert 0 < coverage.value <= 1 and coverage.number_format == "0.0%"
    evidence = sheets["Bằng chứng"]
    header = [c.value for c in evidence[4]]
    address, day = header.index("Địa chỉ bằng chứng"), header.index("Ngày")
    linked = [row[address] for row in evidence[5:] if row[address].hyperlink]
    assert linked and {c.hyperlink.target for c in linked} == {"http://127.0.0.1:9/ok"}
    shown = {row[address].value for row in evidence[5:]}
    assert "java\tscript:alert(1)" in shown and "file:///C:/Windows/System32/calc.exe" in shown  # as text
    assert any(row[day].is_date and row[day].number_format == "DD/MM/YYYY" for row in evidence[5:])
    values = {row[header.index("Giá trị")].value for row in evidence[5:]}
    assert {"-2.5", "#N/A", "=1+1", "abc"} <= values  # strings as they were, no number or error made of them
    rows = check_csv(tmp_path / f"{NAME}.csv")
    names = {row["Mã"]: row["Cơ quan, đơn vị"] for row in rows}
    assert names["stc-hs"] == "'=1+1" and names["sct-hs"] == "'+84 211 3861 234"
    assert names["xa-thanhbinh"] == "abc Ủy ban nhân dân xã Thanh Bình"
    document = Document(tmp_path / f"{NAME}.docx")
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert all(no_control(text) and (not reads_as_formula(text) or text.startswith("'")) for text in cells)
    assert "'=1+1" in cells and "abc Ủy ban nhân dân xã Thanh Bình" in cells and "'\t=1 Sở Tư pháp" in cells
    text = "\n".join(p.text for p in document.paragraphs)
    assert "＝1+1 Sở Giáo dục và Đào tạo (" in text and no_control(text)
    assert any("Hòa Sơn, ngày" in cell for cell in cells)  # the date line of the header block


def test_every_export_holds_payloads_as_text(demo_store, tmp_path):
    _hostile(demo_store)
    for name, args in (("diem.xlsx", ()), ("phat-hien.xlsx", ("--findings",)), ("diem.csv", ()),
                       ("phat-hien.csv", ("--findings",))):
        result = run_cli("export", *args, "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
    scores = next(iter(check_workbook(tmp_path / "diem.xlsx").values()))
    header = [c.value for c in scores[0]]
    stc = next(row for row in scores[1:] if row[0].value == "stc-hs")
    assert stc[header.index("Tên cơ quan")].value == "=1+1"
    assert isinstance(stc[header.index("Điểm")].value, float) and stc[header.index("Ngày đánh giá")].is_date
    findings = check_workbook(tmp_path / "phat-hien.xlsx")
    rows = next(iter(findings.values()))
    header = [c.value for c in rows[0]]
    snippets = {row[header.index("Trích đoạn")].value for row in rows[1:]}
    assert {'=HYPERLINK("http://x","Bấm vào đây")', "+cmd|'/C calc'!A0", "\t=1", "Giờ làm việc; =1+1"} <= snippets
    links = {row[header.index("Địa chỉ bằng chứng")].hyperlink.target for row in rows[1:]
             if row[header.index("Địa chỉ bằng chứng")].hyperlink}
    assert links == {"http://127.0.0.1:9/ok"}
    check_csv(tmp_path / "diem.csv")
    exported = check_csv(tmp_path / "phat-hien.csv")
    assert {row["Trích đoạn"] for row in exported} >= {"'=1+1", "'+cmd|'/C calc'!A0", "'-2+3", "-2.5",
                                                      "'+84 211 3861 234", "'＝1+1", "' =cmd|' /C calc'!A0",
                                                      "Giờ làm việc; =1+1", "abc"}


def test_a_field_is_never_split_where_a_reader_takes_another_separator():
    """A Vietnamese Windows lists with ";": a field holding one is quoted, so "=1+1" never starts a field."""
    line = csv_line(["Giờ làm việc; =1+1", "a\t@SUM(1)", "x,y", 'nói "có"', "-2.5", None])
    assert line == '"Giờ làm việc; =1+1","a\t@SUM(1)","x,y","nói ""có""",-2.5,'
    assert next(csv.reader([line])) == ["Giờ làm việc; =1+1", "a\t@SUM(1)", "x,y", 'nói "có"', "-2.5", ""]


def test_the_neutraliser_reads_numbers_phones_and_look_alikes():
    assert [safe_cell(v) for v in ("-2.5", "+1.5", "-0,5", "12%", -3, 4.5, "–", "Sở Tư pháp")] == \
        ["-2.5", "+1.5", "-0,5", "12%", "-3", "4.5", "–", "Sở Tư pháp"]
    assert [safe_cell(v) for v in ("+842113861234", "﹦1", "\u3000＠A1", "\r=1", "Ho\u0300a")] == \
        ["'+842113861234", "'﹦1", "'\u3000＠A1", "'\n=1", "Hòa"]
    assert [link_target(v) for v in ("https://stp.hoason.gov.vn/a b", "HTTP://X/", "//x/y", "/a", "http:x",
                                     "\x01javascript:x", "https://[::1")] == \
        ["https://stp.hoason.gov.vn/a b", "HTTP://X/", None, None, None, None, None]
