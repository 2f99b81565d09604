"""Shared fixtures: isolated data folders, SQLite and PostgreSQL stores, loopback servers."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PG_URL = os.environ.get("MINHBACH_TEST_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(message: str, in_ci: str = "required under CI=true", elsewhere: str = ""):
    """A service or tool a test needs is missing: the test is skipped with the reason on a
    user's machine, and fails under CI=true, where everything must run."""
    if IN_CI:
        pytest.fail(f"{message} - {in_ci}")
    pytest.skip(message + elsewhere)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MINHBACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MINHBACH_DATABASE_URL", raising=False)
    return tmp_path / "data"


def _postgres_available() -> str | None:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


@pytest.fixture
def pg_url():
    """A PostgreSQL URL on a fresh schema. Skips off CI when PostgreSQL is absent; fails in CI."""
    problem = _postgres_available()
    if problem:
        unavailable(f"PostgreSQL not reachable at {PG_URL} ({problem})",
                    elsewhere="; set MINHBACH_TEST_PG_URL to run these tests")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'drop schema "{schema}" cascade'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("pg_url")


def free_port(host: str = "127.0.0.1") -> int:
    """A port free on `host` now, for servers that must be told theirs before they start."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def run_cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `minhbach ARGS` the way a user does, in a child process."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "minhbach.audit.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=ROOT)


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


def needs_chromium(what: str) -> None:
    """The demo's Sở Tài chính is a portal drawn by JavaScript: without a browser it is
    (rightly) unknown, and tests that expect its scores cannot hold. Skips off CI; fails in CI."""
    from minhbach.crawler.rendering import chromium_path

    if chromium_path() is None:
        unavailable(f"{what} needs Debian's chromium (apt-get install chromium): the demo's Sở Tài chính is "
                    "drawn by JavaScript", in_ci=".ci/run installs it")


@pytest.fixture(scope="session")
def demo_output(tmp_path_factory):
    """`minhbach demo` run once for the session, on a pinned day: (output folder, stdout)."""
    needs_chromium("the demo's expected results")
    out = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--out", str(out), "--today", "2026-11-21")
    assert result.returncode == 0, result.stderr
    return out, result.stdout


@pytest.fixture
def demo_store(demo_output, tmp_path, monkeypatch):
    """A copy of the demo's store (its month's report already frozen), as the data folder."""
    out, _ = demo_output
    copy = tmp_path / "store"
    shutil.copytree(out, copy)
    monkeypatch.setenv("MINHBACH_DATA_DIR", str(copy))
    monkeypatch.delenv("MINHBACH_DATABASE_URL", raising=False)
    monkeypatch.delenv("MINHBACH_CONFIG", raising=False)
    return copy


PASSWORD = "mat-khau-dai-du"  # the web tests' accounts: quantri (admin), sotuphap (stp-hs)
PAYLOAD = (b"<html><head><meta charset='utf-8'><script>window.__xss = 1; alert(1)</script></head><body>"
           b"<h1>C\xc3\xb4ng khai ng\xc3\xa2n s\xc3\xa1ch</h1><img src=x onerror=\"window.__xss=2\">"
           b"<a href=\"javascript:window.__xss=3\">b\xe1\xba\xa5m</a><iframe src=\"http://example.com/\"></iframe>"
           b"<p>D\xe1\xbb\xb1 to\xc3\xa1n ng\xc3\xa2n s\xc3\xa1ch n\xc4\x83m 2026</p></body></html>")


@pytest.fixture
def web(demo_store):
    """The dashboard on a copy of the demo's store: (test client, API token, sha256 of a stored
    page full of script payloads), with an admin and an agency account."""
    from fastapi.testclient import TestClient

    from minhbach.audit.people.accounts import add_token, add_user
    from minhbach.audit.store.bodies import BodyStore
    from minhbach.audit.store.db import open_store
    from minhbach.audit.store.models import Page, SiteCrawl
    from minhbach.audit.web.app import create_app

    copy = demo_store
    sessions = open_store()
    with sessions() as session:
        add_user(session, "quantri", PASSWORD, "admin")
        add_user(session, "sotuphap", PASSWORD, "agency", "stp-hs")
        token = add_token(session, "bao-cao")
        site = session.query(SiteCrawl).first()
        sha = BodyStore(copy / "bodies").put(PAYLOAD)
        session.add(Page(site_crawl_id=site.id, requested_url="http://x/", final_url="http://x/", http_status=200,
                         sha256=sha, encoding="utf-8", title="Trang có mã độc"))
        session.commit()
    return TestClient(create_app(), base_url="http://testserver", follow_redirects=False), token, sha




@pytest.fixture
def english(monkeypatch):
    """Messages in their English source: for tests of what an error says (test_i18n checks that
    each has its Vietnamese, which users see by default)."""
    monkeypatch.setenv("MINHBACH_LANG", "en")
