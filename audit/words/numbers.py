"""Numbers as the reader reads them: Vietnamese writes a decimal comma (74,9), English a point;
a score with what was not seen is an interval (74,9–80,1). Stored numbers stay numbers."""
from __future__ import annotations

from minhbach.audit.words.i18n import language

NONE = "–"


def decimal(value: float | None, digits: int = 1, lang: str | None = None) -> str:
    """`lang` fixes the language (a Vietnamese document is Vietnamese whoever makes it)."""
    if value is None:
        return NONE
    text = f"{value:.{digits}f}"
    return text if (lang or language()) == "en" else text.replace(".", ",")


def score_range(low: float | None, high: float | None, lang: str | None = None) -> str:
    """A score, and the best the rules not judged could still give when that is higher."""
    if low is None:
        return NONE
    if high is None or round(high, 1) <= round(low, 1):
        return decimal(low, lang=lang)
    return f"{decimal(low, lang=lang)}–{decimal(high, lang=lang)}"


def percent(share: float | None, lang: str | None = None) -> str:
    """A share (0-1) as every file writes it: one decimal, "97,1%"."""
    return NONE if share is None else f"{decimal(100 * share, 1, lang)}%"
