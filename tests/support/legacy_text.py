"""Writing Unicode Vietnamese in the legacy font encodings, for test pages: the reverse of the
conversion tables minhbach reads them with."""
from __future__ import annotations

import unicodedata

from viparse.normalize.encodings import CHARMAPS


def to_legacy(text: str, encoding: str) -> bytes:
    """`text` as a TCVN3 or VNI page's bytes (characters the table lacks, such as TCVN3's
    accented capitals, are written lower-case, as typists of the time did)."""
    table = {unicode: legacy for legacy, unicode in CHARMAPS[encoding].pairs}
    out = []
    for char in unicodedata.normalize("NFC", text):
        legacy = table.get(char) or table.get(char.lower()) or char
        out.append(legacy)
    return "".join(out).encode("latin-1", errors="xmlcharrefreplace")
