"""A stored page shown as evidence: exactly the crawled copy, made safe. Scripts, event
handlers, `javascript:` links, forms, frames and styles that load anything are removed (nh3,
the ammonia sanitiser); what is left is served from its own path under a Content-Security-Policy
that forbids every script and every load from elsewhere, inside a sandboxed frame. The snippet
the rule quoted is marked."""
from __future__ import annotations

import html

import lxml.html
import nh3

from minhbach.rules.artifacts import decode_stored
from minhbach.rules.text import nfc

# Nothing may run or load: styles inline only, images only as data: URIs.
EVIDENCE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
                "form-action 'none'; frame-ancestors 'self'; base-uri 'none'; sandbox")
EVIDENCE_HEADERS = {"Content-Security-Policy": EVIDENCE_CSP, "X-Content-Type-Options": "nosniff",
                    "X-Frame-Options": "SAMEORIGIN",
                    "Referrer-Policy": "no-referrer", "Cache-Control": "private, max-age=300"}
_TAGS = nh3.ALLOWED_TAGS - {"img"} | {"mark", "font", "center"}


def decode(body: bytes, encoding: str | None, legacy: str | None) -> str:
    return nfc(decode_stored(body, legacy or encoding))


def safe_html(text: str, snippet: str = "") -> str:
    """The page's content, sanitised, with the first occurrence of `snippet` in <mark>."""
    cleaned = nh3.clean(text, tags=_TAGS, url_schemes={"http", "https", "mailto", "tel"},
                        link_rel="noopener noreferrer nofollow", strip_comments=True)
    if snippet.strip():
        cleaned = _mark(cleaned, snippet.strip()[:200])
    return cleaned


def mark_text(escaped: str, snippet: str) -> str:
    """Our own escaped markup (a document's text) with the snippet marked."""
    return _mark(escaped, snippet.strip()[:200]) if snippet.strip() else escaped


def _mark(cleaned: str, snippet: str) -> str:
    """Wrap the first text node holding (the start of) the snippet; markup is never rewritten
    as text, so marking cannot undo the sanitising."""
    fragment = lxml.html.fragment_fromstring(cleaned, create_parent="div")
    texts = [value for element in fragment.iter() for value in (element.text, element.tail) if value]
    # the whole snippet where one text holds it, else its start (it may run across elements)
    needle = snippet if any(snippet in value for value in texts) else snippet[:60]
    for element in fragment.iter():
        for attribute in ("text", "tail"):
            value = getattr(element, attribute)
            if value and needle in value:
                before, _, after = value.partition(needle)
                mark = lxml.html.Element("mark", id="trich-doan")
                mark.text, mark.tail = needle, after
                if attribute == "text":
                    element.text = before
                    element.insert(0, mark)
                else:
                    element.tail = before
                    element.addnext(mark)
                return lxml.html.tostring(fragment, encoding="unicode")[5:-6]
    return cleaned


def page_document(content: str, title: str) -> str:
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            '<style>body{font-family:sans-serif;margin:1rem;line-height:1.4}mark{background:#ffe066;'
            'outline:2px solid #e0a800}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 4px}'
            f'</style></head><body>{content}</body></html>')
