"""A farm of hostile sites on loopback, each on its own address (127.0.0.11, 127.0.0.12 ...):
two healthy controls and one site per network or content fault.

Every site that serves content serves the same portal (the demo's exemplary provincial
portal), so a site whose fault minhbach survives must be judged exactly like the controls.
"""
from __future__ import annotations

import datetime as dt
import gzip
import socket
import socketserver
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from minhbach.audit.ops.demo.portal import PortalBuilder
from minhbach.audit.ops.demo.server import PortalPages, minimal_pdf, to_windows_1258
from tests.support.legacy_text import to_legacy

CONTENT_CODE = "ubnd-hs"   # the demo portal every content site serves
MB = 1024 * 1024


@dataclass
class FarmSite:
    code: str
    fault: str
    address: str
    scheme: str = "http"
    host: str = ""             # a name instead of the address (the DNS-failure site)
    expect_status: str = "ok"  # ok | partial | unreachable | blocked
    expect_reason: str = ""    # a piece of the Vietnamese reason
    judged: str = "like_control"  # like_control | not_failed | unknown

    def url(self, port: int) -> str:
        return f"{self.scheme}://{self.host or self.address}:{port}/"


SITES = [
    FarmSite("ctl-a", "none", "127.0.0.11"),
    FarmSite("ctl-b", "none", "127.0.0.12"),
    FarmSite("dns", "dns", "127.0.0.13", host="khong-ton-tai.farm.test", expect_status="unreachable",
             expect_reason="lỗi DNS", judged="unknown"),
    FarmSite("refused", "refused", "127.0.0.14", expect_status="unreachable",
             expect_reason="từ chối kết nối", judged="unknown"),
    FarmSite("home-silent", "home-silent", "127.0.0.15", expect_status="unreachable",
             expect_reason="hết thời gian", judged="unknown"),
    FarmSite("home-drip", "home-drip", "127.0.0.16", expect_status="unreachable",
             expect_reason="hết thời gian", judged="unknown"),
    FarmSite("inner-drip", "inner-drip", "127.0.0.17", expect_status="partial",
             expect_reason="thu thập chưa đầy đủ", judged="not_failed"),
    FarmSite("tls-garbage", "tls-garbage", "127.0.0.18", scheme="https", expect_status="unreachable",
             expect_reason="TLS", judged="unknown"),
    FarmSite("home-503", "home-503", "127.0.0.19", expect_status="unreachable",
             expect_reason="HTTP 503", judged="unknown"),
    FarmSite("redirect-loop", "redirect-loop", "127.0.0.20", expect_status="unreachable",
             expect_reason="chuyển hướng vòng lặp", judged="unknown"),
    FarmSite("redirect-home", "redirect-home", "127.0.0.21"),
    FarmSite("redirect-private", "redirect-private", "127.0.0.22", expect_status="blocked",
             expect_reason="địa chỉ nội bộ 169.254.169.254", judged="unknown"),
    FarmSite("calendar", "calendar", "127.0.0.23"),
    FarmSite("huge", "huge", "127.0.0.24", expect_status="partial", expect_reason="quá dung lượng"),
    FarmSite("gzip-bomb", "gzip-bomb", "127.0.0.25", expect_status="partial", expect_reason="quá dung lượng"),
    FarmSite("cp1258", "cp1258", "127.0.0.26"),
    FarmSite("tcvn3", "tcvn3", "127.0.0.27"),
    FarmSite("vni", "vni", "127.0.0.28"),
    FarmSite("malformed", "malformed", "127.0.0.29"),
    FarmSite("robots", "robots", "127.0.0.30", expect_status="blocked", expect_reason="robots.txt",
             judged="unknown"),
    FarmSite("waf", "waf", "127.0.0.31", expect_status="partial", expect_reason="lỗi HTTP 403",
             judged="not_failed"),
    FarmSite("binary-home", "binary-home", "127.0.0.32", expect_status="unreachable",
             expect_reason="không phải trang HTML", judged="unknown"),
    FarmSite("tls-valid", "tls-valid", "127.0.0.33", scheme="https"),
    FarmSite("tls-self-signed", "tls-self-signed", "127.0.0.34", scheme="https"),
    FarmSite("tls-expired", "tls-expired", "127.0.0.35", scheme="https"),
    FarmSite("tls-wrong-host", "tls-wrong-host", "127.0.0.36", scheme="https"),
]
TLS_EXPECTED = {"tls-valid": "pass", "tls-self-signed": "fail", "tls-expired": "fail", "tls-wrong-host": "fail"}


def registry_csv(port: int) -> str:
    rows = ["code,name,level,province,parent_code,portal_url"]
    rows += [f"{s.code},Cổng thử nghiệm {s.code},tinh,Trang trại lỗi,,{s.url(port)}" for s in SITES]
    return "\n".join(rows) + "\n"


# -- certificates ---------------------------------------------------------------------------

def make_certificates(folder: Path) -> dict[str, tuple[Path, Path]]:
    """A test CA (its PEM is what `--ca-file` trusts) and one certificate per TLS site:
    {fault: (cert.pem, key.pem)}, plus "ca": (ca.pem, ca-key.pem)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(text):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    def write(stem, cert, key):
        cert_path, key_path = folder / f"{stem}.pem", folder / f"{stem}-key.pem"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        return cert_path, key_path

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("minhbach test CA")).issuer_name(name("minhbach test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    out = {"ca": write("ca", ca, ca_key)}
    sites = {s.fault: s for s in SITES if s.fault.startswith("tls-") and s.fault != "tls-garbage"}
    for fault, site in sites.items():
        key = ec.generate_private_key(ec.SECP256R1())
        issuer, signer = (name(site.address), key) if fault == "tls-self-signed" else (ca.subject, ca_key)
        names = ([x509.DNSName("khac.gov.vn")] if fault == "tls-wrong-host"
                 else [x509.IPAddress(ipaddress.ip_address(site.address))])
        start, end = ((now - dt.timedelta(days=60), now - dt.timedelta(days=30)) if fault == "tls-expired"
                      else (now - dt.timedelta(days=1), now + dt.timedelta(days=30)))
        builder = (x509.CertificateBuilder().subject_name(name(site.address)).issuer_name(issuer)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(start).not_valid_after(end)
                   .add_extension(x509.SubjectAlternativeName(names), critical=False))
        if fault != "tls-self-signed":
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        out[fault] = write(fault, builder.sign(signer, hashes.SHA256()), key)
    return out


# -- the servers ----------------------------------------------------------------------------

class FaultFarm:
    """Starts every site's server at its own address, all on one port: the first server binds
    one the system chooses, the others (other addresses) take the same; `stop()` ends them all.
    The "refused" site's address holds the port bound and never listens."""

    def __init__(self, today: dt.date, cert_dir: Path, port: int = 0):
        self.port = port
        portal = PortalBuilder().build(CONTENT_CODE, today)
        self.pages = PortalPages(portal, PortalBuilder())
        self.certificates = make_certificates(cert_dir)
        self.servers: list[socketserver.BaseServer] = []
        self.closed: list[socket.socket] = []

    @property
    def ca_file(self) -> Path:
        return self.certificates["ca"][0]

    def start(self) -> FaultFarm:
        """Start every site; when the port the first one got is taken at another address, all
        start again on a new one."""
        wanted = self.port
        for _ in range(20):
            try:
                return self._start()
            except OSError:
                self.stop()
                self.servers, self.closed, self.port = [], [], wanted
                if wanted:
                    raise
        raise RuntimeError("no port free on every farm address")

    def _start(self) -> FaultFarm:
        try:
            for site in SITES:
                if site.fault == "dns":
                    continue  # no such name: that is the fault
                if site.fault == "refused":  # bound, never listening: connections are refused
                    closed = socket.socket()
                    closed.bind((site.address, self.port))
                    self.closed.append(closed)
                    continue
                server = self._server_for(site)
                self.port = server.server_address[1]   # the port the first one was given
                self.servers.append(server)
                threading.Thread(target=server.serve_forever, daemon=True).start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
        for closed in self.closed:
            closed.close()

    def _server_for(self, site: FarmSite) -> socketserver.BaseServer:
        address = (site.address, self.port)
        if site.fault == "tls-garbage":
            server = socketserver.ThreadingTCPServer(address, GarbageHandler, bind_and_activate=False)
        elif site.fault == "home-silent":
            server = socketserver.ThreadingTCPServer(address, SilentHandler, bind_and_activate=False)
        else:
            server = ThreadingHTTPServer(address, self._handler(site), bind_and_activate=False)
        server.daemon_threads = True
        server.allow_reuse_address = True
        server.server_bind()
        server.server_activate()
        if site.fault in self.certificates:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.certificates[site.fault])
            server.socket = context.wrap_socket(server.socket, server_side=True)
        return server

    def respond(self, site: FarmSite, path: str) -> tuple[int, dict, bytes] | str:
        """(status, headers, body) for `path` on `site`, or the name of a streaming behaviour."""
        host = f"{site.address}:{self.port}"
        fault = site.fault
        if fault == "home-503":
            return 503, {"Content-Type": "text/html"}, b"<h1>Service Unavailable</h1>"
        if fault == "redirect-loop":
            return 302, {"Location": "/vong-lap" if path == "/" else "/"}, b""
        if fault == "redirect-private":
            return 302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""
        if fault == "redirect-home" and path == "/":
            return 301, {"Location": "/trang-chu"}, b""
        if fault == "redirect-home" and path == "/trang-chu":
            path = "/"
        if fault == "robots" and path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /\n"
        if fault == "binary-home" and path == "/":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, minimal_pdf("Báo cáo") * 3
        if fault == "home-drip" and path == "/":
            return "drip"
        if fault == "inner-drip" and path not in ("/", "/robots.txt"):
            return "drip"
        if fault == "waf" and path not in ("/", "/robots.txt"):  # the home page passes, nothing after it
            return 403, {"Content-Type": "text/html"}, b"<h1>403 Forbidden</h1><p>Request blocked.</p>"
        if path == "/tai-lieu-lon":
            return "huge" if fault == "huge" else "gzip-bomb" if fault == "gzip-bomb" else (404, {}, b"")
        if path == "/du-lieu-truc-tiep" and fault == "huge":
            return "stream"
        if fault == "calendar" and path.startswith("/lich/"):
            return self._calendar(path)
        status, headers, body = self.pages.respond(path, host, site.scheme)
        if "html" in headers.get("Content-Type", "") and status == 200:
            body = self._mangle(site, body)
            if fault in ("cp1258", "tcvn3", "vni"):
                headers = {"Content-Type": "text/html"}  # undeclared, as old sites are
        return status, headers, body

    def _mangle(self, site: FarmSite, body: bytes) -> bytes:
        fault = site.fault
        extra = ""
        if fault in ("huge", "gzip-bomb"):
            extra = '<a href="/tai-lieu-lon">Tài liệu lớn</a> <a href="/du-lieu-truc-tiep">Dữ liệu trực tiếp</a>'
        if fault == "calendar":
            extra = '<a href="/lich/2026/11/">Lịch tháng</a>'
        if fault == "malformed":
            extra = ('<a href="http://[2001:db8::1/bad">IPv6 hỏng</a> <a href="http://x.gov.vn:8O80/">cổng sai</a>'
                     '<table><tr><td><p>ô không đóng <b>đậm <i>nghiêng</table>')
        text = body.decode("utf-8").replace("</body>", extra + "</body>")
        if fault == "malformed":  # the page's whole content inside 300 levels of nesting
            text = text.replace("<body>", "<body>" + "<div>" * 300, 1).replace("</body>", "</div>" * 150 + "</body>")
        if fault in ("cp1258", "tcvn3", "vni"):
            text = text.replace('<meta charset="utf-8">', "")
            return to_windows_1258(text) if fault == "cp1258" else to_legacy(text, fault)
        return text.encode("utf-8")

    def _calendar(self, path: str) -> tuple[int, dict, bytes]:
        parts = [p for p in path.split("/") if p]
        year, month = int(parts[1]), int(parts[2])
        before = (year - 1, 12) if month == 1 else (year, month - 1)
        after = (year + 1, 1) if month == 12 else (year, month + 1)
        body = (f"<html><head><meta charset='utf-8'><title>Lịch tháng {month}/{year}</title></head><body>"
                f"<a href='/lich/{before[0]}/{before[1]}/'>Tháng trước</a> <a href='/lich/{after[0]}/{after[1]}/'>"
                "Tháng sau</a></body></html>")
        return 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode()

    def _handler(self, site: FarmSite):
        farm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                self.do_GET(head=True)

            def do_GET(self, head: bool = False):
                try:
                    answer = farm.respond(site, self.path.split("#")[0])
                    if isinstance(answer, str):
                        return self.stream(answer)
                    status, headers, body = answer
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if not head:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass

            def stream(self, kind: str) -> None:
                if kind == "drip":  # one byte every 2 seconds, for up to 5 minutes
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", "1000000")
                    self.end_headers()
                    for _ in range(150):
                        self.wfile.write(b"<")
                        self.wfile.flush()
                        time.sleep(2)
                elif kind == "huge":  # 20 MB, announced
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(20 * MB))
                    self.end_headers()
                    chunk = b"<p>" + b"x" * (MB - 3)
                    for _ in range(20):
                        self.wfile.write(chunk)
                elif kind == "stream":  # 40 MB, chunked, no length announced
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    chunk = b"<p>" + b"y" * (MB - 3)
                    for _ in range(40):
                        self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                elif kind == "gzip-bomb":  # 200 KB on the wire, 200 MB unpacked
                    body = GZIP_BOMB()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Encoding", "gzip")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                self.close_connection = True

        return Handler


_bomb: list[bytes] = []


def GZIP_BOMB() -> bytes:
    if not _bomb:
        _bomb.append(gzip.compress(b"\0" * (200 * MB), compresslevel=9))
    return _bomb[0]


class GarbageHandler(socketserver.BaseRequestHandler):
    """Not TLS at all: bytes that no TLS client can read."""

    def handle(self):
        try:
            self.request.sendall(b"\x15\x03\x00 not a TLS server \x00\xff" * 40)
            time.sleep(0.5)
        except OSError:
            pass


class SilentHandler(socketserver.BaseRequestHandler):
    """Accepts the connection and never answers."""

    def handle(self):
        self.request.settimeout(120)
        try:
            while self.request.recv(4096):
                pass
        except (TimeoutError, OSError):
            pass
