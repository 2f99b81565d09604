"""Placeholder and test content that real portals leave in their sections ("Tesn tin 1",
"test", "Đang cập nhật...", lorem ipsum): never evidence of a disclosure. Matched on folded
text (marks stripped, lower case)."""
from __future__ import annotations

import re

from minhbach.rules.text import fold

# An item whose title is only this (and numbers, punctuation) is a placeholder.
_TITLE = re.compile(r"^(?:(?:tesn|test|tin|bai|bai viet|thu nghiem|noi dung|tieu de|demo|sample|abc|xyz|"
                    r"lorem ipsum(?: dolor)?(?: sit amet)?|dang cap nhat|dang xay dung|dang duoc cap nhat|"
                    r"cap nhat sau)\s*)+$")
_ANYWHERE = re.compile(r"lorem ipsum|tesn tin|\btin test\b|\bbai test\b|\btest\s+\d+\b")
_UPDATING = re.compile(r"dang (?:duoc )?cap nhat|dang xay dung|noi dung dang duoc cap nhat")


def placeholder_title(title: str) -> bool:
    words = re.sub(r"[\W\d_]+", " ", fold(title)).strip()
    return bool(words) and (bool(_TITLE.match(words)) or bool(_ANYWHERE.search(fold(title))))


def placeholder_text(folded: str) -> bool:
    """A stretch of text (an item's line) that is test or dummy content."""
    return bool(_ANYWHERE.search(folded))


def only_updating(folded_content: str, longest: int = 200) -> bool:
    """A section page whose own content says only that it is being updated."""
    return len(folded_content) <= longest and bool(_UPDATING.search(folded_content))
