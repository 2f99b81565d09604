"""The browser that renders portals reaches nothing the crawler may not (crawler/egress.py): a
script-shell site whose browser request redirects to an unallowed port, whose script navigates
there, and whose subresources point there never reaches that port's listener (it counts every
request); the render is refused with its reason; nothing from it is stored. `--resolve` and
`--no-dns` bind the browser as they bind Scrapy, and the guard fails closed."""
from __future__ import annotations

import json
import os
import socket
import sqlite3

import pytest

from minhbach.crawler.egress import REFUSED_HEADER, GuardingProxy
from minhbach.crawler.safety import AddressPolicy
from tests.support.cli import run_cli
from tests.support.sites import LoopbackSite, html

pytestmark = pytest.mark.slow   # crawls loopback sites in Chromium
needs_chromium = pytest.mark.skipif(not os.path.exists("/usr/bin/chromium") and not os.environ.get("CI"),
                                    reason="Debian's chromium is not installed (apt-get install chromium)")

SECRET = b"SECRET-OF-THE-UNALLOWED-LISTENER"
SHELL = '<div id="app">Đang tải…</div><script src="/app.js"></script>'


def _script(body: str):
    return 200, {"Content-Type": "application/javascript"}, body.encode()


@pytest.fixture
def unallowed():
    """A listener on a loopback port no crawl is allowed to reach; `hits` counts its requests,
    of any kind (a WebSocket upgrade or a CONNECT tunnel is a GET or nothing it can serve)."""
    site = LoopbackSite({path: (200, {"Content-Type": "text/html"}, SECRET)
                         for path in ("/", "/secret", "/x.js", "/style.css", "/frame", "/api", "/ws")})
    yield site
    site.close()


def _portals(b: str) -> dict[str, LoopbackSite]:
    sub = (f'<h1>Cổng thông tin</h1><p>{"Nội dung trang chủ. " * 20}</p>'
           f'<link rel="stylesheet" href="{b}/style.css"><script src="{b}/x.js"></script>'
           f'<iframe src="{b}/frame"></iframe><img src="{b}/img.png">'
           '<script src="/app.js"></script>')
    return {
        "redirect": LoopbackSite({"/": (302, {"Location": f"{b}/secret"}, b"")}),
        "navigate": LoopbackSite({"/": html(SHELL), "/app.js": _script(f'location.href = "{b}/secret";')}),
        "subresources": LoopbackSite({"/": html(sub), "/app.js": _script(
            f'fetch("{b}/api").catch(() => 0); try {{ new WebSocket("ws://{b[7:]}/ws"); }} catch (e) {{}}'
            f'var x = new XMLHttpRequest(); x.open("GET", "{b}/api"); x.send();')}),
    }


def _registry(tmp_path, sites: dict[str, str], plain: tuple[str, ...] = ()):
    path = tmp_path / "co-quan.csv"
    rows = ["code,name,level,province,parent_code,portal_url,render"]
    rows += [f"{code},Cổng {code},so,Hòa Sơn,,{url}/,{'html' if code in plain else 'js'}" for code, url in sites.items()]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@needs_chromium
def test_the_browser_reaches_no_unallowed_address_and_a_refused_render_is_not_stored(tmp_path, unallowed):
    portals = _portals(unallowed.base)
    try:
        env = {"MINHBACH_DATA_DIR": str(tmp_path / "data")}
        assert run_cli("agencies", "import", str(_registry(tmp_path, {c: s.base for c, s in portals.items()})),
                       env=env).returncode == 0
        allowed = [arg for site in portals.values() for arg in ("--allow-private-host", f"127.0.0.1:{site.port}")]
        result = run_cli("crawl", *allowed, env=env)
        assert result.returncode == 0, result.stderr
    finally:
        for site in portals.values():
            site.close()

    assert unallowed.hits == []   # not one request: navigation, hop, frame, script, style, fetch, socket
    with sqlite3.connect(tmp_path / "data" / "minhbach.sqlite") as db:
        crawls = {code: (status, json.loads(reason) if reason else None) for code, status, reason in db.execute(
            "select a.code, s.status, s.reason from site_crawls s join agencies a on a.id = s.agency_id")}
        pages = db.execute("select a.code, p.final_url, p.rendered from pages p join site_crawls s on s.id = "
                           "p.site_crawl_id join agencies a on a.id = s.agency_id").fetchall()
    for code in ("redirect", "navigate"):   # the render refused, with the policy's reason
        status, reason = crawls[code]
        assert status == "blocked" and reason["kind"] == "home_refused", (code, status, reason)
        assert reason["cause"] == {"kind": "private_address", "address": "127.0.0.1", "host": "127.0.0.1"}
    assert all(str(unallowed.port) not in url for _, url, _ in pages)
    # the page whose subresources pointed there is the site's own, drawn without them
    assert crawls["subresources"][0] not in ("unreachable", "blocked") and ("subresources", f"{portals['subresources'].base}/", 1) in pages
    stored = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert not any(SECRET in p.read_bytes() for p in stored)

    audit = run_cli("audit", "--date", "2026-11-21", env=env)
    assert audit.returncode == 0, audit.stderr
    assert "địa chỉ nội bộ" in audit.stdout or "địa chỉ riêng" in audit.stdout, audit.stdout


@needs_chromium
def test_resolve_and_no_dns_bind_the_browser_as_they_bind_scrapy(tmp_path):
    portal = LoopbackSite({"/": html(SHELL), "/app.js": _script(
        'document.getElementById("app").innerHTML = "<h1>Cổng đã dựng</h1>";')})
    try:
        env = {"MINHBACH_DATA_DIR": str(tmp_path / "data")}
        registry = _registry(tmp_path, {"pinned": f"http://cong.hoason.test:{portal.port}",
                                        "unpinned": f"http://khac.hoason.test:{portal.port}",
                                        "plain": f"http://thuong.hoason.test:{portal.port}"}, plain=("plain",))
        assert run_cli("agencies", "import", str(registry), env=env).returncode == 0
        result = run_cli("crawl", "--no-dns", "--resolve", "cong.hoason.test=127.0.0.1",
                         "--allow-private-host", f"cong.hoason.test:{portal.port}",
                         "--allow-private-host", f"khac.hoason.test:{portal.port}", env=env)
        assert result.returncode == 0, result.stderr
    finally:
        portal.close()
    with sqlite3.connect(tmp_path / "data" / "minhbach.sqlite") as db:
        crawls = {code: (status, json.loads(reason) if reason else None) for code, status, reason in db.execute(
            "select a.code, s.status, s.reason from site_crawls s join agencies a on a.id = s.agency_id")}
        rendered = db.execute("select count(*) from pages where rendered and title is not null").fetchone()[0]
    assert crawls["pinned"][0] not in ("unreachable", "blocked") and rendered >= 1      # reached through the pin alone
    # allowed by name, so Scrapy's guard lets it by unresolved; the browser's proxy, with --no-dns,
    # asks no DNS server for it
    assert crawls["unpinned"] == ("unreachable", {"kind": "dns", "host": "khac.hoason.test", "error": "no_dns"})
    # not allowed: Scrapy's guard must resolve it, cannot (--no-dns), and refuses it (fails closed)
    assert crawls["plain"] == ("unreachable", {"kind": "dns", "host": "thuong.hoason.test",
                                               "error": "DNSLookupError"}), crawls


def _ask(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_the_proxy_refuses_what_the_policy_refuses_and_fails_closed(unallowed):
    allowed = LoopbackSite({"/": html("<p>mở</p>")})
    proxy = GuardingProxy(AddressPolicy(allowed_hosts=frozenset({f"127.0.0.1:{allowed.port}"})),
                          pins={"pinned.test": "127.0.0.1"}, no_dns=True)
    proxy.start()
    try:
        ok = _ask(proxy.port, f"GET {allowed.base}/ HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert ok.startswith(b"HTTP/1.0 200") and "mở".encode() in ok and b"Connection: close" in ok
        for request in (f"GET {unallowed.base}/secret HTTP/1.1\r\n\r\n",            # plain http
                        f"CONNECT 127.0.0.1:{unallowed.port} HTTP/1.1\r\n\r\n",      # a tunnel (https, wss)
                        f"GET http://pinned.test:{unallowed.port}/ HTTP/1.1\r\n\r\n",  # a pin to a refused port
                        f"GET http://[::ffff:127.0.0.1]:{unallowed.port}/ HTTP/1.1\r\n\r\n"):
            answer = _ask(proxy.port, request.encode())
            assert answer.startswith(b"HTTP/1.1 403") and f"{REFUSED_HEADER}: private_address".encode() in answer
        unknown = _ask(proxy.port, b"GET http://not-pinned.test/ HTTP/1.1\r\n\r\n")   # fails closed
        assert f"{REFUSED_HEADER}: dns".encode() in unknown
        assert proxy.refusal_for("http://not-pinned.test/") == {"kind": "dns", "host": "not-pinned.test",
                                                                "error": "no_dns"}
        assert _ask(proxy.port, b"GET /relative HTTP/1.1\r\n\r\n") == b""   # not a proxy request: closed
    finally:
        proxy.stop()
        allowed.close()
    assert unallowed.hits == []
