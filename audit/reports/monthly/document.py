"""The monthly report as an administrative document (Nghị định 30/2020/NĐ-CP on văn thư,
Phụ lục I): A4 portrait with that annex's margins, Times New Roman 13-14, the header block
(the body above and the issuer left with "Số: /BC-…", quốc hiệu and tiêu ngữ right with the
place and date), "BÁO CÁO" and its trích yếu, the body (the province's results and ranking, then
per agency the nine items of the plan's appendix in words, then the method), "Nơi nhận" and
the signer, page numbers centred at the top from page 2, and an annex with the rule codes.

Crawled and registry text is written through reports/cells.py: no character Word's XML cannot
hold (one would stop the report), and in tables the same apostrophe as in the CSV before
formula-like text, so that a cell copied into a spreadsheet stays text."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from minhbach.audit.files import save_atomically
from minhbach.audit.reports.cells import clean_text, safe_cell
from minhbach.audit.reports.monthly.dates import document_date, month_name, short_date
from minhbach.audit.reports.monthly.layout import province_of
from minhbach.audit.reports.monthly.letterhead import Letterhead, letterhead
from minhbach.audit.reports.monthly.wording import agency_items, sentence
from minhbach.audit.words.numbers import decimal, percent, score_range

CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT
BODY_PT = 13
# Phụ lục I, mục I.3: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGINS_CM = {"top_margin": 2.0, "bottom_margin": 2.0, "left_margin": 3.0, "right_margin": 1.5}
RANKING_COLUMNS = [("STT", 1.3), ("Cơ quan, đơn vị", 5.9), ("Cấp", 2.3), ("Điểm", 2.5), ("Bao phủ", 1.8),
                   ("Xếp loại", 2.7)]
ANNEX_COLUMNS = [("STT", 1.3), ("Cơ quan, đơn vị", 4.0), ("Mã tiêu chí", 1.8), ("Tiêu chí", 6.6), ("Kết quả", 2.8)]
SHOWN_IN_ANNEX = ("fail", "needs_review", "error")


# -- paragraphs and runs -----------------------------------------------------------------

def _paragraph(container, text: str = "", *, bold=False, italic=False, size=BODY_PT, align=JUSTIFY,
               indent=False, after=6.0):
    paragraph = container.add_paragraph()
    if text:
        _run(paragraph, text, bold=bold, italic=italic, size=size)
    paragraph.alignment = align
    form = paragraph.paragraph_format
    form.space_before, form.space_after = Pt(0), Pt(after)
    if indent:
        form.first_line_indent = Cm(1.0)
    return paragraph


def _run(paragraph, text: str, *, bold=False, italic=False, size=BODY_PT):
    run = paragraph.add_run(clean_text(text))
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return run


def _first(cell, **kwargs):
    """A table cell's own first paragraph, used rather than adding one below it."""
    paragraph = cell.paragraphs[0]
    text = kwargs.pop("text", "")
    if text:
        _run(paragraph, text, **kwargs)
    paragraph.alignment = CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    return paragraph


def _short_rule(cell, width_cm: float) -> None:
    """The short line under the issuer and under the tiêu ngữ: a bordered empty paragraph,
    indented to the line's width, centred in the cell."""
    paragraph = cell.add_paragraph()
    side = max(0.0, (cell.width.cm if cell.width else 8.0) - width_cm) / 2
    form = paragraph.paragraph_format
    form.left_indent = form.right_indent = Cm(side)
    form.space_after, form.line_spacing = Pt(4), Pt(2)
    _underline(paragraph)


def _underline(paragraph) -> None:
    """A thin line under the paragraph (its bottom border): the lines of the header and title."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _page_field(paragraph) -> None:
    """Word's PAGE field: the reader's program puts the page's number there."""
    run = paragraph.add_run()
    run.font.size = Pt(BODY_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _grid(doc, columns, rows: list[list[str]], size=11, left=(1,)):
    """A bordered table, its header row repeated on every page; columns in `left` (names,
    titles) aligned left, the others centred."""
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, (_header, width) in zip(table.columns, columns):  # the grid is what Word and LibreOffice read
        column.width = Cm(width)
    header = table.rows[0]
    _repeat_header(header)
    for cell, (title, width) in zip(header.cells, columns):
        cell.width = Cm(width)
        _first(cell, text=title, bold=True, size=size)
    for values in rows:
        cells = table.add_row().cells
        for n, (cell, value, (_title, width)) in enumerate(zip(cells, values, columns)):
            cell.width = Cm(width)
            paragraph = _first(cell, text=safe_cell(value), size=size)
            paragraph.alignment = LEFT if n in left else CENTER
    return table


def _repeat_header(row) -> None:
    """A table that runs onto the next page repeats its header row there."""
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


# -- the parts of the document ----------------------------------------------------------

def _page(doc, mark: str) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side, value in MARGINS_CM.items():
        setattr(section, side, Cm(value))
    section.header_distance = section.footer_distance = Cm(1.0)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(BODY_PT)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    # Phụ lục I, mục II.9: the page number from page 2, centred at the top; the first page has none.
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = CENTER
    _page_field(header)
    if mark:  # a provisional report says so at the top of every page
        for part in (section.header, section.first_page_header):
            paragraph = part.add_paragraph() if part is section.header else part.paragraphs[0]
            paragraph.alignment = CENTER
            _run(paragraph, mark, bold=True, size=11)


def _header_block(doc, head: Letterhead, day: str) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.autofit = False
    left, right = table.rows[0].cells
    # (the header runs 0.5 cm into the left margin, as issued documents do, so that the national
    # title and the issuer each hold on one line)
    for column, cell, width in zip(table.columns, (left, right), (7.2, 9.8)):
        column.width = cell.width = Cm(width)
    indent = OxmlElement("w:tblInd")
    indent.set(qn("w:w"), str(int(-0.5 * 567)))
    indent.set(qn("w:type"), "dxa")
    table._tbl.tblPr.append(indent)
    _first(left, text=head.superior.upper(), size=12)
    _run(left.add_paragraph(), head.issuer.upper(), bold=True, size=12)
    left.paragraphs[1].alignment = CENTER
    left.paragraphs[1].paragraph_format.space_after = Pt(0)
    _short_rule(left, 2.2)
    number = left.add_paragraph()
    number.alignment = CENTER
    _run(number, head.number, size=13)
    _first(right, text="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    motto = right.add_paragraph()
    motto.alignment = CENTER
    motto.paragraph_format.space_after = Pt(0)
    _run(motto, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13)
    _short_rule(right, 5.6)
    place = right.add_paragraph()
    place.alignment = CENTER
    _run(place, f"{head.place}, {day}" if head.place else day[:1].upper() + day[1:], italic=True, size=14)


def _title(doc, content: dict, meta: dict) -> None:
    _paragraph(doc, "", after=6)
    _paragraph(doc, "BÁO CÁO", bold=True, size=14, align=CENTER, after=0)
    _paragraph(doc, "Kết quả kiểm tra việc công khai thông tin trên cổng/trang thông tin điện tử",
               bold=True, size=14, align=CENTER, after=0)
    _paragraph(doc, f"của các cơ quan, đơn vị {month_name(content['month'])}", bold=True, size=14,
               align=CENTER, after=0)
    if meta.get("provisional"):
        _paragraph(doc, f"({meta['mark']}: số liệu đến ngày {meta['as_of']}; tháng kết thúc ngày "
                        f"{meta['closes']}; chưa dùng để ký gửi)", bold=True, italic=True, size=13, align=CENTER,
                   after=0)
    rule = doc.add_paragraph()
    rule.paragraph_format.left_indent = rule.paragraph_format.right_indent = Cm(6.0)
    rule.paragraph_format.space_after = Pt(12)
    _underline(rule)


def ranked(content: dict) -> list[dict]:
    """The agencies in the order of the province's ranking: by the lower end of the score, the
    agencies not scored last (the rank never rewards what the crawl did not see)."""
    return sorted(content["agencies"], key=lambda a: (a["score"] is None, -(a["score"] or 0), a["agency_code"]))


def _grade_cell(agency: dict) -> str:
    if agency["score"] is None:
        return "Không xác định"
    return agency["grade"] or "Chưa xếp loại"


def summary_sentences(content: dict) -> list[str]:
    agencies = content["agencies"]
    scored = [a for a in agencies if a["score"] is not None]
    said = [f"Trong {month_name(content['month'])}, đã kiểm tra cổng/trang thông tin điện tử của "
            f"{len(agencies)} cơ quan, đơn vị; {len(scored)} trang được chấm điểm."]
    if scored:
        counts = {g: sum(1 for a in scored if a["grade"] == g) for g in content["rubric"]["grades"]}
        graded = ", ".join(f"{n} {g}" for g, n in counts.items() if n) or "không có đơn vị nào được xếp loại"
        ungraded = sum(1 for a in scored if a["grade"] not in counts)
        said.append(f"Kết quả xếp loại: {graded}" + (f"; {ungraded} đơn vị chưa đủ dữ liệu để xếp loại" if ungraded
                                                    else "") + ".")
        average = sum(a["score"] for a in scored) / len(scored)
        best, worst = ranked({"agencies": scored})[0], ranked({"agencies": scored})[-1]
        said.append(f"Điểm trung bình {decimal(average, 1, 'vi')}/100; cao nhất {best['agency_name']} "
                    f"({score_range(best['score'], best.get('score_high'), 'vi')} điểm), thấp nhất "
                    f"{worst['agency_name']} ({score_range(worst['score'], worst.get('score_high'), 'vi')} điểm).")
    unknown = len(agencies) - len(scored)
    if unknown:
        said.append(f"{unknown} cơ quan, đơn vị chưa đánh giá được (nêu tại mục III), không tính là 0 điểm.")
    if content.get("previous_audit") is None:
        said.append("Chưa có kết quả tháng trước để so sánh.")
    else:
        up = sum(1 for a in scored if (a["change"] or 0) > 0)
        down = sum(1 for a in scored if (a["change"] or 0) < 0)
        said.append(f"So với tháng trước: {up} đơn vị tăng điểm, {down} đơn vị giảm điểm.")
    return said


def _ranking(doc, content: dict) -> None:
    rows = []
    for number, agency in enumerate(ranked(content), start=1):
        scored = agency["score"] is not None
        rows.append([str(number), agency["agency_name"], agency["level_vi"],
                     score_range(agency["score"], agency.get("score_high"), "vi") if scored else "–",
                     percent(agency["coverage"], "vi") if scored else "–", _grade_cell(agency)])
    _grid(doc, RANKING_COLUMNS, rows, size=12)
    _paragraph(doc, "Điểm ghi thành khoảng khi còn nội dung chưa kiểm tra được: số đầu là điểm tính các nội dung "
                    "đó là chưa đạt (dùng để xếp hạng), số sau là điểm cao nhất có thể.", italic=True, size=12,
               after=6).paragraph_format.space_before = Pt(4)


def _agencies(doc, content: dict) -> None:
    for number, agency in enumerate(ranked(content), start=1):
        heading = _paragraph(doc, f"{number}. {agency['agency_name']}", bold=True, indent=True, after=3)
        heading.paragraph_format.keep_with_next = True
        where = agency["portal_url"]
        day = f"; kiểm tra ngày {short_date_iso(agency['audit_date'])}" if agency.get("audit_date") else ""
        _paragraph(doc, f"Địa chỉ: {where}{day}.", italic=True, indent=True, size=12, after=3)
        for key, (title, text) in enumerate(agency_items(agency), start=1):
            paragraph = _paragraph(doc, indent=True, after=3)
            _run(paragraph, f"{number}.{key}. {title}: ", bold=True)
            _run(paragraph, text)


def short_date_iso(iso: str) -> str:
    return short_date(date.fromisoformat(iso))


def _unaudited(doc, content: dict) -> None:
    missing = [a for a in ranked(content) if a["score"] is None]
    if not missing:
        _paragraph(doc, "Tất cả cơ quan, đơn vị đều được đánh giá.", indent=True)
    for agency in missing:
        _paragraph(doc, f"- {agency['agency_name']} ({agency['portal_url']}): {agency['reason']}.", indent=True)


def method_sentences(content: dict) -> list[str]:
    rubric = content["rubric"]
    dates = ", ".join(short_date_iso(d) for d in content.get("audit_dates", [content["audit_date"]]))
    basis = "; ".join(rubric.get("legal_basis") or [])
    return [
        f"Các cổng/trang thông tin điện tử được kiểm tra tự động theo bộ tiêu chí {rubric['title']} "
        f"(phiên bản {rubric['version']})" + (f", căn cứ {basis}" if basis else "") + f"; ngày kiểm tra: {dates}. "
        "Mỗi nội dung được ghi địa chỉ trang làm bằng chứng (chi tiết trong tệp XLSX kèm theo).",
        "Điểm của một đơn vị là tổng số điểm các nội dung đạt chia cho tổng số điểm các nội dung áp dụng, nhân "
        "100; nội dung chưa kiểm tra được (trang không đọc được, cần cán bộ xem lại) tính là chưa đạt, nên việc "
        "ẩn trang không làm tăng điểm; điểm cao nhất có thể ghi kèm khi có nội dung như vậy.",
        f"Chỉ xếp loại khi hai đầu khoảng điểm cùng một mức hoặc đã kiểm tra được từ "
        f"{percent(rubric.get('grade_coverage', 0.9), 'vi')} số điểm áp dụng trở lên; trang không truy cập được "
        "không chấm điểm và không tính là 0 điểm. Các mục 5, 6 và 8 là số liệu do cơ quan, đơn vị cung cấp.",
    ]


def _signature(doc, head: Letterhead) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.autofit = False
    left, right = table.rows[0].cells
    for column, cell, width in zip(table.columns, (left, right), (8.0, 8.5)):
        column.width = cell.width = Cm(width)
    received = left.paragraphs[0]
    _run(received, "Nơi nhận:", bold=True, italic=True, size=12)
    received.paragraph_format.space_after = Pt(0)
    for n, name in enumerate(head.recipients):
        line = left.add_paragraph()
        line.paragraph_format.space_after = Pt(0)
        _run(line, f"- {name}{'.' if n == len(head.recipients) - 1 else ';'}", size=11)
    lines = [head.signer_authority, head.signer_title] if head.signer_authority else [head.signer_title]
    for n, text in enumerate(lines):
        paragraph = _first(right, text=text, bold=True, size=13) if n == 0 else right.add_paragraph()
        if n:
            paragraph.alignment = CENTER
            paragraph.paragraph_format.space_after = Pt(0)
            _run(paragraph, text, bold=True, size=13)
    space = right.add_paragraph()
    space.paragraph_format.space_after = Pt(0)
    space.add_run().add_break()
    space.add_run().add_break()
    space.add_run().add_break()
    name = right.add_paragraph()
    name.alignment = CENTER
    _run(name, head.signer_name or "", bold=True, size=13)


def _annex(doc, content: dict, head: Letterhead, day: str, meta: dict) -> None:
    _paragraph(doc, "PHỤ LỤC", bold=True, size=14, align=CENTER, after=0).paragraph_format.page_break_before = True
    _paragraph(doc, "CÁC TIÊU CHÍ CHƯA ĐẠT HOẶC CHƯA KIỂM TRA ĐƯỢC", bold=True, size=13, align=CENTER, after=0)
    _paragraph(doc, f"(Kèm theo Báo cáo số      /BC-{head.abbreviation} {day} của {head.issuer})",
               italic=True, size=13, align=CENTER, after=12)
    names = {a["agency_code"]: a["agency_name"] for a in content["agencies"]}
    order = {a["agency_code"]: n for n, a in enumerate(ranked(content))}
    shown = [f for f in content["findings"] if f.get("outcome", _outcome_of(f)) in SHOWN_IN_ANNEX]
    shown.sort(key=lambda f: (order.get(f["agency_code"], 0), f["rule_code"]))
    rows = [[str(n), names.get(f["agency_code"], f["agency_code"]), f["rule_code"], f["rule_title"], f["outcome_vi"]]
            for n, f in enumerate(shown, start=1)]
    if rows:
        table = _grid(doc, ANNEX_COLUMNS, rows, size=11, left=(1, 3))
        _merge_runs(table, column=1)
    else:
        _paragraph(doc, "Không có tiêu chí nào chưa đạt.", align=CENTER)
    version = meta["version"]
    _paragraph(doc, f"Phiên bản báo cáo: {version}; lập lúc {meta['created']}; mã kiểm tra SHA-256 "
                    f"{meta['sha256'][:16]}…", italic=True, size=11, after=0).paragraph_format.space_before = Pt(8)


def _merge_runs(table, column: int) -> None:
    """One cell for the rows of a column that say the same (an agency's name over its rules)."""
    rows = table.rows[1:]
    start = 0
    for n in range(1, len(rows) + 1):
        if n == len(rows) or rows[n].cells[column].text != rows[start].cells[column].text:
            if n - start > 1:
                top = rows[start].cells[column]
                for row in rows[start + 1:n]:
                    row.cells[column].paragraphs[0].clear()
                merged = top.merge(rows[n - 1].cells[column])
                for paragraph in merged.paragraphs[1:]:
                    paragraph._p.getparent().remove(paragraph._p)
            start = n


def _outcome_of(finding: dict) -> str:
    """The outcome of a finding frozen before the code was stored with it, from its label."""
    label = finding.get("outcome_vi", "")
    return "pass" if label == "Đạt" else "not_applicable" if label == "Không áp dụng" else "fail"


def write_document(path: Path, content: dict, report_meta: dict, letter: Letterhead | None = None) -> Path:
    head = letter or letterhead(None, province_of(content))
    day = document_date(head.day(report_meta["created_iso"]))
    doc = Document()
    _page(doc, report_meta.get("mark", "") if report_meta.get("provisional") else "")
    _header_block(doc, head, day)
    _title(doc, content, report_meta)
    if content["rubric"].get("warning"):
        _paragraph(doc, content["rubric"]["warning"], bold=True, italic=True, indent=True)
    _paragraph(doc, f"Thực hiện Kế hoạch nâng cao Chỉ số Tính minh bạch và Tiếp cận thông tin của tỉnh, "
                    f"{head.issuer} báo cáo kết quả kiểm tra việc công khai thông tin trên cổng/trang thông tin "
                    f"điện tử của các cơ quan, đơn vị {month_name(content['month'])} như sau:", indent=True)
    _paragraph(doc, "I. KẾT QUẢ CHUNG", bold=True, indent=True)
    for text in summary_sentences(content):
        _paragraph(doc, text, indent=True)
    ranking = _paragraph(doc, "Xếp hạng các cơ quan, đơn vị theo điểm:", indent=True, after=4)
    ranking.paragraph_format.keep_with_next = True
    _ranking(doc, content)
    _paragraph(doc, "II. KẾT QUẢ CỦA TỪNG CƠ QUAN, ĐƠN VỊ", bold=True, indent=True)
    _agencies(doc, content)
    _paragraph(doc, "III. CƠ QUAN, ĐƠN VỊ CHƯA ĐÁNH GIÁ ĐƯỢC", bold=True, indent=True)
    _unaudited(doc, content)
    _paragraph(doc, "IV. PHƯƠNG PHÁP ĐÁNH GIÁ", bold=True, indent=True)
    for text in method_sentences(content):
        _paragraph(doc, text, indent=True)
    _paragraph(doc, sentence(f"trên đây là báo cáo kết quả {month_name(content['month'])} của {head.issuer}")
               .rstrip(".") + "./.", indent=True, after=12).paragraph_format.keep_with_next = True
    _signature(doc, head)
    _annex(doc, content, head, day, report_meta)
    return save_atomically(path, lambda temporary: doc.save(str(temporary)))
