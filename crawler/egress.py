"""The browser's only way out: a small HTTP proxy on loopback that every request of the
Chromium that renders portals goes through (navigations and each of their redirect hops,
frames, scripts, styles, fetch/XHR, WebSocket), checked against the crawl's own address policy
(crawler/safety.py) on the address it then connects to.

Why a proxy rather than Playwright's request interception: interception does not see every
redirect hop nor every WebSocket, and Chromium resolves names itself, so a portal's DNS can
answer the check with one address and the connection with another. Here the proxy resolves the
name once (with the crawl's `--resolve` pins and `--no-dns`, as Scrapy's resolver does), checks
that address and connects to that address, so `--resolve`, `--no-dns` and
`--allow-private-host` bind the browser exactly as they bind Scrapy. Chromium itself is told
to resolve nothing (crawler/rendering.py).

A refused request gets a 403 carrying `X-Minhbach-Refused`, and its reason is kept by host, so
the render of a page whose navigation was refused is refused with that reason, and nothing from
the refused address is stored. The check fails closed: a name that cannot be resolved is
refused, with the resolver's error.
"""
from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import threading
from collections import OrderedDict
from urllib.parse import urlsplit

from minhbach.crawler.safety import AddressPolicy, literal_address

REFUSED_HEADER = "X-Minhbach-Refused"
HEAD_LIMIT = 64 * 1024      # bytes of a request or response head
IDLE_SECONDS = 60.0         # a connection that says nothing for this long is closed
KEPT_REFUSALS = 512         # hosts whose refusal is remembered (for the render's verdict)
# hop-by-hop headers: the proxy speaks for itself on each side
_HOP_HEADERS = frozenset({"connection", "proxy-connection", "keep-alive", "proxy-authorization",
                          "proxy-authenticate", "te", "trailer", "upgrade"})


class Refusal(Exception):
    def __init__(self, kind: str, /, **values):
        super().__init__(kind)
        self.reason = {"kind": kind, **values}


def netloc(host: str, port: int) -> str:
    """host[:port] as the crawl's policy names hosts (default ports dropped)."""
    shown = f"[{host}]" if ":" in host else host
    return host if port in (80, 443) else f"{shown}:{port}"


class GuardingProxy:
    """The proxy, in a thread of its own with its own event loop (the crawl's loop is Twisted's),
    listening on 127.0.0.1 on a port the system chooses."""

    def __init__(self, policy: AddressPolicy, pins: dict[str, str] | None = None, no_dns: bool = False):
        self.policy, self.pins, self.no_dns = policy, {h.lower(): a for h, a in (pins or {}).items()}, no_dns
        self.refusals: OrderedDict[str, dict] = OrderedDict()
        self.refused_count = 0
        self.port = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None

    # -- life --------------------------------------------------------------------------
    def start(self) -> int:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="minhbach-egress", daemon=True)
        self._thread.start()
        ready.wait(10)
        if not self.port:
            raise RuntimeError("the browser's guarding proxy did not start")
        return self.port

    def _run(self, ready: threading.Event) -> None:
        loop = self._loop = asyncio.new_event_loop()
        self._server = loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0, limit=HEAD_LIMIT))
        self.port = self._server.sockets[0].getsockname()[1]
        ready.set()
        loop.run_forever()
        self._server.close()
        loop.run_until_complete(self._server.wait_closed())
        loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- verdicts ----------------------------------------------------------------------
    def refusal_for(self, url: str) -> dict | None:
        """The reason the proxy refused `url`'s host, if it did."""
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme in ("https", "wss") else 80)
        except ValueError:
            return None
        with self._lock:
            return self.refusals.get(netloc((parts.hostname or "").lower(), port))

    def latest_refusal(self) -> dict | None:
        with self._lock:
            return next(reversed(self.refusals.values()), None)

    def _remember(self, where: str, reason: dict) -> None:
        with self._lock:
            self.refused_count += 1
            self.refusals[where] = reason
            self.refusals.move_to_end(where)
            while len(self.refusals) > KEPT_REFUSALS:
                self.refusals.popitem(last=False)

    async def admit(self, host: str, port: int) -> str:
        """The address to connect to for host:port, or Refusal."""
        host = host.lower().strip("[]")
        where = netloc(host, port)
        address = self.pins.get(host) or literal_address(host)
        if address is None:
            if self.no_dns:
                raise Refusal("dns", host=host, error="no_dns")
            address = await self._lookup(host, port)
        if not self.policy.allows(host, where, address):
            raise Refusal("private_address", address=address, host=host)
        return address

    async def _lookup(self, host: str, port: int) -> str:
        assert self._loop is not None
        try:
            found = await self._loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise Refusal("dns", host=host, error=type(error).__name__) from error
        if not found:
            raise Refusal("dns", host=host, error="no_address")
        return str(ipaddress.ip_address(found[0][4][0]))

    # -- the protocol ------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._exchange(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, UnicodeError):
            pass
        finally:
            with contextlib.suppress(OSError):
                writer.close()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_SECONDS)
        request_line, *lines = head.decode("latin-1").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        if method == "CONNECT":
            host, _, port_text = target.rpartition(":")
            port, path = int(port_text), ""
        else:
            parts = urlsplit(target)
            if parts.scheme != "http" or not parts.hostname:
                raise ValueError("not an absolute http address")
            host, port = parts.hostname, parts.port or 80
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            address = await self.admit(host, port)
        except Refusal as refusal:
            self._remember(netloc(host.lower().strip("[]"), port), refusal.reason)
            writer.write(_refused_answer(refusal.reason))
            await writer.drain()
            return
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(address, port, limit=HEAD_LIMIT), IDLE_SECONDS)
        except (TimeoutError, OSError):
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            return
        try:
            if method == "CONNECT":
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
            else:
                headers = _end_to_end(lines)
                up_writer.write(f"{method} {path} HTTP/1.1\r\n".encode("latin-1")
                                + "".join(f"{line}\r\n" for line in headers).encode("latin-1")
                                + b"Connection: close\r\n\r\n")
                await up_writer.drain()
            await asyncio.gather(_pipe(reader, up_writer),
                                 _pipe(up_reader, writer, answer=method != "CONNECT"))
        finally:
            with contextlib.suppress(OSError):
                up_writer.close()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter, answer: bool = False) -> None:
    """Copy until either side ends. An answer's head is rewritten to close the connection after
    it, so the browser never sends a second request (for another host) down a checked one."""
    try:
        if answer:
            head = await asyncio.wait_for(source.readuntil(b"\r\n\r\n"), IDLE_SECONDS)
            status, *lines = head.decode("latin-1").split("\r\n")
            kept = _end_to_end(lines)
            sink.write((status + "\r\n" + "".join(f"{line}\r\n" for line in kept)
                        + "Connection: close\r\nProxy-Connection: close\r\n\r\n").encode("latin-1"))
        while True:
            chunk = await asyncio.wait_for(source.read(65536), IDLE_SECONDS)
            if not chunk:
                break
            sink.write(chunk)
            await sink.drain()
    except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        with contextlib.suppress(OSError):
            if sink.can_write_eof():
                sink.write_eof()
            else:
                sink.close()


def _end_to_end(lines: list[str]) -> list[str]:
    """A head's header lines without the hop-by-hop ones."""
    return [line for line in lines if line and line.split(":", 1)[0].strip().lower() not in _HOP_HEADERS]


def _refused_answer(reason: dict) -> bytes:
    body = b"refused by minhbach's address policy\n"
    return (f"HTTP/1.1 403 Forbidden\r\n{REFUSED_HEADER}: {reason['kind']}\r\n"
            f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
            "Proxy-Connection: close\r\n\r\n").encode("latin-1") + body
