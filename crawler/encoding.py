"""Decoding bodies to NFC text, whatever the page declares.

windows-1258 is a real charset and decodes correctly (its combining tone marks are composed
by NFC), but only when it is declared: with no charset in the headers or the page, Scrapy's own
guess turns it into mojibake (hp-roman8, cp1257...). `decode_html` therefore decides undeclared
and wrongly declared pages with bs4's UnicodeDammit, trying UTF-8 then windows-1258 (the two
encodings a Vietnamese page without a declaration is in), then its own detection.
Pages written in a legacy font encoding (TCVN3, VNI) are recognised from their raw bytes and
converted (`minhbach.rules.legacy`), with the original encoding recorded.
"""
from __future__ import annotations

from bs4.dammit import UnicodeDammit
from scrapy.http import Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from minhbach.rules.legacy import detect_legacy_encoding, to_unicode
from minhbach.rules.text import nfc

UNDECLARED_GUESSES = ["utf-8", "windows-1258"]


def decode_html(response: TextResponse) -> tuple[str, str, str | None]:
    """The page's text (NFC), the charset it was read with, and its legacy font encoding
    ('tcvn3', 'vni', 'viscii') when it has one; the text is then converted to Unicode."""
    text, charset = _decode(response)
    legacy = detect_legacy_encoding(response.body, text)
    if legacy:
        return to_unicode(response.body, legacy), charset, legacy
    return text, charset, None


def _decode(response: TextResponse) -> tuple[str, str]:
    """A declared charset is believed unless it is UTF-8 and the bytes are not (U+FFFD appears);
    an undeclared or disbelieved one is decided by UnicodeDammit on the raw bytes."""
    if _declares_charset(response):
        text = response.text
        if "\ufffd" not in text or response.encoding not in ("utf-8", "utf8"):
            return nfc(text), response.encoding
        exclude = ["utf-8"]
    else:
        exclude = []
    dammit = UnicodeDammit(response.body, user_encodings=UNDECLARED_GUESSES, is_html=True,
                           exclude_encodings=exclude)
    if dammit.unicode_markup is None:  # nothing decoded cleanly: keep Scrapy's reading
        return nfc(response.text), response.encoding
    assert dammit.original_encoding is not None  # set with unicode_markup when bytes are decoded
    return nfc(dammit.unicode_markup), dammit.original_encoding


def content_type_of(response: Response) -> str:
    """The Content-Type header as text, "" when there is none."""
    # Headers.get answers None, whatever the default, for a header present with no value
    return (response.headers.get(b"Content-Type") or b"").decode("latin-1")


def _declares_charset(response: TextResponse) -> bool:
    """Whether the headers, a byte-order mark or the page itself name the encoding."""
    content_type = content_type_of(response)
    return bool(http_content_type_encoding(content_type) or read_bom(response.body)[0]
                or html_body_declared_encoding(response.body))
