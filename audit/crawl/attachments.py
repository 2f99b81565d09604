"""The text of a document read from a disclosure section (PDF, DOCX, XLSX), extracted once when
it is stored, so that rules can take document numbers, dates and budget form numbers from it.
A PDF made of scanned images has no text: it is marked "image" (an officer reads it), never
taken as empty."""
from __future__ import annotations

import io
import logging

from minhbach.rules.text import clean_space, nfc

MAX_TEXT = 200_000  # characters kept per document: numbers and dates are near the top

log = logging.getLogger("minhbach.attachments")


def extract_text(body: bytes, doc_type: str) -> tuple[str, str]:
    """(text, status): status "text", "image" (a PDF without a text layer), "unsupported" (old
    binary .doc/.xls, archives) or "unreadable" (a broken or encrypted file)."""
    kind = (doc_type or "").lower()
    try:
        if kind == "pdf" or body.startswith(b"%PDF"):
            text = _pdf(body)
            return (text, "text") if text.strip() else ("", "image")
        if kind == "docx":
            return _docx(body), "text"
        if kind == "xlsx":
            return _xlsx(body), "text"
    except Exception as error:  # noqa: BLE001 - any broken file is one document, not the crawl
        log.info("cannot read a %s document: %s", kind, error)
        return "", "unreadable"
    return "", "unsupported"


def _pdf(body: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    if reader.is_encrypted:
        reader.decrypt("")
    return _clean(" ".join(page.extract_text() or "" for page in reader.pages[:30]))


def _docx(body: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return _clean(" ".join(parts))


def _xlsx(body: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    parts = []
    for sheet in book.worksheets[:10]:
        for row in sheet.iter_rows(max_row=500, values_only=True):
            parts += [str(value) for value in row if value is not None]
    return _clean(" ".join(parts))


def _clean(text: str) -> str:
    return nfc(clean_space(text))[:MAX_TEXT]
