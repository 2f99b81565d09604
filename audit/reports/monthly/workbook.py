"""The monthly report as an XLSX workbook (pandas writes the tables through openpyxl; openpyxl
then gives them what an officer needs): typed cells, frozen headers, widths that fit Vietnamese
text, A4 landscape fitted to the page width, clickable evidence, and the title block. Every
cell is data (reports/cells.py): crawled text never becomes a formula or a link elsewhere than
http(s), and a control character in it never stops the report.

Sheets: "Tổng hợp" (one row per agency: the numbers and each item's share, to print on one
page wide), one per level (the items in words, linked to their evidence), "Theo nhóm"
(roll-ups), "Bằng chứng" (every finding), "Phương pháp". Every sheet prints A4 landscape, one
page wide, its header row repeated, the month and a provisional mark at the top of each page."""
from __future__ import annotations

from copy import copy
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from minhbach.audit.files import save_atomically
from minhbach.audit.reports.cells import link_target, seal, sheet_value
from minhbach.audit.reports.monthly.dates import month_name
from minhbach.audit.reports.monthly.layout import PRINT_COLUMNS, SUMMARY_COLUMNS, print_rows, summary_rows, title_lines
from minhbach.audit.reports.monthly.letterhead import Letterhead
from minhbach.audit.reports.sheets import HEADER_ROW, frame, print_header, shape, typeset
from minhbach.rules.levels import LEVELS

SHEET_FOR_LEVEL = {code: level.group_vi for code, level in LEVELS.items()}

EVIDENCE_COLUMNS = [("agency_code", "Mã", "text"), ("rule_code", "Mã tiêu chí", "text"),
                    ("rule_title", "Tiêu chí", "text"), ("family_vi", "Nhóm", "text"),
                    ("outcome_vi", "Kết quả", "text"), ("evidence_url", "Địa chỉ bằng chứng", "link"),
                    ("date", "Ngày", "date"), ("value", "Giá trị", "text"), ("note", "Ghi chú", "text"),
                    ("citation", "Căn cứ", "text")]


# Widths (by header) of the tables that must print one page wide on A4 landscape at a readable
# scale: about 150 units fill the width at 100 %.
PRINT_WIDTHS = {"STT": 4.5, "Mã": 11, "Cơ quan, đơn vị": 25, "Cấp": 9, "Xếp loại": 11}
PRINT_WIDTHS |= {header: 8.5 for _key, header, _kind in PRINT_COLUMNS[4:] if header not in PRINT_WIDTHS}
# The sheets per level: the items in words, each item's text a link to its first evidence (the
# "Bằng chứng" sheet has them all); the numbers are on the summary.
DETAIL_KEYS = ("stt", "agency_code", "agency_name", "item1", "item2", "item3", "item4", "item7", "score", "grade",
               "item9")
DETAIL_COLUMNS = [column for column in SUMMARY_COLUMNS if column[0] in DETAIL_KEYS]
LINKED_ITEMS = (1, 2, 3, 4, 7)
DETAIL_WIDTHS = {"STT": 4.5, "Mã": 11, "Cơ quan, đơn vị": 20, "Xếp loại": 10, "9. Nhận xét": 40,
                 "4. Số tin mời thầu trong tháng": 10, "9. Điểm chất lượng website": 9,
                 **{header: 26 for key, header, _kind in DETAIL_COLUMNS if key in ("item1", "item2", "item3", "item7")}}
EVIDENCE_WIDTHS = {"Mã": 11, "Mã tiêu chí": 8, "Tiêu chí": 28, "Nhóm": 16, "Kết quả": 12, "Địa chỉ bằng chứng": 30,
                   "Ngày": 11, "Giá trị": 16, "Ghi chú": 32, "Căn cứ": 18}


def _title(sheet: Worksheet, lines: tuple[str, ...], width: int) -> None:
    for row, (text, size) in enumerate(zip(lines, (11, 11, 13)), start=1):
        cell = sheet.cell(row=row, column=1, value=sheet_value(text))
        cell.font = Font(bold=True, size=size)
        cell.alignment = Alignment(horizontal="left" if row < 3 else "center")
        if row == 3:
            sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=max(width, 1))


def _table(writer, name: str, rows: list[dict], columns, lines: tuple[str, ...], freeze_column: int = 3,
           widths: dict | None = None) -> None:
    frame(rows, columns).to_excel(writer, sheet_name=name, startrow=HEADER_ROW - 1, index=False)
    sheet = writer.sheets[name]
    _title(sheet, lines, len(columns))
    shape(sheet, columns, len(rows), freeze_column=freeze_column, widths=widths)


def _link_items(sheet: Worksheet, agencies: list[dict]) -> None:
    """Each item's words open its first evidence page (http(s) only, reports/cells.py)."""
    columns = {key: n for n, (key, _header, _kind) in enumerate(DETAIL_COLUMNS, start=1)}
    for row, agency in enumerate(agencies, start=HEADER_ROW + 1):
        for number in LINKED_ITEMS:
            links = agency["items"][str(number)].get("links") or []
            target = link_target(links[0]) if links else None
            cell = sheet.cell(row=row, column=columns[f"item{number}"])
            if target and cell.value is not None:
                alignment = copy(cell.alignment)
                cell.hyperlink = target  # (openpyxl gives the cell the "Hyperlink" style: its wrapping goes)
                cell.font, cell.alignment = Font(color="0563C1", underline="single"), alignment


def _rollups(writer, content: dict, lines: tuple[str, ...]) -> None:
    grades = content["rubric"]["grades"]
    columns = ([("group", "Nhóm", "text"), ("agencies", "Số cơ quan", "int"), ("unknown", "Không xác định", "int")]
               + [(g, g, "int") for g in grades]
               + [("average", "Điểm trung bình", "number"), ("coverage", "Độ bao phủ", "percent"),
                  ("most_failed", "Tiêu chí chưa đạt nhiều nhất", "text")])
    name = "Theo nhóm"
    row = HEADER_ROW
    first = True
    for by, label in (("level", "Theo cấp"), ("parent", "Theo cơ quan cấp trên"), ("province", "Theo tỉnh")):
        data = [{**r, "coverage": r["coverage_pct"] / 100} for r in content["rollups"][by]]
        frame(data, columns).to_excel(writer, sheet_name=name, startrow=row, index=False)
        sheet = writer.sheets[name]
        sheet.cell(row=row, column=1, value=label).font = Font(bold=True, italic=True)
        shape(sheet, columns, len(data), header_row=row + 1, freeze_column=2)
        if first:
            _title(sheet, lines, len(columns))
            first = False
        row += len(data) + 3
    sheet.freeze_panes = None
    sheet.print_title_rows = None


def _method(writer, content: dict, lines: tuple[str, ...], report_meta: dict) -> None:
    rubric = content["rubric"]
    text = [("Lưu ý", rubric["warning"])] if rubric.get("warning") else []
    text += [
        ("Bộ tiêu chí", f"{rubric['title']} ({rubric['id']}, phiên bản {rubric['version']})"),
        ("Ngày đánh giá", datetime.fromisoformat(content["audit_date"]).strftime("%d/%m/%Y")),
        ("Lượt đánh giá / lượt thu thập", f"{content['audit']} / {content['crawl_run']}"),
        ("Phiên bản báo cáo", f"{report_meta['version']} – lập {report_meta['created']}"
                              + (f" – lý do: {report_meta['reason']}" if report_meta["reason"] else "")),
        ("Mã kiểm tra (SHA-256)", report_meta["sha256"]),
        ("Cách tính điểm", "Mỗi tiêu chí có trọng số; Đạt được đủ trọng số, Không đạt (một phần) được một nửa, "
                           "Không đạt được 0. Điểm = tổng điểm đạt / tổng trọng số các tiêu chí áp dụng × 100: "
                           "tiêu chí Cần xem lại hoặc Không đánh giá được (trang không đọc được) tính là chưa đạt, "
                           "nên ẩn trang không làm tăng điểm. \"Điểm cao nhất có thể\" là điểm nếu các tiêu chí đó "
                           "đều đạt; xếp hạng theo điểm (số thấp hơn)."),
        ("Xếp loại", ", ".join(rubric["grades"]) + "; chỉ xếp loại khi hai đầu khoảng điểm cùng một mức"
         f" hoặc độ bao phủ từ {rubric['grade_coverage']:.0%}."),
        ("Không xác định", "Trang web không truy cập được khi thu thập (lý do ghi kèm): không chấm điểm, "
                           "không tính là 0 điểm."),
        ("Thu thập chưa đầy đủ", "Lượt thu thập dừng trước khi đọc hết trang web (hết thời gian, lỗi máy chủ): "
                                 "các mục chưa đọc được ghi Cần xem lại, không tính là Không đạt."),
        ("Mục 5, 6, 8", "Số liệu do cơ quan cung cấp (minhbach monthly import-survey); "
                        "\"chưa có số liệu\" khi chưa nhập."),
        ("Căn cứ", "Kế hoạch nâng cao Chỉ số Tính minh bạch (phụ lục nội dung báo cáo hàng tháng); "
                   + "; ".join(rubric.get("legal_basis") or ["QĐ 26/2017/QĐ-UBND", "NĐ 43/2011/NĐ-CP",
                                                              "Luật Tiếp cận thông tin 2016"]) + "."),
    ] + [(f"Nhóm: {c['title']}", f"trọng số {c['weight']:g}: {', '.join(c['rules'])}") for c in rubric["categories"]]
    columns = [("a", "Nội dung", "text"), ("b", "Giải thích", "text")]
    frame([{"a": a, "b": b} for a, b in text], columns).to_excel(writer, sheet_name="Phương pháp",
                                                               startrow=HEADER_ROW - 1, index=False)
    sheet = writer.sheets["Phương pháp"]
    _title(sheet, lines, 2)
    # (the widths come from the headers, before the row heights are worked out from them)
    shape(sheet, columns, len(text), freeze_column=1)


def write_workbook(path: Path, content: dict, report_meta: dict, head: Letterhead) -> Path:
    lines = title_lines(content, head)
    if report_meta.get("provisional"):  # a month not over yet: its report says so on every sheet
        lines = (*lines[:2], f"{lines[2]} (BẢN TẠM THỜI)")
    def save(temporary: Path) -> None:
        with pd.ExcelWriter(temporary, engine="openpyxl") as writer:
            _table(writer, "Tổng hợp", print_rows(content), PRINT_COLUMNS, lines, freeze_column=4, widths=PRINT_WIDTHS)
            for level, name in SHEET_FOR_LEVEL.items():
                agencies = [a for a in content["agencies"] if a["level"] == level]
                if agencies:
                    _table(writer, name, summary_rows(content, agencies), DETAIL_COLUMNS, lines, freeze_column=4,
                           widths=DETAIL_WIDTHS)
                    _link_items(writer.sheets[name], agencies)
            _rollups(writer, content, lines)
            evidence = [{**f, "date": date.fromisoformat(f["date"]) if f["date"] else None}
                        for f in content["findings"]]
            _table(writer, "Bằng chứng", evidence, EVIDENCE_COLUMNS, lines, freeze_column=3, widths=EVIDENCE_WIDTHS)
            _method(writer, content, lines, report_meta)
            heading = f"Báo cáo {month_name(content['month'])} – {head.issuer}"
            if report_meta.get("provisional"):
                heading += f" – {report_meta['mark']} (số liệu đến ngày {report_meta['as_of']})"
            for sheet in writer.book.worksheets:
                print_header(sheet, heading)
            typeset(writer.book)
            created = datetime.fromisoformat(report_meta["created_iso"]).replace(tzinfo=None)
            props = writer.book.properties
            props.creator, props.title = "minhbach", sheet_value(lines[2])
            props.created = props.modified = created  # the same report, the same file metadata
            seal(writer.book)

    save_atomically(path, save)
    return path
