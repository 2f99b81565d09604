"""Shared fixtures: isolated data folders, SQLite and PostgreSQL stores, the demo, the dashboard.
(Helpers the tests import are in tests/support/.)"""
from __future__ import annotations

import shutil
import uuid

import pytest

from tests.support.cli import run_cli
from tests.support.services import PG_URL, needs_chromium, postgres_problem, unavailable
from tests.support.web import PASSWORD, PAYLOAD


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MINHBACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MINHBACH_DATABASE_URL", raising=False)
    return tmp_path / "data"


@pytest.fixture
def pg_url():
    """A PostgreSQL URL on a fresh schema. Skips off CI when PostgreSQL is absent; fails in CI."""
    problem = postgres_problem()
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


@pytest.fixture
def web(demo_store):
    """The dashboard on a copy of the demo's store: (test client, API token, sha256 of a stored
    page full of script payloads), with an admin and an agency account."""
    from fastapi.testclient import TestClient

    from minhbach.audit import config
    from minhbach.audit.people.accounts import add_token, add_user
    from minhbach.audit.store.db import Store
    from minhbach.audit.store.models import Agency, Finding, Page, SiteCrawl
    from minhbach.audit.web.app import create_app

    settings = config.load()
    store = Store.open(settings)
    sessions = store.sessions
    with sessions() as session:
        add_user(session, "quantri", PASSWORD, "admin")
        add_user(session, "sotuphap", PASSWORD, "agency", "stp-hs")
        token = add_token(session, "bao-cao")
        site = session.query(SiteCrawl).first()
        sha = store.bodies.put(PAYLOAD)
        session.add(Page(site_crawl_id=site.id, requested_url="http://x/", final_url="http://x/", http_status=200,
                         sha256=sha, encoding="utf-8", title="Trang có mã độc"))
        # a body is served only as a finding's evidence: one of stp-hs's findings cites it
        finding = session.query(Finding).join(Agency).filter(Agency.code == "stp-hs").order_by(Finding.id.desc()).first()
        finding.stored_copy = sha
        session.commit()
    return TestClient(create_app(settings, store), base_url="http://testserver", follow_redirects=False), token, sha




@pytest.fixture
def english(monkeypatch):
    """Messages in their English source: for tests of what an error says (test_i18n checks that
    each has its Vietnamese, which users see by default)."""
    monkeypatch.setenv("MINHBACH_LANG", "en")


@pytest.fixture
def smtp_inbox():
    """An SMTP server on loopback: (its port, the messages it received)."""
    from aiosmtpd.handlers import Message

    from tests.support.sites import smtp_controller

    received = []

    class Inbox(Message):
        def handle_message(self, message):
            received.append(message)

    controller = smtp_controller(Inbox())
    controller.start()
    yield controller.port, received
    controller.stop()
