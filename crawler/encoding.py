"""Decoding bodies to NFC text, and spotting the pre-Unicode Vietnamese font encodings.

windows-1258 is a real charset and decodes correctly (its combining tone marks are composed
by NFC). TCVN3 (ABC) and VNI are font hacks: the bytes are Latin-1 letters shown in a
special font, so decoding gives mojibake like "Céng hßa x· héi" (TCVN3) or "Coäng hoøa xaõ
hoäi" (VNI). Those pages are recorded with `legacy_encoding` and their text is not used.
"""
from __future__ import annotations

import re
import unicodedata

# Letters only Vietnamese uses (never in Latin-1, so never produced by font-hack mojibake).
_VIETNAMESE = re.compile(r"[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")
# TCVN3 puts vowels-with-marks at 0xA1-0xFE; these are its most frequent glyphs.
_TCVN3 = re.compile(r"[µ¸¶·¹¨©ª«¬®§ÇËÖÜÝßãåçêíïñóõö÷øùþ¦¥¤£¢¡¼¾»½]")
# VNI writes a base vowel then a Latin-1 "mark" letter: aø, eá, oä, uû, ñ for đ.
_VNI = re.compile(r"[aeiouyAEIOUY][øùûõïöäåëáàâãÙØÛÕÏÖÄÅËÁÀÂÃ]|ñ|Ñ")


def to_nfc(text: str) -> str:
    if unicodedata.is_normalized("NFC", text):  # the common case, checked without copying
        return text
    return unicodedata.normalize("NFC", text)


def detect_legacy_encoding(text: str) -> str | None:
    """'tcvn3', 'vni' or None. Only flags text with no real Vietnamese letters in it."""
    if len(_VIETNAMESE.findall(text, 0, 4000)) >= 10:  # plainly Unicode Vietnamese: done
        return None
    letters = sum(ch.isalpha() for ch in text)
    if letters < 40:
        return None
    if len(_VIETNAMESE.findall(text)) > letters * 0.005:
        return None
    tcvn3 = len(_TCVN3.findall(text))
    vni = len(_VNI.findall(text))
    if max(tcvn3, vni) < letters * 0.02:
        return None
    return "tcvn3" if tcvn3 >= vni else "vni"
