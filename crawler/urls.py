"""URL canonicalisation and classification.

Canonical URLs are used to recognise the same page behind different addresses: session ids,
Liferay `p_p_*` portlet-state parameters, tracking parameters and fragments are dropped, the
query is sorted, the host lower-cased and the default port removed. The crawler still requests
the address it found (a portal may need its parameters); only de-duplication uses the canonical.
"""
from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SESSION_PARAMS = {"jsessionid", "phpsessid", "sid", "sessionid", "aspsessionid", "cfid", "cftoken"}
_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid")
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.I)

# Never crawled as pages: media and static assets.
_SKIP_EXTENSIONS = {
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".svg", ".webp", ".ico", ".css", ".js", ".mp3",
    ".mp4", ".avi", ".wmv", ".flv", ".mov", ".woff", ".woff2", ".ttf", ".eot", ".swf", ".exe",
    ".apk", ".7z", ".gz", ".tar", ".iso", ".ppt", ".pptx",
}


def _drop_param(name: str) -> bool:
    lowered = name.lower()
    return (
        lowered in _SESSION_PARAMS
        or lowered.startswith("p_p_")
        or lowered.startswith(_TRACKING_PREFIXES)
    )


def strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def canonicalize(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = _PATH_SESSION.sub("", parts.path) or "/"
    if "/." in path:
        path = posixpath.normpath(path) + ("/" if path.endswith("/") and path != "/" else "")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _drop_param(k))
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def netloc_of(url: str) -> str:
    """host[:port] with the default port dropped, as the crawler's per-site key."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is None or (parts.scheme, port) in (("http", 80), ("https", 443)):
        return host
    return f"{host}:{port}"


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1].lower()
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def is_skippable_asset(url: str) -> bool:
    return _extension(urlsplit(url).path) in _SKIP_EXTENSIONS
