"""The monthly report as a Word document laid out like an official report: the header block
(issuer left, national motto right), the title, a summary paragraph, the summary table, and the
agencies that could not be audited with their reasons. Crawled and registry text is written
through reports/cells.py: no character Word's XML cannot hold (one would stop the report), and
in the table the same apostrophe as in the CSV before formula-like text, so that a cell copied
into a spreadsheet stays text."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from minhbach.audit.files import save_atomically
from minhbach.audit.reports.cells import clean_text, safe_cell
from minhbach.audit.reports.monthly.layout import province_of, title_lines

TABLE_COLUMNS = [("STT", 1.3), ("Cơ quan, đơn vị", 5.7), ("Cấp", 2.2), ("Điểm", 1.6), ("Xếp loại", 2.4),
                 ("Bao phủ", 1.7), ("Thay đổi", 1.7), ("Tin mời thầu trong tháng", 2.2), ("Ghi chú", 8.0)]


def _paragraph(doc, text: str, bold: bool = False, size: int = 13, align=WD_ALIGN_PARAGRAPH.JUSTIFY, italic=False):
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(clean_text(text))
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    paragraph.alignment = align
    return paragraph


def _header_block(doc, content: dict, issuer: str) -> None:
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    authority, office, _date_line = title_lines(content, issuer)
    for cell, lines in ((left, [(authority, False), (office, True), ("Số:      /BC-" + "".join(
            w[0] for w in office.split() if w[0].isalpha())[:6], False)]),
                        (right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True),
                                 (_place_and_date(content), False)])):
        cell.paragraphs[0].text = ""
        for n, (text, bold) in enumerate(lines):
            paragraph = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
            run = paragraph.add_run(clean_text(text))
            run.bold, run.font.size = bold, Pt(12)
            run.italic = n == 2 and cell is right
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _place_and_date(content: dict) -> str:
    year, month = map(int, content["month"].split("-"))
    next_month, next_year = (month + 1, year) if month < 12 else (1, year + 1)
    return f"{province_of(content)}, ngày      tháng {next_month} năm {next_year}"


def _summary(content: dict) -> str:
    agencies = content["agencies"]
    scored = [a for a in agencies if a["score"] is not None]
    counts: dict[str, int] = {}
    for a in scored:
        counts[a["grade"]] = counts.get(a["grade"], 0) + 1
    grades = ", ".join(f"{counts.get(g, 0)} {g}" for g in content["rubric"]["grades"])
    text = (f"Trong tháng {content['month'][5:]}/{content['month'][:4]}, hệ thống minhbach đã kiểm tra cổng/trang "
            f"thông tin điện tử của {len(agencies)} cơ quan, đơn vị (ngày đánh giá "
            f"{datetime.fromisoformat(content['audit_date']):%d/%m/%Y}). ")
    if scored:
        best = max(scored, key=lambda a: a["score"])
        worst = min(scored, key=lambda a: a["score"])
        average = sum(a["score"] for a in scored) / len(scored)
        text += (f"{len(scored)} trang được chấm điểm: {grades}; điểm trung bình {average:.1f}. Cao nhất: "
                 f"{best['agency_name']} ({best['score']:.1f} điểm); thấp nhất: {worst['agency_name']} "
                 f"({worst['score']:.1f} điểm). ")
    unknown = len(agencies) - len(scored)
    if unknown:
        text += f"{unknown} trang không truy cập được nên không chấm điểm (nêu ở mục III). "
    changed = [a for a in scored if a["change"]]
    if content.get("previous_audit") is None:
        text += "Chưa có kết quả tháng trước để so sánh."
    else:
        up = sum(1 for a in changed if a["change"] > 0)
        down = sum(1 for a in changed if a["change"] < 0)
        text += f"So với tháng trước: {up} đơn vị tăng điểm, {down} đơn vị giảm điểm."
    return text


def _count(value) -> str:
    return "chưa đọc được" if value is None else str(value)


def write_document(path: Path, content: dict, report_meta: dict, issuer: str) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin = section.bottom_margin = Cm(1.8)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(13)
    _header_block(doc, content, issuer)
    _paragraph(doc, "")
    _paragraph(doc, "BÁO CÁO", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, f"Kết quả thực hiện các nội dung về tính minh bạch và chất lượng cổng/trang thông tin điện tử "
                    f"tháng {content['month'][5:]}/{content['month'][:4]}", bold=True, size=13,
               align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "I. TÓM TẮT", bold=True)
    if content["rubric"].get("warning"):
        _paragraph(doc, content["rubric"]["warning"], bold=True, italic=True)
    _paragraph(doc, _summary(content))
    _paragraph(doc, "II. KẾT QUẢ THEO CƠ QUAN, ĐƠN VỊ", bold=True)
    table = doc.add_table(rows=1, cols=len(TABLE_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, (_header, width) in zip(table.columns, TABLE_COLUMNS):  # the grid is what Word and LibreOffice read
        column.width = Cm(width)
    for cell, (header, width) in zip(table.rows[0].cells, TABLE_COLUMNS):
        cell.text = ""
        run = cell.paragraphs[0].add_run(header)
        run.bold, run.font.size = True, Pt(11)
        cell.width = Cm(width)
    ordered = sorted(content["agencies"], key=lambda a: (a["score"] is None, -(a["score"] or 0), a["agency_code"]))
    for number, agency in enumerate(ordered, start=1):
        codes = [name.split()[0] for name in agency["items"]["9"].get("failed", [])]
        failed = f"Chưa đạt: {', '.join(codes)}" if codes else ""  # the titles are in the workbook
        partial = "Thu thập chưa đầy đủ. " if agency["partial"] else ""
        remark = agency["reason"] if agency["score"] is None else partial + failed
        values = [str(number), agency["agency_name"], agency["level_vi"],
                  f"{agency['score']:.1f}" if agency["score"] is not None else "–",
                  agency["grade"] if agency["score"] is not None else "Không xác định",
                  f"{agency['coverage']:.0%}" if agency["reachable"] else "–",
                  f"{agency['change']:+.1f}" if agency["change"] is not None else "",
                  _count(agency["items"]["4"].get("count")) if agency["reachable"] else "", remark]
        cells = table.add_row().cells
        for cell, value, (_header, width) in zip(cells, values, TABLE_COLUMNS):
            cell.text = ""
            cell.paragraphs[0].add_run(safe_cell(value)).font.size = Pt(10)
            cell.width = Cm(width)
    unreachable = [a for a in content["agencies"] if a["score"] is None]
    _paragraph(doc, "")
    _paragraph(doc, "III. CƠ QUAN, ĐƠN VỊ CHƯA ĐÁNH GIÁ ĐƯỢC", bold=True)
    if unreachable:
        for agency in unreachable:
            _paragraph(doc, f"- {agency['agency_name']} ({agency['portal_url']}): {agency['reason']}.")
    else:
        _paragraph(doc, "Không có.")
    _paragraph(doc, f"Báo cáo phiên bản {report_meta['version']}, lập ngày {report_meta['created']}; "
                    f"mã kiểm tra SHA-256 {report_meta['sha256'][:16]}…; "
                    "chi tiết và bằng chứng trong tệp XLSX kèm theo.",
               size=11, italic=True)
    return save_atomically(path, lambda temporary: doc.save(str(temporary)))
