"""Pages nested deeper than the parser reads. libxml2 stops building the tree at 2048 levels
(even with huge_tree) and drops everything below, silently but for one error in the parser's
log; old CMSs emit thousands of unclosed <div>, <font> or <span> tags, so a home page came out
as a few menus and the site failed nearly every rule on content the parser had dropped.

Such a page is read again with its presentational wrappers removed (their content kept, a space
in their place): what rules read (text, links, headings, tables, titles) is all still there,
only the nesting is gone. A page still too deep after that is not read, and says so: a site
is never failed on what the parser dropped."""
from __future__ import annotations

import re

# The wrappers that carry no meaning a rule reads; never headings, links, lists, tables, forms.
_WRAPPER = (r"</?(?:div|font|span|center|section|article|aside|main|nav|header|footer"
            r"|b|i|u|s|em|strong|small|big|tt)\b[^>]*>")
_WRAPPERS_TEXT = re.compile(_WRAPPER, re.IGNORECASE)
_WRAPPERS_BYTES = re.compile(_WRAPPER.encode(), re.IGNORECASE)


def too_deep(parser) -> bool:
    """Whether the last parse by `parser` (an lxml parser) stopped at its depth limit."""
    return any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


def flattened(markup: str) -> str:
    return _WRAPPERS_TEXT.sub(" ", markup)


def flattened_bytes(markup: bytes) -> bytes:
    return _WRAPPERS_BYTES.sub(b" ", markup)
