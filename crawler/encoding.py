"""Decoding bodies to NFC text, and spotting the pre-Unicode Vietnamese font encodings.

windows-1258 is a real charset and decodes correctly (its combining tone marks are composed
by NFC), but only when it is declared: with no charset in the headers or the page, Scrapy's own
guess turns it into mojibake (hp-roman8, cp1257...). `decode_html` therefore decides undeclared
and wrongly declared pages with bs4's UnicodeDammit, trying UTF-8 then windows-1258 (the two
encodings a Vietnamese page without a declaration is in), then its own detection.
TCVN3 (ABC) and VNI are font hacks: the bytes are Latin-1 letters shown in a
special font, so decoding gives mojibake like "Céng hßa x· héi" (TCVN3) or "Coäng hoøa xaõ
hoäi" (VNI). Those pages are recorded with `legacy_encoding` and their text is not used.
"""
from __future__ import annotations

import re
import unicodedata

from bs4.dammit import UnicodeDammit
from scrapy.http import TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

UNDECLARED_GUESSES = ["utf-8", "windows-1258"]

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


def decode_html(response: TextResponse) -> tuple[str, str]:
    """The page's text (NFC) and the encoding it was decoded with.

    A declared charset is believed unless it is UTF-8 and the bytes are not (U+FFFD appears);
    an undeclared or disbelieved one is decided by UnicodeDammit on the raw bytes."""
    if _declares_charset(response):
        text = response.text
        if "\ufffd" not in text or response.encoding not in ("utf-8", "utf8"):
            return to_nfc(text), response.encoding
        exclude = ["utf-8"]
    else:
        exclude = []
    dammit = UnicodeDammit(response.body, user_encodings=UNDECLARED_GUESSES, is_html=True,
                           exclude_encodings=exclude)
    if dammit.unicode_markup is None:  # nothing decoded cleanly: keep Scrapy's reading
        return to_nfc(response.text), response.encoding
    return to_nfc(dammit.unicode_markup), dammit.original_encoding


def _declares_charset(response: TextResponse) -> bool:
    """Whether the headers, a byte-order mark or the page itself name the encoding."""
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    return bool(http_content_type_encoding(content_type) or read_bom(response.body)[0]
                or html_body_declared_encoding(response.body))
