"""Tables in XLSX sheets as people read them: typed cells (numbers, percentages, real dates
shown dd/mm/yyyy; codes and phone numbers as text), a styled header, widths that fit Vietnamese
text, rows as tall as their wrapped text, frozen panes, clickable links, A4 landscape fitted to
the page width. Columns are (key, header, kind) with kind one of text, int, number, percent,
signed, date, link. What goes in a cell is data, never a formula or a link elsewhere than
http(s) (reports/cells.py: `frame` cleans the text, `seal` the finished workbook)."""
from __future__ import annotations

from copy import copy
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from minhbach.audit.files import save_atomically
from minhbach.audit.reports.cells import link_target, seal, sheet_value

HEADER_ROW = 5  # rows 1-3: title block, 4: blank
# One form for each kind in every file: a score with one decimal, a share as a percentage with
# one decimal (97.1 %, shown with the reader's decimal sign by the spreadsheet).
FORMATS = {"int": "0", "number": "0.0", "percent": "0.0%", "signed": "+0.0;-0.0;0.0", "date": "DD/MM/YYYY"}
WIDTHS = {"text": 24, "int": 9, "number": 10, "percent": 10, "signed": 11, "date": 12, "link": 30}
LINE_HEIGHT = 13.5  # points per line of 10-11 pt text
NARROW_TEXT = {"Mã": 13, "STT": 5, "Cấp": 10, "Xếp loại": 14, "Mã tiêu chí": 9, "Kết quả": 14,
               "9. Nhận xét": 48, "Ghi chú": 40, "Tiêu chí": 32, "Nội dung": 30, "Giải thích": 110}
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
# The typeface of Vietnamese administrative papers, on every office laptop (LibreOffice prints
# it with Liberation Serif, of the same widths): what fits the page here fits it there.
TYPEFACE = "Times New Roman"
BODY_SIZE = 11
THIN = Side(style="thin", color="999999")
def frame(rows: list[dict], columns) -> pd.DataFrame:
    frame = pd.DataFrame([[sheet_value(row.get(key)) for key, _, _ in columns] for row in rows],
                         columns=[sheet_value(header) for _, header, _ in columns], dtype=object)
    return frame.where(frame.notna(), None)


def shape(sheet: Worksheet, columns, n_rows: int, header_row: int = HEADER_ROW, freeze_column: int = 3,
          widths: dict[str, float] | None = None) -> None:
    """Header style, typed cell formats, widths (`widths` by header, for a table that must
    print narrow), wrapping, borders, frozen panes, print set-up."""
    for index, (_key, header, kind) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=header_row, column=index)
        head.font, head.fill = Font(bold=True), HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        head.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
        sheet.column_dimensions[letter].width = (widths or {}).get(header) or NARROW_TEXT.get(header, WIDTHS[kind])
        for row in range(header_row + 1, header_row + 1 + n_rows):
            cell = sheet.cell(row=row, column=index)
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
            if kind in FORMATS and isinstance(cell.value, (int, float, date)):
                cell.number_format = FORMATS[kind]
                cell.alignment = Alignment(vertical="top", horizontal="right")
            else:
                cell.number_format = "@"  # codes and phone numbers stay text
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            target = link_target(cell.value) if kind == "link" else None
            if target:  # an address that is not http(s) stays plain text
                alignment = copy(cell.alignment)
                cell.hyperlink = target  # (openpyxl gives the cell the "Hyperlink" style: its wrapping goes)
                cell.font, cell.alignment = Font(color="0563C1", underline="single"), alignment
    sheet.row_dimensions[header_row].height = 62
    # Spreadsheets do not grow a row to its wrapped text when they open a file: each row gets
    # the height its longest cell needs at its column's width.
    for row in range(header_row + 1, header_row + 1 + n_rows):
        lines = 1
        for index in range(1, len(columns) + 1):
            value = sheet.cell(row=row, column=index).value
            if isinstance(value, str) and value:
                width = sheet.column_dimensions[get_column_letter(index)].width or 10
                lines = max(lines, sum(1 + len(part) // max(1, int(width * 1.05)) for part in value.split("\n")))
        sheet.row_dimensions[row].height = LINE_HEIGHT * lines + 2
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=freeze_column)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    setup = sheet.page_setup
    setup.orientation, setup.paperSize = "landscape", sheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.25
    sheet.print_options.horizontalCentered = True


def typeset(book) -> None:
    """Every cell, and the cells' default style, in TYPEFACE (bold, size and colour kept)."""
    for style in book._named_styles:  # the default ("Normal") style fills the cells never written
        if style.name == "Normal":
            style.font = Font(name=TYPEFACE, size=BODY_SIZE)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.font.name != TYPEFACE:
                    font = copy(cell.font)
                    font.name = TYPEFACE
                    cell.font = font


def print_header(sheet: Worksheet, title: str) -> None:
    """What every printed page says at its top (the report and its month, a provisional mark)
    and its bottom (the page of how many)."""
    for header in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader):
        header.center.text = title.replace("&", "&&")  # "&" starts a code in a header
        header.center.size = 9
    for footer in (sheet.oddFooter, sheet.evenFooter, sheet.firstFooter):
        footer.center.text = "Trang &P/&N"
        footer.center.size = 9


def write_table(path: Path, sheet_name: str, columns, rows: list[dict]) -> Path:
    """One table in one sheet (the header on row 1), written whole or not at all."""
    def save(temporary: Path) -> None:
        with pd.ExcelWriter(temporary, engine="openpyxl") as writer:
            frame(rows, columns).to_excel(writer, sheet_name=sheet_name, index=False)
            shape(writer.sheets[sheet_name], columns, len(rows), header_row=1, freeze_column=3)
            typeset(writer.book)
            seal(writer.book)

    return save_atomically(path, save)
