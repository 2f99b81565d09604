"""Documents of disclosure sections are read: their text is extracted once, when stored (PDF,
DOCX, XLSX); a scanned PDF is "image", never empty text taken as "nothing there"."""
import io
import sqlite3

from minhbach.audit.crawl.attachments import extract_text
from minhbach.audit.ops.demo.server import minimal_pdf, xlsx_bytes
from minhbach.rules.extract import find_dates, find_document_numbers
from tests.support.files import read_csv


def test_text_of_a_pdf_a_scan_a_docx_and_a_workbook():
    text, status = extract_text(minimal_pdf("Quyết định", ("So: 12/2026/QĐ-UBND", "Ngay ban hanh: 02/11/2026")), "pdf")
    assert status == "text" and find_document_numbers(text) == ["12/2026/QD-UBND"]
    assert [d.isoformat() for d in find_dates(text)] == ["2026-11-02"]
    assert extract_text(minimal_pdf("Quét", scanned=True), "pdf") == ("", "image")
    from docx import Document

    document = Document()
    document.add_paragraph("Số: 41/2026/QĐ-UBND, ngày 10 tháng 11 năm 2026")
    buffer = io.BytesIO()
    document.save(buffer)
    text, status = extract_text(buffer.getvalue(), "docx")
    assert status == "text" and "41/2026/QĐ-UBND" in text and find_dates(text)
    text, status = extract_text(xlsx_bytes("Biểu số 73 - Dự toán thu chi năm 2026"), "xlsx")
    assert status == "text" and "Biểu số 73" in text
    assert extract_text(b"%PDF-1.4 broken", "pdf")[1] == "unreadable"
    assert extract_text(b"\xd0\xcf\x11\xe0 old word", "doc") == ("", "unsupported")


def test_the_pdf_only_site_gets_its_document_numbers_and_dates_from_its_pdfs(demo_output):
    out, _ = demo_output
    rows = {(r["Mã cơ quan"], r["Mã tiêu chí"]): r for r in read_csv(out / "findings.csv")}
    legal = rows[("stp-hs", "LD01")]  # its documents section lists only "Tệp đính kèm 1, 2, ..."
    assert legal["Kết quả"] == "Đạt" and "đọc từ tệp" in legal["Ghi chú"]
    assert find_document_numbers(legal["Giá trị"]) and legal["Ngày"]
    assert legal["Địa chỉ bằng chứng"].endswith(".pdf")
    with sqlite3.connect(out / "minhbach.sqlite") as db:
        statuses = dict(db.execute("select text_status, count(*) from documents d join site_crawls s "
                                   "on s.id = d.site_crawl_id join agencies a on a.id = s.agency_id "
                                   "where a.code = 'stp-hs' group by 1").fetchall())
    assert statuses.get("text", 0) >= 3 and statuses.get("image") == 1  # its scanned PDF is known as one
