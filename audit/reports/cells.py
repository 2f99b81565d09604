"""Cells only ever read: what minhbach crawled from portals and read from the registry (titles,
footers, addresses, agency names, snippets), written into the files officers open in Excel,
LibreOffice or Word, as the text it is: never a formula, an error value or a link that runs
something, and never a character that stops the file being written.

Why: the text is hostile. openpyxl stores any string starting with "=" as a live formula (and
"#N/A" as an error value); Excel and LibreOffice evaluate a CSV field starting = + - @ (the DDE
payloads "=cmd|' /C calc'!A0", "+1+cmd|...", "@SUM(...)"), after spaces they skip, and
LibreOffice takes full-width signs for ASCII ones; a link cell can point anywhere; and one NUL
or BEL in a footer made openpyxl (IllegalCharacterError) or python-docx (lxml) fail the whole
monthly report. One reading, here, for every file:

- Text (`clean_text`): NFC (Vietnamese as officers type it), line breaks as "\\n", and none of
  the characters XML cannot hold (C0 controls but tab and line break, lone surrogates, U+FFFE,
  U+FFFF) nor DEL and the C1 controls: they are removed, never shown.
- Formula-like (`looks_like_formula`): the first character after any spaces, controls and
  invisible format characters is = + - @ or one that folds to it (＝ ＋ － ＠, the small forms), or
  the text starts with a tab; unless the text is a plain number ("-2.5", "+1.5", "-0,5").
- CSV and Word tables (`safe_cell`): formula-like text gets a leading apostrophe, the mark
  Excel itself puts before text that would otherwise be read as a formula; CSV fields holding
  a separator another reader may split at (";" where the list separator is ";", as in a
  Vietnamese Windows; a tab) are quoted, so no field can start inside another (`csv_line`).
- XLSX (`seal`): every string cell is stored as a string (never "f" or "e"), its text as it
  is; formula-like ones are also marked quote-prefixed and text-formatted, so that Excel keeps
  them text when an officer edits the cell.
- Links (`link_target`): only an absolute http(s) address, read as a browser reads it
  (`rules.links.clean_href`); anything else stays plain text.

A hotline written "+84 211 3861 234" (formula-like: Excel would read "=+84 211 3861 234") reads
exactly so in XLSX; in CSV it is "'+84 211 3861 234": a CSV cell has no type, and sparing phone
numbers would let "+84-211-3861-234" be computed as -4222. A "+" and eight digits or more is a
telephone number, not a quantity: text too ("+842113861234", not 8.42114E+11).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from minhbach.rules.links import clean_href
from minhbach.rules.text import nfc

if TYPE_CHECKING:  # openpyxl is an optional part (reports); CSV needs none of it
    from openpyxl.workbook import Workbook

_UNHOLDABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_TRIGGERS = frozenset("=+-@")
_SKIPPED = frozenset(("Cc", "Cf", "Zs", "Zl", "Zp"))  # controls, invisible format characters, spaces
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?%?", re.ASCII)
_PHONE = re.compile(r"\+\d{8,}", re.ASCII)
_SEPARATORS = re.compile(r'[",;\t\n]')
XLSX_LIMIT = 32767  # characters a cell holds (openpyxl cuts the rest)


def clean_text(value) -> str:
    """`value` as text a file can hold: NFC, "\\n" line breaks, no unholdable character."""
    text = nfc(str(value))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNHOLDABLE.sub("", text)


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet may read `text` (already clean) as a formula."""
    if text[:1] == "\t":
        return True
    first = next((c for c in text if not c.isspace() and unicodedata.category(c) not in _SKIPPED), "")
    if not first or unicodedata.normalize("NFKC", first)[:1] not in _TRIGGERS:
        return False
    return not _NUMBER.fullmatch(text) or bool(_PHONE.match(text))


def safe_cell(value) -> str:
    """A CSV field or a Word table cell: clean text, an apostrophe before formula-like text."""
    if value is None:
        return ""
    text = clean_text(value)
    return "'" + text if looks_like_formula(text) else text


def csv_line(values: Iterable, separator: str = ",", decimal_comma: bool = False) -> str:
    """One CSV record (without its line ending) of safe cells, quoted as the csv module does and
    also wherever another separator could split a field. With `decimal_comma`, a float is
    written 72,7 (what a spreadsheet set to Vietnamese reads as a number, with `;` between fields)."""
    fields = []
    for value in values:
        if decimal_comma and isinstance(value, float):
            value = str(value).replace(".", ",")
        text = safe_cell(value)
        fields.append('"' + text.replace('"', '""') + '"' if _SEPARATORS.search(text) else text)
    if fields == [""]:
        return '""'  # a record of one empty field, not an empty line
    return separator.join(fields)


def sheet_value(value):
    """A value for a sheet cell: text cleaned and cut to what a cell holds; numbers, dates and
    None as they are (their types and formats are the sheet's)."""
    if isinstance(value, str):
        return clean_text(value)[:XLSX_LIMIT]
    return value


def link_target(value) -> str | None:
    """The address a link cell may point to: absolute http(s), read as a browser reads it; else None."""
    if not isinstance(value, str):
        return None
    href = clean_href(clean_text(value))
    try:
        parts = urlsplit(href)
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    return href if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def seal(book: Workbook) -> None:
    """Every cell of `book` as data: strings stored as strings (formula-like ones kept text when
    edited), links only to http(s). Run last, on the whole book, before it is saved."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str):
                    if cell.data_type != "s":  # openpyxl's "f" (from "=...") or "e" (from "#N/A")
                        cell.data_type = "s"
                    if looks_like_formula(value):
                        cell.quotePrefix = True
                        cell.number_format = "@"
                link = cell.hyperlink
                if link is not None and (link.location or link_target(link.target) != link.target):
                    cell.hyperlink = None
