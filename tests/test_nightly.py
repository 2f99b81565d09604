"""`minhbach nightly` over the demo province served on loopback, as cron or systemd runs it:
an unchanged second night costs a fraction of the first and tells nobody; a removed budget
section is the first line of the next diff and an e-mail; the lock; SIGKILL at a random moment."""
import hashlib
import hmac
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from minhbach.audit.ops.demo.server import serve_demo
from minhbach.audit.ops.locks import NightLock
from minhbach.audit.registry.agencies import parse_registry
from tests.support.cli import run_cli
from tests.support.paths import DEMO_REGISTRY, ROOT
from tests.support.sites import smtp_controller

pytestmark = pytest.mark.slow   # crawls loopback sites (make test-fast leaves it out)

NIGHT = "2026-11-21"
SECRET = "bí mật chung"


# The sites a night of these tests needs: the province (parent of the others), the department
# whose budget section goes, one that is fine, the one that cannot be reached (no script-drawn
# portal, no calendar trap: they add time and nothing to what is tested here).
NIGHT_SITES = ("ubnd-hs", "stp-hs", "syt-hs", "sgddt-hs")


@pytest.fixture
def demo_province():
    with serve_demo(parse_registry(DEMO_REGISTRY), date(2026, 11, 21)) as province:
        yield province


@pytest.fixture
def demo_sites(demo_province, data_dir):
    """The servers of NIGHT_SITES by code; their registry is imported into the test's store."""
    registry = data_dir.parent / "agencies.csv"
    registry.write_text(demo_province.registry(NIGHT_SITES), encoding="utf-8")
    assert run_cli("agencies", "import", str(registry)).returncode == 0
    return demo_province.by_code


@pytest.fixture
def webhook():
    posts = []

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            posts.append((self.headers["X-Minhbach-Signature"], body))
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", posts
    server.shutdown()
    server.server_close()


def _settings(data_dir, smtp_port, hook_url):
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "minhbach.toml").write_text(f"""
[notify]
email_to = ["stttt@hoason.gov.vn"]
agency_email = {{ "stp-hs" = ["vanphong@stp.hoason.gov.vn"] }}
email_from = "minhbach@hoason.gov.vn"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
webhook_url = "{hook_url}"
webhook_secret = "{SECRET}"
""", encoding="utf-8")


def _nightly(*extra):
    return run_cli("nightly", "--date", NIGHT, "--allow-private", *extra)


def _bytes(sites) -> int:
    return sum(server.bytes_sent for server in sites.values())


def test_two_nights_then_a_regression(data_dir, demo_sites, smtp_inbox, webhook):
    smtp_port, inbox = smtp_inbox
    hook_url, posts = webhook
    _settings(data_dir, smtp_port, hook_url)

    first = _nightly()
    assert first.returncode == 0, first.stderr
    first_bytes = _bytes(demo_sites)
    second = _nightly()
    assert second.returncode == 0, second.stderr
    second_bytes = _bytes(demo_sites) - first_bytes
    assert second_bytes <= 0.10 * first_bytes, (first_bytes, second_bytes)
    assert "không gửi" in second.stdout and inbox == [] and posts == []
    diff = run_cli("diff", "--format", "json")
    assert json.loads(diff.stdout) == []
    db = sqlite3.connect(data_dir / "minhbach.sqlite")
    scores = [sorted(db.execute("select agency_id, total, grade, coverage from scores where audit_run_id = ?", (a,)))
              for a in (1, 2)]
    assert scores[0] == scores[1]
    # the documents read the first night are carried, with their text, not downloaded again
    read = [db.execute("select count(*) from documents d join site_crawls s on s.id = d.site_crawl_id "
                       "where s.run_id = ? and d.text_status = 'text'", (run,)).fetchone()[0] for run in (1, 2)]
    assert read[0] > 0 and read[1] == read[0]

    portal = demo_sites["stp-hs"].pages.portal  # the Justice department takes its budget section down
    for key in [k for k, (title, _) in portal.pages.items() if "ngân sách" in title.lower()]:
        del portal.pages[key]
    third = _nightly()
    assert third.returncode == 0, third.stderr
    rows = json.loads(run_cli("diff", "--format", "json").stdout)
    assert rows and rows[0]["agency_code"] == "stp-hs" and rows[0]["change"] == "regression"
    regressed = {r["rule_code"] for r in rows if r["change"] == "regression"}
    assert {r["agency_code"] for r in rows} == {"stp-hs"}

    assert len(inbox) == 2  # the province's and the department's own
    to_province = next(m for m in inbox if "stttt@" in m["To"])
    text = to_province.get_payload(decode=True).decode(to_province.get_content_charset())
    assert "Sở Tư pháp" in text and "stp-hs" in text and rows[0]["rule_code"] in text
    assert "tiêu chí giảm" in to_province["Subject"] or "=?utf-8?" in to_province["Subject"]
    assert all(code in text for code in regressed)

    (signature, body), = posts
    assert signature == "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    payload = json.loads(body)
    assert {r["rule_code"] for r in payload["regressions"]} == regressed

    folder = data_dir / "nightly" / NIGHT
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["regressions"] == len(regressed) and len(summary["notifications"]) == 3
    changes = json.loads((folder / "changes.json").read_text(encoding="utf-8"))
    assert changes == rows
    assert (folder / "scores.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "stp-hs" in (data_dir / "logs" / f"nightly-{NIGHT}.log").read_text(encoding="utf-8")


def test_a_failing_mail_server_never_fails_the_night(data_dir, demo_sites):
    _settings(data_dir, 9, "http://127.0.0.1:9/hook")  # port 9: nothing listens there
    assert _nightly().returncode == 0
    portal = demo_sites["stp-hs"].pages.portal
    for key in [k for k, (title, _) in portal.pages.items() if "ngân sách" in title.lower()]:
        del portal.pages[key]
    result = _nightly()
    assert result.returncode == 0, result.stderr
    from minhbach.audit.words.i18n import _

    # said in the operator's language, as every line of the night
    assert _("e-mail to {recipients} NOT SENT: {error}").format(recipients="stttt@hoason.gov.vn", error="") in result.stdout
    log = (data_dir / "logs" / f"nightly-{NIGHT}.log").read_text(encoding="utf-8")
    assert "not sent" in log


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_a_second_nightly_while_one_runs_exits_with_the_lock_message(store, data_dir, request, english):
    env = {}
    if store == "postgresql":
        env["MINHBACH_DATABASE_URL"] = request.getfixturevalue("pg_url")
    os.environ.update(env)
    try:
        from minhbach.audit import config

        settings = config.load()
        lock = NightLock(settings.store_url, settings.ensure_data_dir())
        lock.acquire()
        try:
            result = run_cli("nightly", "--date", NIGHT, env=env)
        finally:
            lock.release()
    finally:
        for key in env:
            os.environ.pop(key)
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith(f"error: another minhbach nightly is running (process {os.getpid()} on ")
    assert "since " in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_nightly_killed_at_a_random_moment_is_followed_by_one_that_completes(data_dir, demo_province):
    seed = int(os.environ.get("MINHBACH_KILL_SEED", time.time()))
    delay = random.Random(seed).uniform(0.5, 6.0)
    # the province but its script-drawn portal: a night long enough to be killed at any point
    sites = [row.code for row in demo_province.rows if row.code != "stc-hs"]
    registry = data_dir.parent / "agencies.csv"
    registry.write_text(demo_province.registry(sites), encoding="utf-8")
    assert run_cli("agencies", "import", str(registry)).returncode == 0
    assert _nightly().returncode == 0  # a first night, whose results must survive
    victim = subprocess.Popen([sys.executable, "-m", "minhbach.audit.cli", "nightly", "--date", NIGHT,
                               "--allow-private"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    after = _nightly()
    assert after.returncode == 0, f"seed {seed} (killed after {delay:.1f} s): {after.stderr}"
    db = sqlite3.connect(data_dir / "minhbach.sqlite")
    assert db.execute("pragma integrity_check").fetchone() == ("ok",)
    nights = db.execute("select status from nightly_runs order by id").fetchall()
    assert nights[0] == ("completed",) and nights[-1] == ("completed",), f"seed {seed}: {nights}"
    assert all(status in ("completed", "interrupted") for (status,) in nights), f"seed {seed}: {nights}"
    assert db.execute("select count(*) from crawl_runs where status = 'running'").fetchone() == (0,)
    first_scores = db.execute("select count(*) from scores where audit_run_id = 1").fetchone()[0]
    assert first_scores == len(sites)
    missing = [sha for (sha,) in db.execute("select sha256 from pages")
               if not (data_dir / "bodies" / sha[:2] / sha[2:4] / f"{sha}.gz").exists()]
    assert missing == [], f"seed {seed}"


def test_the_e_mail_logs_in_when_the_settings_give_a_login(monkeypatch):
    from aiosmtpd.handlers import Message
    from aiosmtpd.smtp import AuthResult

    from minhbach.audit.judge.changes import SiteChange
    from minhbach.audit.ops.notify import NightChanges, send_email

    received, logins = [], []

    class Inbox(Message):
        def handle_message(self, message):
            received.append(message)

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"mat-khau")

    controller = smtp_controller(Inbox(), authenticator=authenticator, auth_require_tls=False)
    port = controller.port
    controller.start()
    try:
        monkeypatch.setenv("MINHBACH_SMTP_PASSWORD", "mat-khau")
        changes = NightChanges(date(2026, 11, 21), 3, 2, [], [SiteChange(
            "sgddt-hs", "Sở Giáo dục và Đào tạo", 55.0, None, "Trung bình", "", "lost",
            "máy chủ từ chối kết nối", "http://sgddt.hoason.gov.vn/")])
        from minhbach.audit import config

        settings = config.load(notify={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_username": "minhbach",
                                       "email_from": "minhbach@hoason.gov.vn"})
        send_email(settings.notify, ["stttt@hoason.gov.vn"], changes)
    finally:
        controller.stop()
    assert logins == [(b"minhbach", b"mat-khau")]
    text = received[0].get_payload(decode=True).decode("utf-8")
    assert "Sở Giáo dục và Đào tạo (sgddt-hs): máy chủ từ chối kết nối" in text
    assert "http://sgddt.hoason.gov.vn/" in text
