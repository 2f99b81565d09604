"""The monthly report as it prints: the DOCX laid out as a Vietnamese administrative document
(Nghị định 30/2020/NĐ-CP, Phụ lục I) and the workbook's sheets on A4, both read back from the
PDF LibreOffice makes of them (tests/support/office.py), as an officer's office suite shows them."""
import json
import re
import sqlite3
import statistics
from copy import deepcopy

import pytest
from docx import Document
from docx.shared import Pt
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.support.cli import run_cli
from tests.support.office import font_sizes, pages, to_pdf

MONTH = "2026-11"
NAME = "bao-cao-thang-2026-11"
DEMO_NAME = "bao-cao-thang-2026-11-tam-thoi"
pytestmark = pytest.mark.slow   # LibreOffice converts every file (make test-fast leaves it out)
RULE_CODE = re.compile(r"\b[A-Z]{2}\d{2}\b")
DATE_LINE = re.compile(r"Hòa Sơn, ngày \d{2} tháng (0[12]|[3-9]|1[012]) năm \d{4}")


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_demo_docx_is_an_administrative_document(demo_output, tmp_path):
    out, _ = demo_output
    path = out / f"{DEMO_NAME}.docx"
    document = Document(path)
    section = document.sections[0]
    def cm(*lengths):
        return tuple(round(length.cm, 1) for length in lengths)

    assert cm(section.page_width, section.page_height) == (21.0, 29.7)  # A4 portrait
    assert cm(section.left_margin, section.right_margin, section.top_margin) == (3.0, 1.5, 2.0)
    assert section.different_first_page_header_footer
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size == Pt(13)

    printed = pages(to_pdf(path, tmp_path))
    first, second = printed[0], printed[1]
    assert len(printed) >= 3
    # page 1 carries no number, page 2 its number at the top; a provisional report says so on both
    # (the page's header is the first text of a page)
    assert first.strip().splitlines()[0].strip() == "BẢN TẠM THỜI"
    assert second.strip().splitlines()[0].strip() == "2"
    assert "BẢN TẠM THỜI" in first and "BẢN TẠM THỜI" in second
    head = _flat(first)
    for text in ("UBND TỈNH HÒA SƠN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "/BC-SKHCN", "BÁO CÁO", "tháng 11/2026", "I. KẾT QUẢ CHUNG"):
        assert text in head, text
    assert DATE_LINE.search(head), head[:400]
    whole = _flat("\n".join(printed))
    body, annex = whole.split("PHỤ LỤC", 1)
    # the nine items in words, with decimal commas, and no rule code in the body
    assert "1.1. Tài liệu quy hoạch: Đã công khai 2/2 nội dung" in body
    assert "Chưa có số liệu khảo sát." in body and "xếp loại Khá" in body
    assert re.search(r"\d+,\d–\d+,\d", body) and not re.search(r"\d+\.\d–\d+\.\d", body)
    assert "IV. PHƯƠNG PHÁP ĐÁNH GIÁ" in body and "tính là chưa đạt" in body
    assert "Nơi nhận:" in body and "UBND tỉnh (để báo cáo)" in body and "PHÓ GIÁM ĐỐC" in body
    from minhbach.rules.registry import all_rules

    codes = set(all_rules())
    assert not [code for code in RULE_CODE.findall(body) if code in codes]
    assert any(code in codes for code in RULE_CODE.findall(annex))  # the codes are in the annex's table


def test_a_frozen_report_has_the_configured_letterhead_and_no_mark(demo_store, tmp_path, monkeypatch):
    config = tmp_path / "minhbach.toml"
    config.write_text('[report]\nissuer = "Sở Khoa học và Công nghệ"\nabbreviation = "KHCN"\n'
                      'place = "Hòa Sơn"\nrecipients = ["UBND tỉnh (để báo cáo)", "Lưu: VT, CĐS"]\n'
                      'signer_authority = ""\nsigner_title = "GIÁM ĐỐC"\nsigner_name = "Nguyễn Văn An"\n',
                      encoding="utf-8")
    monkeypatch.setenv("MINHBACH_CONFIG", str(config))
    result = run_cli("monthly", "--month", MONTH, "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    printed = pages(to_pdf(tmp_path / "out" / f"{NAME}.docx", tmp_path / "pdf"))
    whole = _flat("\n".join(printed))
    assert printed[0].strip().splitlines()[0].strip() == "UBND TỈNH HÒA SƠN"  # no number on page 1
    assert printed[1].strip().splitlines()[0].strip() == "2"
    assert "BẢN TẠM THỜI" not in whole
    assert "/BC-KHCN" in whole and "Nguyễn Văn An" in whole and "GIÁM ĐỐC" in whole
    assert "KT. GIÁM ĐỐC" not in whole and "- Lưu: VT, CĐS." in whole


def _summary_only(path, out):
    """The workbook with its summary sheet alone: what prints of it."""
    book = load_workbook(path)
    for name in book.sheetnames[1:]:
        del book[name]
    book.save(out)
    return out


def _a4_landscape(pdf) -> bool:
    box = PdfReader(str(pdf)).pages[0].mediabox
    return abs(float(box.width) - 842) < 3 and abs(float(box.height) - 595) < 3


def test_the_demo_summary_prints_on_a_page_or_two_at_a_readable_size(demo_output, tmp_path):
    out, _ = demo_output
    book = load_workbook(out / f"{DEMO_NAME}.xlsx")
    for sheet in book.worksheets:  # every sheet prints A4 landscape, one page wide, its header repeated
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
        assert "BẢN TẠM THỜI" in sheet.oddHeader.center.text and "tháng 11/2026" in sheet.oddHeader.center.text
    pdf = to_pdf(_summary_only(out / f"{DEMO_NAME}.xlsx", tmp_path / "tong-hop.xlsx"), tmp_path)
    assert len(pages(pdf)) <= 2 and _a4_landscape(pdf)
    assert statistics.median(font_sizes(pdf)) >= 8.5  # 11 pt cells, fitted at no less than ~80 %


def test_a_province_of_a_hundred_agencies_prints_at_seventy_percent_or_more(demo_store, tmp_path):
    from minhbach.audit.reports.monthly.letterhead import letterhead
    from minhbach.audit.reports.monthly.publish import provisional_meta
    from minhbach.audit.reports.monthly.workbook import write_workbook

    assert run_cli("monthly", "--month", MONTH, "--out", str(tmp_path / "out")).returncode == 0
    db = sqlite3.connect(demo_store / "minhbach.sqlite")
    content = json.loads(db.execute("select content from monthly_reports order by id desc").fetchone()[0])
    agencies = content["agencies"]
    content["agencies"] = []
    for n in range(100):
        agency = deepcopy(agencies[n % len(agencies)])
        agency["agency_code"] = f"{agency['agency_code']}-{n:03d}"
        agency["agency_name"] = f"{agency['agency_name']} (đơn vị {n + 1})"
        content["agencies"].append(agency)
    from datetime import date

    path = write_workbook(tmp_path / "tinh-lon.xlsx", content, provisional_meta(content, date(2026, 11, 21)),
                          letterhead(None, "Hòa Sơn"))
    pdf = to_pdf(_summary_only(path, tmp_path / "tong-hop.xlsx"), tmp_path)
    printed = pages(pdf)
    assert len(printed) >= 3 and _a4_landscape(pdf)
    assert "STT" in printed[1] and "Cơ quan, đơn vị" in printed[1]  # the header row repeats
    assert min(statistics.median(font_sizes(pdf, page)) for page in range(len(printed))) >= 0.7 * 11
