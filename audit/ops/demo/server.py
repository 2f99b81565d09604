"""Serves the demo portals on 127.0.0.1, each on a port of its own that the system chooses."""
from __future__ import annotations

import hashlib
import io
import socket
import threading
import unicodedata
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from minhbach.audit.ops.demo.portal import Portal, PortalBuilder, route_key
from minhbach.rules.text import fold

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_windows_1258(text: str) -> bytes:
    """windows-1258 has precomposed â ê ô ơ ư ă đ but writes tones as combining marks."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        tones = [p for p in parts if p in _TONES]
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES))
        out.append(base + "".join(tones))
    return "".join(out).encode("cp1258", errors="xmlcharrefreplace")


APP_SCRIPT_PATH = "/assets/app.js"
# What a single-page portal's bundle does, in a few lines: the page arrives empty and the script
# draws it (here from the page's own data, base64-encoded so that nothing of it reads as text).
APP_SCRIPT = ("(function () { var data = document.getElementById('du-lieu');"
              " var bytes = Uint8Array.from(atob(data.textContent.trim()), function (c) { return c.charCodeAt(0); });"
              " document.getElementById('app').outerHTML = new TextDecoder('utf-8').decode(bytes);"
              " data.remove(); })();")


def script_shell(title: str, html: str) -> bytes:
    """The page as a JavaScript portal serves it: a title, an empty <div id="app">, the page's
    body as data, and the script that draws it."""
    import base64
    import html as html_lib
    import re

    body = re.search(r"<body[^>]*>(.*)</body>", html, re.S)
    data = base64.b64encode((body.group(1) if body else html).encode("utf-8")).decode("ascii")
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{html_lib.escape(title)}</title>'
            f'</head><body><div id="app">Đang tải…</div><script type="text/plain" id="du-lieu">{data}</script>'
            f'<script src="{APP_SCRIPT_PATH}"></script></body></html>').encode()


def minimal_pdf(title: str, lines: tuple[str, ...] = (), scanned: bool = False) -> bytes:
    """A small valid one-page PDF whose text is the (folded) document title and `lines`; a
    `scanned` one draws only a grey box, as a page image would: it has no text layer."""
    def shown(value: str) -> str:
        return fold(value).upper().replace("(", "").replace(")", "").replace("\\", "")[:90]

    if scanned:
        stream = b"0.8 g 40 400 515 400 re f"
    else:
        texts = [shown(title)] + [shown(line) for line in lines]
        stream = ("BT /F1 11 Tf 40 780 Td " + " 0 -16 Td ".join(f"({t}) Tj" for t in texts) + " ET").encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def xlsx_bytes(title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(["Nội dung", "Dự toán", "Thực hiện"])
    sheet.append(["Tổng thu", 1250, 980])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def with_validators(status: int, headers: dict, body: bytes, request_headers) -> tuple[int, dict, bytes]:
    """Answer as a well-kept server does: an ETag for every 200, and 304 Not Modified (no
    body) when the client already holds that version."""
    if status != 200:
        return status, headers, body
    etag = f'"{hashlib.sha1(body).hexdigest()[:20]}"'
    headers = {**headers, "ETag": etag}
    asked = request_headers.get("If-None-Match")
    if asked and etag in [tag.strip() for tag in asked.split(",")]:
        return 304, {"ETag": etag}, b""
    return status, headers, body


class PortalPages:
    """What one demo portal answers for a path: (status, headers, body). `host` is the
    host:port the site is served on (its sitemap.xml lists absolute addresses)."""

    def __init__(self, portal: Portal, builder: PortalBuilder):
        self.portal, self.builder = portal, builder
        self.template = builder.env.get_template("page.html")

    def render(self, title: str, content: str, current: str) -> bytes:
        import markupsafe

        portal = self.portal
        html = self.template.render(
            site=portal.config, title=title, content=markupsafe.Markup(content), menu=portal.menu,
            home_url=self.builder.home_url(portal.platform), banners=self.builder.banners(portal),
            charset=portal.charset, current=current,
        )
        if portal.charset == "windows-1258":
            return to_windows_1258(html)
        if "js-shell" in portal.config.get("quirks", []):
            return script_shell(title, html)
        return html.encode("utf-8")

    def calendar(self, query: dict) -> tuple[str, str]:
        """The leaders' weekly calendar. On the trap site every week links to the next and
        previous one, and every day to a day view: an endless URL space."""
        today = self.portal.today
        week = query.get("tuan", [""])[0]
        try:
            year, number = week.split("-W")
            monday = date.fromisocalendar(int(year), int(number), 1)
        except ValueError:
            monday = today - timedelta(days=today.weekday())
        days = [monday + timedelta(days=i) for i in range(5)]
        rows = "".join(f"<tr><td>{d.strftime('%d/%m/%Y')}</td><td>08:00 – Giám đốc họp giao ban; 14:00 – làm việc với các phòng</td></tr>" for d in days)
        iso = monday.isocalendar()
        html = f"<h1>Lịch công tác tuần {iso.week} năm {iso.year}</h1><table class=\"lich\">{rows}</table>"
        if "calendar-trap" in self.portal.config.get("quirks", []):
            prev_week = (monday - timedelta(days=7)).isocalendar()
            next_week = (monday + timedelta(days=7)).isocalendar()
            html += (f'<a href="/lich-cong-tac?tuan={prev_week.year}-W{prev_week.week:02d}">« Tuần trước</a> '
                     f'<a href="/lich-cong-tac?tuan={next_week.year}-W{next_week.week:02d}">Tuần sau »</a>')
            html += "".join(f'<a href="/lich-cong-tac?ngay={d.isoformat()}">{d.strftime("%d/%m")}</a> ' for d in days)
        return "Lịch công tác", html

    def respond(self, path_and_query: str, host: str, scheme: str = "http") -> tuple[int, dict, bytes]:
        portal = self.portal
        parts = urlsplit(path_and_query)
        key = route_key(path_and_query)
        if parts.path in portal.redirects:
            return 302, {"Location": portal.redirects[parts.path]}, b""
        if parts.path == APP_SCRIPT_PATH and "js-shell" in portal.config.get("quirks", []):
            return 200, {"Content-Type": "text/javascript; charset=utf-8"}, APP_SCRIPT.encode()
        if parts.path == "/robots.txt":
            robots = portal.config.get("robots")
            if robots is None:
                return 404, {"Content-Type": "text/plain"}, b"Not found"
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, robots.encode()
        if parts.path == "/sitemap.xml":
            if not portal.config.get("sitemap_xml"):
                return 404, {"Content-Type": "text/html"}, b"<h1>404</h1>"
            locs = "".join(f"<url><loc>{scheme}://{host}{u.replace('&', '&amp;')}</loc></url>" for u in portal.sitemap_urls)
            xml = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
            return 200, {"Content-Type": "application/xml"}, xml.encode()
        if key in portal.files:
            attachment = portal.files[key]
            extension = attachment.filename.rsplit(".", 1)[-1]
            body = (minimal_pdf(attachment.title, attachment.lines, attachment.scanned) if extension == "pdf" else
                    xlsx_bytes(attachment.title) if extension == "xlsx" else
                    b"PK\x03\x04 demo document: " + attachment.title.encode())
            return 200, {"Content-Type": CONTENT_TYPES.get(extension, "application/octet-stream")}, body
        if parts.path == "/lich-cong-tac" and "lich-cong-tac" in portal.config["sections"]:
            title, content = self.calendar(parse_qs(parts.query))
        elif parts.path == "/tim-kiem":
            title, content = "Tìm kiếm", "<h1>Kết quả tìm kiếm</h1><p>Không tìm thấy kết quả.</p>"
        elif key in portal.pages:
            title, content = portal.pages[key]
        else:
            return 404, {"Content-Type": f"text/html; charset={portal.charset}"}, self.render(
                "Không tìm thấy trang", "<h1>404 – Không tìm thấy trang</h1>", path_and_query)
        return 200, {"Content-Type": f"text/html; charset={portal.charset}"}, self.render(title, content, path_and_query)


class PortalServer:
    """One site: a ThreadingHTTPServer on a port of its own (chosen by the system), in a daemon
    thread."""

    def __init__(self, portal: Portal, builder: PortalBuilder, port: int = 0):
        self.pages = PortalPages(portal, builder)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True
        self.bytes_sent = 0  # bodies only: what a recrawl saves is measured on them
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> PortalServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "DemoPortal/1.0"

            def log_message(self, *args):  # keep the demo's terminal clean
                pass

            def _send(self, head_only: bool) -> None:
                status, headers, body = with_validators(*server.pages.respond(self.path, server.host), self.headers)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head_only:
                    self.wfile.write(body)
                    server.bytes_sent += len(body)

            def do_GET(self):
                self._send(head_only=False)

            def do_HEAD(self):
                self._send(head_only=True)

        return Handler


class DemoProvince:
    """The demo province being served: a server per site that has content, on ports the system
    chose (a running `make demo` never collides with another), and for the site meant to be
    unreachable a port that is bound and never listens (its connections are refused for as
    long as the province runs). `registry()` is the registry with those addresses."""

    def __init__(self, servers: list[PortalServer], refused: dict[str, socket.socket], rows: list):
        self.servers, self.refused, self.rows = servers, refused, rows
        self.by_code = {server.pages.portal.code: server for server in servers}

    def url_of(self, code: str) -> str:
        row = next(r for r in self.rows if r.code == code)
        port = (self.by_code[code].httpd.server_address[1] if code in self.by_code
                else self.refused[code].getsockname()[1])
        return _with_port(row.portal_url, port)

    def registry(self, codes=None, orphans: bool = False) -> str:
        """The registry CSV (the columns of data/demo/agencies.csv) of the sites `codes` (all by
        default) at the addresses they are served on; `orphans`: without their parent agency."""
        import csv

        chosen = [r for r in self.rows if codes is None or r.code in codes]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("code", "name", "level", "province", "parent_code", "portal_url", "extra_hosts", "max_pages",
                         "render", "obey_robots", "notes"))
        for r in chosen:
            parent = "" if orphans or (codes is not None and r.parent_code not in codes) else (r.parent_code or "")
            writer.writerow((r.code, r.name, r.level, r.province, parent, self.url_of(r.code), r.extra_hosts,
                             r.max_pages or "", r.render, "yes" if r.obey_robots else "no", r.notes))
        return out.getvalue()

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        for refused in self.refused.values():
            refused.close()

    def __enter__(self) -> DemoProvince:
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


def _with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=f"{parts.hostname}:{port}").geturl()


def serve_demo(registry_rows, today: date, builder: PortalBuilder | None = None) -> DemoProvince:
    """Serve every demo site of `registry_rows` that has content; the others are refused."""
    builder = builder or PortalBuilder()
    rows = list(registry_rows)
    served = set(builder.site_codes())
    servers: list[PortalServer] = []
    refused: dict[str, socket.socket] = {}
    try:
        for row in rows:
            if row.code in served:
                servers.append(PortalServer(builder.build(row.code, today), builder).start())
            else:  # bound, never listening: a connection is refused, as by a server that is down
                closed = socket.socket()
                closed.bind(("127.0.0.1", 0))
                refused[row.code] = closed
    except BaseException:
        DemoProvince(servers, refused, rows).stop()
        raise
    return DemoProvince(servers, refused, rows)
