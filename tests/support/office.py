"""The report files as an officer's office suite shows and prints them: LibreOffice headless
converts them to PDF (its own profile, so that tests may run side by side), poppler reads the
pages back. Absent tools skip the test, except under CI=true where they are installed."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        if os.environ.get("CI") == "true":
            raise AssertionError(f"{name} is missing under CI=true: .ci/run installs it")
        pytest.skip(f"{name} is not installed (Debian: libreoffice-writer-nogui libreoffice-calc-nogui "
                    "poppler-utils)")
    return found


def convert(path: Path, out_dir: Path, to: str = "pdf", infilter: str | None = None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = (out_dir / "lo-profile").resolve().as_uri()
    command = [_tool("soffice"), f"-env:UserInstallation={profile}", "--headless"]
    if infilter:
        command.append(f"--infilter={infilter}")
    subprocess.run([*command, "--convert-to", to, "--outdir", str(out_dir), str(path)], check=True,
                   capture_output=True, timeout=240)
    made = out_dir / f"{path.stem}.{to}"
    assert made.exists(), f"LibreOffice wrote no {to} for {path.name}"
    return made


def to_pdf(path: Path, out_dir: Path) -> Path:
    return convert(path, out_dir, "pdf")


# LibreOffice's CSV import: separator, quote, UTF-8 (76), from line 1, standard columns, the
# locale that reads the numbers (1066 vi-VN, 1033 en-US).
VI_VN, EN_US = 1066, 1033


def open_csv(path: Path, out_dir: Path, separator: str, locale: int):
    """A CSV file as a spreadsheet set to `locale` opens it: its cells, typed (openpyxl rows)."""
    from openpyxl import load_workbook

    book = convert(path, out_dir, "xlsx", f"CSV Text - txt - csv (StarCalc):{ord(separator)},34,76,1,,{locale}")
    return [list(row) for row in load_workbook(book).active.iter_rows(values_only=True)]


def pages(pdf: Path) -> list[str]:
    """The text of each page, in reading order."""
    text = subprocess.run([_tool("pdftotext"), str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def font_sizes(pdf: Path, page: int = 0) -> list[float]:
    """The size at which each piece of text of a page prints, in points (its font size times
    the scale the page was fitted at)."""
    from pypdf import PdfReader

    sizes: list[float] = []

    def visit(text, cm, tm, _font, size):
        if text.strip():
            sizes.append(round(abs(size * tm[3] * cm[3]), 2))

    PdfReader(str(pdf)).pages[page].extract_text(visitor_text=visit)
    return sizes


def png(pdf: Path, out: Path, first: int = 1, last: int = 1, dpi: int = 80) -> list[Path]:
    subprocess.run([_tool("pdftoppm"), "-png", "-r", str(dpi), "-f", str(first), "-l", str(last), str(pdf),
                    str(out)], check=True, capture_output=True)
    return sorted(out.parent.glob(out.name + "*.png"))
