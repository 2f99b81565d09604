"""Reading back what minhbach wrote, and checking that what came from a crawl stayed data: no
formula or error cell, no link elsewhere than http(s), no control character."""
import csv
import re
import unicodedata
import zipfile
from urllib.parse import urlsplit

from openpyxl import load_workbook


def read_csv(path):
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def reads_as_formula(text: str) -> bool:
    """What Excel or LibreOffice may take for a formula (said here apart from reports/cells.py)."""
    first = unicodedata.normalize("NFKC", text.lstrip(" \t\n\u00a0\u200b\u3000\ufeff")[:1])
    return first in ("=", "+", "-", "@") and not re.fullmatch(r"-?\d+(?:[.,]\d+)?", text)


def no_control(text: str) -> bool:
    return not any(unicodedata.category(c) == "Cc" and c not in "\t\n" for c in text)


def check_workbook(path) -> dict:
    """Every cell of every sheet: data, not a formula or an error; every link http(s).
    Returns {sheet: rows of cells}."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    book = load_workbook(path)
    sheets = {}
    for sheet in book.worksheets:
        rows = [list(row) for row in sheet.iter_rows()]
        for cell in (c for row in rows for c in row):
            assert cell.data_type not in ("f", "e"), (sheet.title, cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert no_control(cell.value), (sheet.title, cell.coordinate, cell.value)
                if reads_as_formula(cell.value):  # text, and text again when an officer edits it
                    assert cell.quotePrefix and cell.number_format == "@", (sheet.title, cell.coordinate)
            if cell.hyperlink is not None:
                assert urlsplit(cell.hyperlink.target).scheme in ("http", "https"), cell.hyperlink.target
        sheets[sheet.title] = rows
    return sheets


def check_csv(path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for value in row.values():
            assert no_control(value), value
            assert not reads_as_formula(value) or value.startswith("'"), value
    return rows
