"""What the spider hands to the store pipeline."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PageItem:
    agency_code: str
    requested_url: str
    final_url: str
    http_status: int
    content_type: str
    body: bytes
    title: str | None = None
    encoding: str | None = None
    legacy_encoding: str | None = None
    depth: int = 0
    # The server's validators, asked for again on the next crawl (incremental recrawl).
    etag: str | None = None
    last_modified: str | None = None
    # Set when the server answered 304 Not Modified: the body is the stored copy with this
    # SHA-256, so nothing is downloaded or stored again.
    carried_sha256: str | None = None
    size: int | None = None
    rendered: bool = False   # drawn by JavaScript in the browser (crawler/rendering.py)
    # (target URL, anchor text, is_document)
    links: list[tuple[str, str, bool]] = field(default_factory=list)
    # (URL, anchor text, document type)
    documents: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class DocumentInfo:
    """Size and type of a document, learnt from a HEAD request; or the document itself, when it
    was linked from a disclosure section and read (`body`)."""

    agency_code: str
    url: str
    size: int | None
    content_type: str | None
    body: bytes = b""
    doc_type: str = ""
    carried_sha256: str = ""   # read by an earlier crawl: the stored file and its text are kept


@dataclass
class UnreadItem:
    """A page the crawl knew of but could not read (HTTP error, timeout, budget...): its
    section is "not judged", never "missing"."""

    agency_code: str
    url: str
    kind: str
    reason: dict  # a code and its values (failures.reason)
    anchor_text: str = ""
