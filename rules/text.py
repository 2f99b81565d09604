"""Vietnamese text toolkit shared by every rule and by the crawler's link priority.

Matching is done on two forms: NFC text, and a folded form (marks stripped, đ/Đ mapped to d/D
explicitly, because NFD does not decompose them), lower-cased and with runs of blanks collapsed.
"""
from __future__ import annotations

import unicodedata


def _fold_table() -> list[int | str | None]:
    """One `str.translate` table: every precomposed Latin letter to its base letter, every
    combining mark (NFD text) to nothing. A list indexed by code point, not a dict: a dict
    raises and swallows a KeyError for every character it leaves alone, which is what made
    folding slow. Characters past its end (U+1F00 on) are left alone."""
    table: list[int | str | None] = list(range(0x1F00))
    for cp in range(0x300, 0x370):
        table[cp] = None
    for start, end in ((0xC0, 0x250), (0x1E00, 0x1F00)):
        for cp in range(start, end):
            base = "".join(c for c in unicodedata.normalize("NFD", chr(cp)) if not unicodedata.combining(c))
            if base != chr(cp) and base.isascii():
                table[cp] = base
    for letter, base in (("đ", "d"), ("Đ", "D"), ("Ð", "D"), ("ð", "d")):
        table[ord(letter)] = base
    return table


_FOLD = _fold_table()


def nfc(text: str) -> str:
    """NFC, the one normal form minhbach keeps (the crawler's pages, the rules' texts)."""
    if unicodedata.is_normalized("NFC", text):  # the common case, checked without copying
        return text
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """`Đường Dây NÓNG` -> `duong day nong`; NFD input folds the same as NFC."""
    return " ".join(text.translate(_FOLD).lower().split())


def clean_space(text: str) -> str:
    """Runs of blanks (Unicode spaces, NBSP, newlines) to one space, none at the ends."""
    return " ".join(text.split())


def window(text: str, position: int, width: int = 160) -> str:
    """`width` characters of `text` around `position` (a third before it), for a snippet."""
    start = max(0, position - width // 3)
    return text[start:start + width].strip()
