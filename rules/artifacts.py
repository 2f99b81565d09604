"""Site artifacts: what the rules read. Built from stored pages, never from the network.

Each page is parsed at most once, with lxml, and only when a rule asks for something the stored
row does not already hold (the title and URL are enough to know what a page is about). Every
derived view (visible text, folded text, links, footer, forms, dates) is computed once and
shared by all rules.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from urllib.parse import unquote, urlsplit

import lxml.etree

from minhbach.rules.extract import find_dates, find_dates_at
from minhbach.rules.legacy import LEGACY_ENCODINGS, to_unicode
from minhbach.rules.lexicon import TopicIndex, load_lexicons, topic_index
from minhbach.rules.links import page_links, words_of
from minhbach.rules.nesting import flattened, flattened_bytes, too_deep
from minhbach.rules.text import clean_space, fold, nfc, window

# Documents a page links to (crawler and rules share this one list).
DOCUMENT_TYPES = {
    ".pdf": "pdf", ".doc": "doc", ".docx": "docx", ".xls": "xls", ".xlsx": "xlsx",
    ".odt": "odt", ".ods": "ods", ".rtf": "rtf", ".zip": "zip", ".rar": "rar",
}
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—»:]\s+")
_URL_WORDS = re.compile(r"[^a-z0-9]+")
# Attributes that can mark a container as chrome (see `_own_region`), found in one XPath pass.
_NAMING_ATTRIBUTES = lxml.etree.XPath("//@id | //@class")
_INVISIBLE = ("script", "style", "noscript", "template")


@lru_cache(maxsize=16)
def _parser(encoding: str | None) -> lxml.etree.HTMLParser:
    # The plain etree HTML parser: lxml.html's element classes cost a Python call per element.
    # huge_tree: libxml2 otherwise gives up at 256 levels of nesting, which real CMS pages pass.
    return lxml.etree.HTMLParser(encoding=encoding, recover=True, no_network=True, remove_comments=True,
                                 remove_pis=True, huge_tree=True)


def _parse(markup: str | bytes, encoding: str | None) -> lxml.etree._Element:
    """The page's tree; a page nested deeper than libxml2 reads is read flattened (rules/nesting.py)."""
    parser = _parser(encoding)
    tree = lxml.etree.fromstring(markup, parser)
    if too_deep(parser):
        tree = lxml.etree.fromstring(flattened_bytes(markup) if isinstance(markup, bytes) else flattened(markup),
                                     parser)
    return tree


@lru_cache(maxsize=64)
def _codec(encoding: str | None) -> tuple[str, bool]:
    """Python's name for a stored encoding (UTF-8 when it names none Python knows), and whether
    `<` and space are single ASCII bytes in it (UTF-8, Windows-125x, ISO-8859; not UTF-16)."""
    try:
        name = codecs.lookup(encoding or "utf-8").name
    except LookupError:
        name = "utf-8"
    return name, " <".encode(name) == b" <"


def decode_stored(body: bytes, encoding: str | None) -> str:
    """A stored body as text: a legacy font encoding (tcvn3, vni) converted to Unicode, any
    other charset decoded (UTF-8 when it names none Python knows)."""
    if encoding is not None and encoding in LEGACY_ENCODINGS:
        return to_unicode(body, encoding)
    return body.decode(_codec(encoding)[0], errors="replace")


def _own_region(tag, names: str) -> str:
    """What an element is by itself: a footer, a menu, or neither ("body"). `names` is its
    lower-cased id and class."""
    if tag == "footer" or "footer" in names or "chan-trang" in names:
        return "footer"
    if tag == "nav" or "menu" in names or "navbar" in names:
        return "menu"
    return "body"


def _names(element) -> str:
    id_, class_ = element.get("id"), element.get("class")
    if id_ is None:
        return class_.lower() if class_ else ""
    return f"{id_} {class_ or ''}".lower()


@lru_cache(maxsize=65536)
def url_words(url: str) -> str:
    """`/cong-khai-ngan-sach?x=1` -> `cong khai ngan sach x 1`: slugs read as words."""
    parts = urlsplit(url)
    return _URL_WORDS.sub(" ", fold(unquote(parts.path + " " + parts.query))).strip()


def document_type(url: str) -> str | None:
    """'pdf', 'docx', ... for a link to a document (`.signed.pdf` too); None for anything else."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    if path.count("/") < 3 and "://" in path:   # a bare host: `http://so.gov.vn` has no file name
        return None
    name = path.rsplit("/", 1)[-1].lower()
    return DOCUMENT_TYPES.get("." + name.rsplit(".", 1)[-1]) if "." in name else None


@dataclass(frozen=True)
class PageSource:
    """One stored page as the store hands it over."""

    url: str
    body: bytes
    status: int = 200
    content_type: str = "text/html"
    encoding: str | None = None
    title: str | None = None
    sha256: str = ""
    depth: int = 0
    # Reads the body from the store when a rule first needs it (most pages are judged by
    # their stored title and address alone); `body` is used when this is None.
    load_body: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)


class Link:
    """One link of a page. Its region (menu, footer or body) is worked out when first asked:
    most links are dropped on their words or address before anyone asks where they sit."""

    __slots__ = ("url", "text", "cue", "image", "_anchor", "_regions")

    def __init__(self, url: str, text: str, cue: str, image: str, anchor, regions: dict):
        self.url = url
        self.text = text      # anchor text, or the image's alt text
        self.cue = cue        # folded words of the text, image alt and image file name (topic matching)
        self.image = image    # file name of an image-only link (a banner)
        self._anchor, self._regions = anchor, regions

    def __repr__(self) -> str:
        return f"Link({self.url!r}, {self.text!r})"

    @property
    def region(self) -> str:
        """"menu", "footer" or "body"."""
        return _region(self._anchor, self._regions)


@dataclass(frozen=True)
class DocumentRef:
    """A PDF/DOC/XLS... the crawler recorded, with the text of the link that led to it."""

    url: str
    anchor_text: str
    doc_type: str
    page_url: str = ""
    text: str = ""            # the document's text, when it was read (audit/crawl/attachments.py)
    text_status: str = ""     # "text", "image" (scanned), "unsupported", "unreadable", "" (not read)
    sha256: str = ""          # its stored copy


class Page:
    def __init__(self, source: PageSource, index: TopicIndex):
        self.source = source
        self.url = source.url
        self.index = index

    def __repr__(self) -> str:
        return f"Page({self.url})"

    @property
    def ok(self) -> bool:
        return self.source.status < 400 and self.is_html

    @property
    def is_html(self) -> bool:
        kind = self.source.content_type.lower()
        return "html" in kind or (not kind and self.body.lstrip()[:1] == b"<")

    @cached_property
    def body(self) -> bytes:
        return self.source.body if self.source.load_body is None else self.source.load_body()

    # -- what the stored row already says ------------------------------------------------

    @cached_property
    def title(self) -> str:
        if self.source.title is not None:
            return self.source.title
        if not self.ok:
            return ""
        found = self.tree.findtext(".//title")
        return clean_space(nfc(found)) if found else ""

    @cached_property
    def subject(self) -> str:
        """Folded title without the site name that portals append after a separator."""
        parts = [p for p in _TITLE_SEPARATORS.split(self.title) if p]
        if len(parts) > 1:
            parts = parts[:-1]
        return fold(" ".join(parts))

    @cached_property
    def topics(self) -> frozenset[str]:
        """Topics of the page itself (title and address), not of its menus."""
        return self.index.topics_in(self.subject) | self.index.topics_in(url_words(self.url))

    # -- parsed views (parse once, on first use) --------------------------------------------

    @cached_property
    def tree(self) -> lxml.etree._Element:
        # A space before every tag keeps neighbouring texts apart ("27/2026/QĐ-UBND</td><td>
        # 09/11/2026" must not read as one word), so the whole text comes out in one C call.
        body, (encoding, ascii_compatible) = self.body, _codec(self.source.encoding)
        tree = None
        legacy = self.source.encoding in LEGACY_ENCODINGS
        try:
            body.decode(encoding)  # valid bytes go to libxml2 as they are: no copy to str
            direct = ascii_compatible and not legacy
        except UnicodeDecodeError:
            direct = False
        if direct and body.strip():
            try:
                tree = _parse(body.replace(b"<", b" <"), encoding)
            except (LookupError, lxml.etree.LxmlError):   # an encoding libxml2 does not know
                direct = False
        if not direct:
            text = decode_stored(body, self.source.encoding)
            text = XML_DECLARATION.sub("", text).lstrip("\ufeff")
            text = text.replace("<", " <")
            tree = _parse(text, None) if text.strip() else None
        if tree is None:
            tree = lxml.etree.fromstring("<html/>", _parser(None))
        lxml.etree.strip_elements(tree, *_INVISIBLE, with_tail=False)
        # NFC is applied to what rules read (text, titles, link texts), not to the whole HTML.
        return tree

    @cached_property
    def text(self) -> str:
        body = self.tree.find("body")
        body = self.tree if body is None else body
        return nfc(clean_space(lxml.etree.tostring(body, method="text", encoding=str, with_tail=False)))

    @cached_property
    def folded(self) -> str:
        return fold(self.text)

    @cached_property
    def terms(self) -> list[str]:
        """Every lexicon term in the page text, in order: one scan that every rule shares."""
        return self.index.matcher.found(self.folded)

    def terms_about(self, topic: str) -> list[str]:
        """The page's terms of one topic, each once, in order of appearance."""
        self.index.require(topic)
        topics_of = self.index.topics_of
        return list(dict.fromkeys(t for t in self.terms if topic in topics_of[t]))

    @cached_property
    def dates(self) -> list[date]:
        return find_dates(self.text)

    @cached_property
    def dated(self) -> list[tuple[int, date]]:
        """The dates with where each is printed in `text`."""
        return find_dates_at(self.text)

    @cached_property
    def content_text(self) -> str:
        """The page's own words: the body without menus, header, footer, links or scripts."""
        body = self.tree.find("body")
        parts = (body if body is not None else self.tree).xpath(
            ".//text()[not(ancestor::a or ancestor::nav or ancestor::header or ancestor::footer "
            "or ancestor::script or ancestor::style or ancestor::select)]")
        return clean_space(" ".join(parts))

    @cached_property
    def footer_text(self) -> str:
        """Text of the footer; without a recognisable footer, the end of the page."""
        footers = []
        for attribute in _NAMING_ATTRIBUTES(self.tree):
            element = attribute.getparent()
            if _own_region(element.tag, _names(element)) == "footer":
                footers.append(element)
        footers += self.tree.iter("footer")
        footers = _outermost(footers)
        footer = nfc(clean_space(" ".join(" ".join(f.itertext()) for f in footers)))
        return footer or self.text[-800:]

    @cached_property
    def links(self) -> list[Link]:
        """The page's http(s) links, read as the crawler reads them (rules/links.py)."""
        found = page_links(self.tree, self.url)
        regions: dict = {}   # element -> region, shared by the page's links
        return [Link(raw.url, raw.text, words, raw.image, raw.anchor, regions)
                for raw, words in zip(found, words_of([raw.cue for raw in found]))]

    @cached_property
    def link_topics(self) -> list[frozenset[str]]:
        """The topics each link names by its words or its address, in the order of `links`."""
        topics_in = self.index.topics_in
        return [topics_in(link.cue) | topics_in(url_words(link.url)) for link in self.links]

    @cached_property
    def forms(self) -> list[str]:
        """Each form as folded words: its action, field names, placeholders, labels, buttons."""
        described = []
        for form in self.tree.iter("form"):
            bits = [form.get("action") or "", form.get("class") or "", " ".join(form.itertext())]
            for field_ in form.iter("input", "textarea", "select", "button"):
                bits += [field_.get("name") or "", field_.get("placeholder") or "", field_.get("value") or "",
                         field_.get("type") or ""]
            described.append(_URL_WORDS.sub(" ", fold(" ".join(bits))).strip())
        return described

    def as_written(self, folded_term: str) -> str:
        """A folded term as the page writes it ("giam doc" -> "Giám đốc"), for values and notes
        people read; the folded term itself when the page's text cannot give it back."""
        position = self.folded.find(folded_term)
        if position < 0 or len(self.folded) != len(self.text):
            return folded_term
        return self.text[position:position + len(folded_term)]

    def snippet_around(self, folded_term: str, width: int = 160) -> str:
        """The page text around the first place a folded term occurs (the text keeps its marks:
        folding never changes the length of Vietnamese letters, so positions carry over)."""
        position = self.folded.find(folded_term)
        if position < 0 or len(self.folded) != len(self.text):
            return self.text[:width]
        return window(self.text, position, width)


def _region(element, regions: dict) -> str:
    """The region an element sits in: a footer anywhere above it wins over a menu.
    `regions` remembers every element already seen (holding it keeps lxml's proxy, so the
    same element is met again as the same key)."""
    path = []
    inherited = "body"
    while element is not None:
        known = regions.get(element)
        if known is not None:
            inherited = known
            break
        path.append(element)
        element = element.getparent()
    # Walk back down from the first known (or the root): footer > menu > body.
    for element in reversed(path):
        own = _own_region(element.tag, _names(element))
        if own == "footer" or (own == "menu" and inherited == "body"):
            inherited = own
        regions[element] = inherited
    return inherited


def _outermost(elements: list) -> list:
    elements = list(dict.fromkeys(elements))
    chosen = set(elements)
    outer = []
    for element in elements:
        parent = element.getparent()
        while parent is not None and parent not in chosen:
            parent = parent.getparent()
        if parent is None:
            outer.append(element)
    return outer


@dataclass(frozen=True)
class UnreadRef:
    """A page the crawl knew of but could not read (kind: http_403, timeout, time_budget...)."""

    url: str
    kind: str
    reason: str = ""
    anchor_text: str = ""


@dataclass
class Site:
    """One agency's site as one crawl stored it."""

    agency_code: str
    level: str
    name: str = ""
    home_url: str = ""
    sources: list[PageSource] = field(default_factory=list)
    documents: list[DocumentRef] = field(default_factory=list)
    crawl_status: str = "ok"
    crawl_reason: str = ""
    unread: list[UnreadRef] = field(default_factory=list)
    tls_status: str = ""          # the home page's certificate check; empty when not https
    tls_detail: str = ""
    index: TopicIndex = field(default_factory=topic_index)
    # The texts of each page's links as the crawl stored them (page address -> texts), read
    # from the store without parsing a page; None when not known (a site built by hand).
    stored_link_texts: dict[str, list[str]] | None = None

    def __post_init__(self):
        self.pages = [Page(source, self.index) for source in self.sources]
        self._by_url = {page.url: page for page in self.pages}

    @cached_property
    def _unread_topics(self) -> list[tuple[UnreadRef, frozenset[str]]]:
        topics_in = self.index.topics_in
        return [(u, topics_in(fold(u.anchor_text)) | topics_in(url_words(u.url))) for u in self.unread]

    def unread_about(self, topics) -> list[UnreadRef]:
        """Unread pages whose link text or address names one of the topics."""
        wanted = set(topics)
        return [u for u, found in self._unread_topics if found & wanted]

    @property
    def reachable(self) -> bool:
        return self.crawl_status not in ("unreachable", "blocked") and any(p.ok for p in self.pages)

    @cached_property
    def home(self) -> Page | None:
        if self.home_url in self._by_url and self._by_url[self.home_url].ok:
            return self._by_url[self.home_url]
        ok = [p for p in self.pages if p.ok]
        return min(ok, key=lambda p: p.source.depth) if ok else None

    def pages_about(self, *topics: str) -> list[Page]:
        """Pages whose own title or address names one of the topics (not menus on every page)."""
        wanted = set(topics)
        return [p for p in self.pages if p.ok and p.topics & wanted]

    def links_about(self, *topics: str, pages: list[Page] | None = None) -> list[tuple[Page, Link]]:
        """Links on the home page (or on `pages`) whose text, image or address names a topic."""
        wanted = set(topics)
        found = []
        for page in pages if pages is not None else ([self.home] if self.home else []):
            for link, named in zip(page.links, page.link_topics):
                if named & wanted:
                    found.append((page, link))
        return found

    @cached_property
    def repeated_link_texts(self) -> frozenset[str]:
        """Folded texts of body links that stand on the pages of three or more different sections
        (a notice pinned on every page, a "Tin nổi bật" block): repeated everywhere, an item of
        none of them."""
        seen: dict[str, set[frozenset[str]]] = {}
        for page in self.pages:
            if not page.ok or not page.topics:
                continue
            for link in page.links:
                if link.text and link.region == "body":
                    seen.setdefault(fold(link.text), set()).add(page.topics)
        return frozenset(text for text, sections in seen.items() if len(sections) >= 3)

    @cached_property
    def _stored_texts(self) -> dict[str, tuple[frozenset[str], list[Page]]]:
        """Folded link text -> (the sections whose pages hold it, those pages), from the texts
        the crawl stored: no page is parsed for it."""
        found: dict[str, tuple[set, list]] = {}
        for page in self.pages:
            if not page.ok or not page.topics:
                continue
            for text in dict.fromkeys(fold(t) for t in (self.stored_link_texts or {}).get(page.url, ()) if t):
                sections, pages = found.setdefault(text, (set(), []))
                sections.add(page.topics)
                pages.append(page)
        return {text: (frozenset(sections), pages) for text, (sections, pages) in found.items()}

    def repeated(self, folded: str) -> bool:
        """Whether a body link with this (folded) text stands on the pages of three or more
        sections (see repeated_link_texts). With the crawl's stored link texts, a text that the
        store does not show on three sections' pages is not (the store holds every link, menus
        too); only for one it does are its pages parsed, until three sections show it in the body."""
        if self.stored_link_texts is None or any(p.ok and p.topics and p.url not in self.stored_link_texts
                                                 for p in self.pages):
            return folded in self.repeated_link_texts  # some page's links are not in the store
        sections, pages = self._stored_texts.get(folded, (frozenset(), []))
        if len(sections) < 3:
            return False
        shown: set[frozenset[str]] = set()
        for page in pages:
            if page.topics not in shown and any(link.region == "body" and fold(link.text) == folded
                                                for link in page.links if link.text):
                shown.add(page.topics)
                if len(shown) >= 3:
                    return True
        return False

    def documents_at(self, urls) -> list[DocumentRef]:
        """The recorded documents among `urls` (in their order), read or not."""
        by_url = {d.url: d for d in self.documents}
        return [by_url[url] for url in dict.fromkeys(urls) if url in by_url]

    def documents_about(self, *topics: str) -> list[DocumentRef]:
        wanted = set(topics)
        return [d for d in self.documents if self.index.topics_in(fold(d.anchor_text)) & wanted
                or self.index.topics_in(url_words(d.url)) & wanted]

    def terms(self, topic: str) -> tuple[str, ...]:
        return load_lexicons()[topic].folded


class UndeclaredTopic(LookupError):
    """A rule asked the site about a topic its `@rule(...)` does not declare."""


class SiteView:
    """What one rule sees of a site: the site itself, its questions limited to the topics the
    rule declared (`topics` for sections, `readable` also for term lists). Asking about another
    topic is an error, never a silent empty answer."""

    def __init__(self, site: Site, rule_code: str, topics: frozenset[str], readable: frozenset[str]):
        self._site, self._rule, self._topics, self._readable = site, rule_code, topics, readable

    def __getattr__(self, name):
        return getattr(self._site, name)

    def _declared(self, topics, allowed: frozenset[str]) -> None:
        undeclared = [t for t in topics if t not in allowed]
        if undeclared:
            raise UndeclaredTopic(f"rule {self._rule} reads {', '.join(undeclared)} but does not declare it")

    def pages_about(self, *topics: str) -> list[Page]:
        self._declared(topics, self._topics)
        return self._site.pages_about(*topics)

    def links_about(self, *topics: str, pages: list[Page] | None = None) -> list[tuple[Page, Link]]:
        self._declared(topics, self._topics)
        return self._site.links_about(*topics, pages=pages)

    def documents_about(self, *topics: str) -> list[DocumentRef]:
        self._declared(topics, self._topics)
        return self._site.documents_about(*topics)

    def unread_about(self, topics) -> list[UnreadRef]:
        self._declared(topics, self._topics)
        return self._site.unread_about(topics)

    def terms(self, topic: str) -> tuple[str, ...]:
        self._declared((topic,), self._readable)
        return self._site.terms(topic)
