"""Small sites on loopback, served by the test itself."""
from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port(host: str = "127.0.0.1") -> int:
    """A port free on `host` now, for servers that must be told theirs before they start."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class LoopbackSite:
    """A tiny site on 127.0.0.1: `pages` maps a path to (status, headers, body); every hit is
    recorded in `hits`, and with `conditional` (ETags, 304 Not Modified) in `answers` as
    (path, status, body bytes sent)."""

    def __init__(self, pages: dict[str, tuple[int, dict, bytes]], conditional: bool = False):
        from minhbach.audit.ops.demo.server import with_validators

        self.pages = pages
        self.hits: list[str] = []
        self.answers: list[tuple[str, int, int]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                site.hits.append(self.path)
                status, headers, body = site.pages.get(self.path, (404, {"Content-Type": "text/html"}, b"<h1>404</h1>"))
                if conditional:
                    status, headers, body = with_validators(status, headers, body, self.headers)
                site.answers.append((self.path, status, len(body)))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_HEAD = do_GET

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def html(body: str, title: str = "Trang") -> tuple[int, dict, bytes]:
    page = f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()
