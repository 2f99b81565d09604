"""Vietnamese text toolkit shared by every rule and by the crawler's link priority.

Matching is done on two forms: NFC text, and a folded form (marks stripped, đ/Đ mapped to d/D
explicitly, because NFD does not decompose them), lower-cased and with runs of blanks collapsed.
"""
from __future__ import annotations

import re
import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "D", "Ð": "D", "ð": "d"})
_BLANKS = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """`Đường Dây NÓNG` -> `duong day nong`; NFD input folds the same as NFC."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _BLANKS.sub(" ", stripped.translate(_D_MAP)).strip().lower()


def clean_space(text: str) -> str:
    return _BLANKS.sub(" ", text).strip()
