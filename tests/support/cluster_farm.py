"""A farm of small portals for the cluster's tests and benchmark: each site on a loopback
address of its own (127.x.y.z: a host of its own for the crawler's per-host limit and for the
cluster's leases), answering each request after `delay` seconds, and counting on the server
side how many requests each host has in progress at once."""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from minhbach.audit.ops.demo.server import with_validators


def page(title: str, body: str) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>{body}"
            f"<footer>Đường dây nóng: 0211 3845 113</footer></body></html>").encode()


@dataclass
class Host:
    """One host's server: `peak` is the most requests it ever had in progress at once."""
    address: str
    pages: int
    delay: float
    crawl_delay: float | None = None
    active: int = 0
    peak: int = 0
    hits: int = 0
    starts: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def body(self, path: str) -> tuple[int, str, bytes]:
        if path == "/robots.txt":
            rules = "User-agent: *\nDisallow: /private/\n"
            if self.crawl_delay:
                rules += f"Crawl-delay: {self.crawl_delay}\n"
            return 200, "text/plain", rules.encode()
        if path in ("/", "/a/", "/b/"):
            links = "".join(f"<li><a href='/tin/{n}'>Tin tức số {n}</a></li>" for n in range(1, self.pages))
            return 200, "text/html; charset=utf-8", page(
                "Cổng thông tin điện tử", "<a href='/cong-khai-ngan-sach'>Công khai ngân sách</a>"
                f"<ul>{links}</ul>")
        if path == "/cong-khai-ngan-sach":
            return 200, "text/html; charset=utf-8", page(
                "Công khai ngân sách", "<p>Công khai dự toán ngân sách năm 2026, ngày 05/01/2026</p>")
        if path.startswith("/tin/"):
            n = path.rsplit("/", 1)[-1]
            return 200, "text/html; charset=utf-8", page(f"Tin tức số {n}",
                                                          f"<p>Ngày 0{int(n) % 9 + 1}/11/2026: bài số {n}.</p>")
        return 404, "text/html; charset=utf-8", b"<h1>404</h1>"


class Farm:
    def __init__(self, sites: int, pages: int = 12, delay: float = 0.05, crawl_delay_hosts: tuple[int, ...] = (),
                 crawl_delay: float = 0.5):
        second = random.randint(20, 250)  # a loopback range of this farm's own
        self.hosts = [Host(f"127.{second}.{i // 250}.{i % 250 + 1}", pages, delay,
                           crawl_delay if i in crawl_delay_hosts else None) for i in range(sites)]
        self.servers = []
        for host in self.hosts:
            server = ThreadingHTTPServer((host.address, 0), self._handler(host))
            server.daemon_threads = True
            host.port = server.server_address[1]
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)

    @staticmethod
    def _handler(host: Host):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with host.lock:
                    host.active += 1
                    host.hits += 1
                    host.peak = max(host.peak, host.active)
                    host.starts.append(time.monotonic())
                try:
                    if self.path != "/robots.txt":
                        time.sleep(host.delay)
                    status, kind, body = host.body(self.path)
                    # ETags and 304 Not Modified, as a well-kept server: an incremental recrawl
                    status, headers, body = with_validators(status, {"Content-Type": kind}, body, self.headers)
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a worker killed mid-request
                finally:
                    with host.lock:
                        host.active -= 1

            do_HEAD = do_GET

        return Handler

    def url(self, i: int, path: str = "/") -> str:
        host = self.hosts[i]
        return f"http://{host.address}:{host.port}{path}"

    def registry(self, shared_hosts: tuple[int, ...] = ()) -> str:
        """The farm as a registry CSV: one agency per host, and for each host of `shared_hosts`
        one more agency whose portal is on it (two agencies, one server, as communes on a
        province's platform). Its code sorts next to the other's: the two are on the queue one
        after the other, so two workers would take them at once but for the host's lease."""
        lines = ["code,name,level,province,parent_code,portal_url,max_pages"]
        for i in range(len(self.hosts)):
            lines.append(f"site-{i:03d},Sở số {i},so,Hòa Sơn,,{self.url(i)},")
            if i in shared_hosts:
                lines.append(f"site-{i:03d}-b,Xã {i} chung máy chủ,xa,Hòa Sơn,,{self.url(i, '/b/')},")
        return "\n".join(lines) + "\n"

    def close(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()
