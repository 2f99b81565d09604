"""A page's links, read one way by the crawler (what to follow, which documents to fetch) and by
the rules (what a section lists): the same addresses, the same texts.

An address is read as a browser reads it (the WHATWG URL rules, for what matters here): spaces
and control characters around it dropped, tabs and line breaks inside it dropped, the scheme in
any case, entities already decoded by the parser. Only http(s) addresses are kept: `javascript:`
in any spelling (`JavaScript:`, `java<TAB>script:`, `\x01javascript:`), `data:`, `mailto:`,
`tel:` and the rest never leave the page, so nothing a portal writes can become a link that
runs in an officer's browser. Fragments are dropped (a page is a page). A `<base href>` is
honoured as browsers do.
"""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

from minhbach.rules.text import clean_space, fold, nfc

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_INSIDE = str.maketrans("", "", "\t\n\r")
_AROUND = "".join(chr(c) for c in range(0x21))   # C0 controls and space (WHATWG "C0 control or space")
_NOT_WORDS = re.compile(r"[^a-z0-9\0]+")          # folded words, keeping the NUL that separates texts


def clean_href(href: str) -> str:
    """`href` as a browser reads it before resolving: nothing around it, no tab or line break in it."""
    return href.strip(_AROUND).translate(_INSIDE)


def is_http(href: str) -> bool:
    """Whether a cleaned `href` leads to an http(s) address (a relative one does)."""
    scheme = _SCHEME.match(href)
    return scheme is None or scheme.group(1).lower() in ("http", "https")


def http_url(href: str | None, base: str, malformed: list | None = None) -> str | None:
    """The absolute http(s) address, without fragment, that `href` on a page at `base` leads to;
    None for any other scheme, a bare fragment, or an address that is not one (those are also
    added to `malformed`, when given: a site's broken links are counted)."""
    href = clean_href(href or "")
    if not href or href[0] == "#" or not is_http(href):
        return None
    try:
        return _Resolver.cached(base)(href)
    except ValueError:
        if malformed is not None:
            malformed.append(href)
        return None


class _Resolver:
    """Absolute addresses for one page's links: the common shapes (absolute, root-relative, a
    plain name) by hand, the rest by `urljoin`, remembered, since menus repeat on every page."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.base = base
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.directory = self.origin + (parts.path[:parts.path.rfind("/") + 1] or "/")

    @staticmethod
    @lru_cache(maxsize=256)
    def cached(base: str) -> _Resolver:
        return _Resolver(base)

    def __call__(self, href: str) -> str:
        if href[:7].lower() == "http://" or href[:8].lower() == "https://":
            url = href
        elif href[0] == "/" and not href.startswith("//"):
            url = self.origin + href
        elif href[0] == "?":
            url = urljoin(self.base, href)
        elif href[0] not in "./" and ":" not in href and "/." not in href:
            url = self.directory + href
        else:  # anything else resolves against the page's directory alone
            url = _join_cached(self.directory, href)
        url = url.split("#", 1)[0]
        _check(url)
        return url


@lru_cache(maxsize=16384)
def _join_cached(directory: str, href: str) -> str:
    return urljoin(directory, href)


@lru_cache(maxsize=65536)
def _check(url: str) -> None:
    """An address with a host and a readable port ("http://[2001:db8::1/", ":8O80" are not)."""
    parts = urlsplit(url)
    _ = parts.port  # raises ValueError on a bad port or a broken IPv6 host
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(url)


class RawLink:
    """One link as both the crawler and the rules read it."""

    __slots__ = ("url", "text", "cue", "image", "anchor")

    def __init__(self, url: str, text: str, cue: str, image: str, anchor):
        self.url = url        # absolute http(s) address, no fragment
        self.text = text      # anchor text (NFC, blanks collapsed), or an image-only link's alt text
        self.cue = cue        # text, image alt and image file name: what names the link's topic
        self.image = image    # file name of an image-only link (a banner)
        self.anchor = anchor  # the <a> element


def page_base(tree, page_url: str) -> str:
    """The address the page's relative links resolve against: its `<base href>` when it names
    an http(s) address, else the page's own."""
    base = tree.find(".//base[@href]")
    if base is None:
        return page_url
    return http_url(base.get("href"), page_url) or page_url


def page_links(tree, page_url: str, malformed: list | None = None) -> list[RawLink]:
    """Every http(s) link of a parsed page (lxml tree), in document order; hrefs that look like
    addresses and are none go to `malformed`, when given."""
    base = page_base(tree, page_url)
    found = []
    for anchor in tree.iter("a"):
        url = http_url(anchor.get("href"), base, malformed)
        if url is None:
            continue
        # Most anchors hold plain text: reading it directly spares an iterator.
        text = clean_space("".join(anchor.itertext()) if len(anchor) else anchor.text or "")
        image_name, cue = "", text
        if not text:
            image = anchor.find(".//img")
            if image is not None:
                text = clean_space(image.get("alt") or image.get("title") or "")
                image_name = unquote((image.get("src") or "").rsplit("/", 1)[-1])
                cue = f"{text} {image_name}"
        found.append(RawLink(url, text if text.isascii() else nfc(text), cue, image_name, anchor))
    return found


def words_of(texts: list[str]) -> list[str]:
    """Folded words of each text (`Cổng Dịch vụ công!` -> `cong dich vu cong`), all texts in
    one pass: a page has hundreds of short link texts, and a call per text is what costs."""
    joined = _NOT_WORDS.sub(" ", fold("\0".join(text.replace("\0", " ") for text in texts)))
    return [words.strip() for words in joined.split("\0")]
