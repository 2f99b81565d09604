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


class ServedApp:
    """An ASGI app (the dashboard) served by uvicorn on a socket this process bound first: no
    port is chosen, then given away, then taken."""

    def __init__(self, app):
        import uvicorn

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> ServedApp:
        import time

        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc) -> None:
        self.server.should_exit = True
        self.thread.join(5)
        self.socket.close()


def smtp_controller(handler, **options):
    """aiosmtpd's Controller on a socket bound first (the same reason as ServedApp); `.port` is
    its port."""
    from aiosmtpd.controller import Controller

    class BoundController(Controller):
        def __init__(self):
            self.bound = socket.socket()
            self.bound.bind(("127.0.0.1", 0))
            super().__init__(handler, hostname="127.0.0.1", port=self.bound.getsockname()[1], **options)

        def _create_server(self):
            return self.loop.create_server(self._factory_invoker, sock=self.bound, ssl=self.ssl_context)

    return BoundController()
