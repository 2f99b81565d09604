"""Finding values in Vietnamese text: dates, phone numbers, emails, document numbers.

Every function takes NFC text and returns what it found, in order of appearance.
"""
from __future__ import annotations

import re
from datetime import date

import phonenumbers

from minhbach.rules.text import clean_space, fold

# No look-behind for "not after a digit" in the patterns (it stops the regex engine from
# skipping ahead to the next digit); `find_dates` checks the character before instead.
_DATE_NUMERIC = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:,\s*|\s+)năm\s+(\d{4})", re.I)
_DATE_SHORT_WORDS = re.compile(r"(\d{1,2})\s+tháng\s+(\d{1,2})\s*,\s*(\d{4})", re.I)
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]+\s*(?:@|\[at\]|\(at\)|\(a\)|\[a\])\s*[A-Za-z0-9-]+(?:\s*(?:\.|\[dot\]|\(dot\))\s*[A-Za-z0-9-]+)+",
    re.I,
)
# number / [year /] type [-issuer...]; the type may carry a term number (QH15); Đ may be
# typed as Đ (U+0110), Ð (U+00D0) or a plain D.
_DOCUMENT_NUMBER = re.compile(
    r"(?<![\w/])(\d{1,5})/(?:(\d{4})/)?"
    r"((?:[A-ZĐÐƯ]{1,10}\d{0,2}|[A-Z]{1,2}[a-z]{1,3})(?:-[A-Z0-9ĐÐƯ]{1,12})*)(?![\w-])"
)


def _safe_date(day: str, month: str, year: str) -> date | None:
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:  # e.g. the real "16/72/2020" typo
        return None
    return value if 1945 <= value.year <= 2100 else None


def find_dates(text: str) -> list[date]:
    """`17/8/2017`, `17-08-2017`, `17.08.2017`, `ngày 17 tháng 8 năm 2017`, `4 tháng 11, 2024`."""
    return [value for _, value in find_dates_at(text)]


def find_dates_at(text: str) -> list[tuple[int, date]]:
    """The dates of `find_dates` with where each starts in the text, in order."""
    found: list[tuple[int, date]] = []
    for pattern in (_DATE_NUMERIC, _DATE_WORDS, _DATE_SHORT_WORDS):
        for match in pattern.finditer(text):
            start = match.start()
            if start and text[start - 1].isdigit() and pattern is not _DATE_WORDS:
                continue
            value = _safe_date(*match.groups())
            if value:
                found.append((match.start(), value))
    return sorted(found, key=lambda f: f[0])


def find_phones(text: str) -> list[str]:
    """Vietnamese numbers in E.164 (+84...), however they are spaced or punctuated:
    `(0211) 3862 629`, `0211.3843403`, `ĐT: (0211) 3.862.480`, `0889.556.655`, `1900 9268`."""
    matches = phonenumbers.PhoneNumberMatcher(text, "VN", leniency=phonenumbers.Leniency.POSSIBLE)
    return _unique(phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164) for m in matches)


def find_emails(text: str) -> list[str]:
    """Emails, also written `ten[at]hoason.gov.vn` or `ten (a) hoason . gov . vn`."""
    return _unique(_clean_email(match.group(0)) for match in _EMAIL.finditer(text))


def _clean_email(raw: str) -> str:
    value = re.sub(r"\s+", "", raw)
    value = re.sub(r"\[at\]|\(at\)|\(a\)|\[a\]", "@", value, flags=re.I)
    return re.sub(r"\[dot\]|\(dot\)", ".", value, flags=re.I).lower()


def find_document_numbers(text: str) -> list[str]:
    """`26/2017/QĐ-UBND`, `1703/QĐ-UBND`, `42/2022/NĐ-CP`, `33/TTr-STTTT`, with Đ, Ð or D."""
    # Without a year or an issuer part ("12/2020", "3/4") it is a fraction or a date.
    return _unique(m.group(0) for m in _DOCUMENT_NUMBER.finditer(text)
                   if "-" in m.group(0) or m.group(2) is not None)


def _unique(values) -> list[str]:
    return list(dict.fromkeys(values))


_ADDRESS_PLACE = r"(?:phuong|xa|quan|huyen|tinh|thanh pho|thi tran|thi xa|tp\.?|duong|pho)\s"
_ADDRESS = re.compile(
    rf"(?:(?:dia chi|tru so)(?:\s+lien he|\s+co quan)?\s*:?\s*([^:]{{4,140}}?{_ADDRESS_PLACE}[a-z0-9 ]{{2,40}})"
    rf"|(so\s+\d+[a-z]?(?:/\d+)?\s*,?\s+[a-z ]{{2,40}},\s*{_ADDRESS_PLACE}[a-z0-9 ]{{2,40}}))"
)
_PERIOD = re.compile(
    r"(?:quy\s+(i{1,3}|iv|[1-4])|(6|9)\s+thang(?:\s+dau)?|ca)\s+nam\s+(\d{4})"
    r"|(?:quy\s+(i{1,3}|iv|[1-4]))\s*/\s*(\d{4})"
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_TENDER_CODE = re.compile(r"(?<![A-Z0-9])(?:IB|PL)\d{10}(?:-\d{2})?(?![0-9])")


def find_addresses(text: str) -> list[str]:
    """Postal addresses: after `Địa chỉ:`/`Trụ sở:`, or `Số 02 Lý Thường Kiệt, phường ...`.
    Returned as printed (the folded copy is only used to find them)."""
    folded = fold(text)
    same_length = len(folded) == len(text)
    found = []
    for match in _ADDRESS.finditer(folded):
        group = 1 if match.group(1) else 2
        start, end = match.span(group)
        found.append(clean_space(text[start:end] if same_length else folded[start:end]).strip(" ,;-–"))
    return _unique(found)


def find_periods(text: str) -> list[tuple[int, int]]:
    """Budget reporting periods as (year, last quarter covered): `quý III năm 2026` -> (2026, 3),
    `6 tháng đầu năm 2026` -> (2026, 2), `9 tháng năm 2026` -> (2026, 3), `cả năm 2025` -> (2025, 4)."""
    periods = []
    for match in _PERIOD.finditer(fold(text)):
        quarter, months, year, quarter2, year2 = match.groups()
        if quarter or quarter2:
            periods.append((int(year or year2), _ROMAN[quarter or quarter2]))
        elif months:
            periods.append((int(year), int(months) // 3))
        else:
            periods.append((int(year), 4))
    return periods


def find_tender_codes(text: str) -> list[str]:
    """Codes of the national e-procurement system: packages `IB2400035288-00`, plans `PL2400022252`."""
    return _unique(_TENDER_CODE.findall(text))
