"""Pre-Unicode Vietnamese font encodings (TCVN3/ABC, VNI, VISCII): recognised from a page's raw
bytes and converted to Unicode NFC.

They are not charsets: the bytes are Latin-1 letters that a special font (.VnTime, VNI-Times)
draws as Vietnamese, so a browser without the font, and a crawler, see "Céng hßa x· héi"
(TCVN3) or "Coäng hoøa xaõ hoäi" (VNI). The conversion tables and the detector that tells them
apart come from viparse, which publishes them with their provenance; minhbach decides only
*when* to ask it: on pages whose decoded text is not already plainly Vietnamese.
"""
from __future__ import annotations

import re

from viparse.normalize.detector import detect_encoding_by_content
from viparse.normalize.encodings import AUTO_DETECT_CHARMAPS
from viparse.normalize.tables import convert

LEGACY_ENCODINGS = frozenset(AUTO_DETECT_CHARMAPS)          # tcvn3, vni, viscii
# Letters only Vietnamese uses (never in Latin-1, so a font-hack page decoded any way has few).
_VIETNAMESE = re.compile(r"[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")
_MARKUP = re.compile(r"<[^>]*>")
_HIGH_BYTES = re.compile(rb"[\x80-\xff]")
SAMPLE_CHARS = 3_000     # of visible text: enough to tell, cheap on every page
# Vietnamese-only letters per word: about 0.6 in Vietnamese prose; under 0.1 for a legacy page
# read in any charset (windows-1258 turns a few of its bytes into ă, ơ, ư, đ).
PLAIN_PER_WORD = 0.25
MIN_WORDS = 20


def surface_text(body: bytes) -> str:
    """The characters a legacy font would draw: the bytes as Latin-1, or as UTF-8 when a legacy
    page was later re-saved in UTF-8 (its mojibake then is valid UTF-8)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def _visible(text: str) -> str:
    return _MARKUP.sub(" ", text[: SAMPLE_CHARS * 3])[:SAMPLE_CHARS]


def is_plain_vietnamese(text: str) -> bool:
    """Unicode Vietnamese: letters only Vietnamese has in a quarter of its words or more."""
    return len(_VIETNAMESE.findall(text)) >= PLAIN_PER_WORD * len(text.split())


def detect_legacy_encoding(body: bytes, decoded: str) -> str | None:
    """'tcvn3', 'vni' or 'viscii' when the page is written in a legacy font encoding; None when
    `decoded` (the page read in its charset) is already Vietnamese, or nothing says legacy.
    The verdict rests on the raw bytes, not on how the charset was guessed."""
    visible = _visible(decoded)
    if len(visible.split()) < MIN_WORDS or is_plain_vietnamese(visible):
        return None
    if len(_HIGH_BYTES.findall(body, 0, SAMPLE_CHARS)) < 10:   # plain ASCII: English, or empty
        return None
    found = detect_encoding_by_content(_visible(surface_text(body)), AUTO_DETECT_CHARMAPS)
    return found.encoding


def to_unicode(body: bytes, encoding: str) -> str:
    """The page converted from a legacy font encoding to Unicode NFC (markup kept as it is)."""
    return convert(surface_text(body), AUTO_DETECT_CHARMAPS[encoding])
