"""Dates as a Vietnamese document writes them. Nghị định 30/2020/NĐ-CP (Phụ lục I, mục II.5)
writes the date of an administrative document in words, with a 0 before a day below 10 and
before the months 1 and 2 ("ngày 05 tháng 02 năm 2026", "ngày 03 tháng 12 năm 2026"), so that
nothing can be added to it by hand; tables write dd/mm/yyyy."""
from __future__ import annotations

from datetime import date


def document_date(day: date) -> str:
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def month_name(month: str) -> str:
    """"2026-11" as the report's title says it: "tháng 11/2026"."""
    year, number = month.split("-")
    return f"tháng {number}/{year}"
