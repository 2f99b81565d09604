"""A night that cannot reach anyone is the operator's alarm, not the agencies' failure: the demo
farm on loopback is cut off (its servers closed) and the probe of the crawler's own network
points at the farm too, so the night is a collection failure: exit 4 with one line, one alarm
to the operators, nothing to the agencies, and its audit in no history or comparison. With the
probe answering, the same night is the sites' own failure and is told to the agencies."""
from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from minhbach.audit.ops.demo.server import serve_demo
from minhbach.audit.registry.agencies import parse_registry
from tests.support.cli import run_cli
from tests.support.paths import DEMO_REGISTRY
from tests.support.sites import LoopbackSite, html

pytestmark = pytest.mark.slow   # whole nights over loopback sites

NIGHT = "2026-11-21"
SITES = ("ubnd-hs", "stp-hs", "syt-hs", "sgddt-hs")   # sgddt-hs is refused every night
BASE = "https://minhbach.hoason.gov.vn"


@pytest.fixture
def province(data_dir):
    with serve_demo(parse_registry(DEMO_REGISTRY), date(2026, 11, 21)) as served:
        registry = data_dir.parent / "agencies.csv"
        registry.write_text(served.registry(SITES), encoding="utf-8")
        assert run_cli("agencies", "import", str(registry)).returncode == 0
        yield served


def _settings(data_dir, smtp_port, probe_url):
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "minhbach.toml").write_text(f"""
[nightly]
offline_share = 0.8
probe_urls = ["{probe_url}"]

[notify]
email_to = ["stttt@hoason.gov.vn"]
agency_email = {{ "stp-hs" = ["vanphong@stp.hoason.gov.vn"] }}
operator_email = ["vanhanh@hoason.gov.vn"]
email_from = "minhbach@hoason.gov.vn"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}

[web]
base_url = "{BASE}"
""", encoding="utf-8")


def _nightly():
    return run_cli("nightly", "--date", NIGHT, "--allow-private")


def _text(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset())


def test_a_night_cut_off_from_the_network_alarms_the_operators_only(data_dir, province, smtp_inbox):
    from minhbach.audit.words.i18n import _

    smtp_port, received = smtp_inbox
    _settings(data_dir, smtp_port, province.url_of("ubnd-hs"))   # the probe: a host of the farm itself
    first = _nightly()
    assert first.returncode == 0, first.stderr

    province.stop()   # the crawler's network is gone: every site and the probe refuse
    night = _nightly()
    assert night.returncode == 4, night.stderr
    line, = night.stderr.strip().splitlines()
    assert line.startswith(_("error: night {day} collected nothing: {why}; the agencies were not told and the night "
                             "is not counted (log: {log})").split("{why}")[0].format(day="21/11/2026"))
    assert "4" in line and "127.0.0.1" in line

    alarm, = received   # one message, to the operators, none to the province's or the agencies' recipients
    assert alarm["To"] == "vanhanh@hoason.gov.vn"
    text = _text(alarm)
    assert f"{BASE}/runs" in text and "minhbach diff" not in text and "minhbach report" not in text

    db = sqlite3.connect(data_dir / "minhbach.sqlite")
    status, reason = db.execute("select status, reason from crawl_runs order by id desc limit 1").fetchone()
    failure = json.loads(reason)
    assert status == "offline" and failure["kind"] == "collection_failure"
    assert (failure["failed"], failure["sites"], failure["kinds"]) == (4, 4, {"refused": 4})
    assert db.execute("select status, exit_code from nightly_runs order by id desc limit 1").fetchone() == ("offline", 4)
    summary = json.loads((data_dir / "nightly" / NIGHT / "summary.json").read_text(encoding="utf-8"))
    assert summary["collection_failure"] == failure and summary["regressions"] == 0

    # its audit is in no history and no comparison: the first night's is still the latest that counts
    assert db.execute("select count(*) from audit_runs").fetchone() == (2,)
    assert run_cli("diff", "--format", "json").returncode == 2   # one audit counts: nothing to compare
    listed = run_cli("history", "--agency", "stp-hs")
    assert listed.returncode == 0 and listed.stdout.count("21/11/2026") == 1


def test_sites_down_while_the_network_answers_are_the_sites_failure(data_dir, province, smtp_inbox):
    smtp_port, received = smtp_inbox
    probe = LoopbackSite({"/": html("<p>đang chạy</p>")})   # the crawler's network still answers
    try:
        _settings(data_dir, smtp_port, probe.base + "/")
        assert _nightly().returncode == 0
        province.stop()
        night = _nightly()
        assert night.returncode == 0, night.stderr
        assert probe.hits == ["/"]
    finally:
        probe.close()
    assert sorted(m["To"] for m in received) == ["stttt@hoason.gov.vn", "vanphong@stp.hoason.gov.vn"]
    own = next(m for m in received if m["To"].startswith("vanphong@"))
    text = _text(own)
    assert "stp-hs" in text and f"{BASE}/agency/stp-hs?audit=2" in text and "minhbach diff" not in text
    to_province = _text(next(m for m in received if m["To"].startswith("stttt@")))
    assert f"{BASE}/changes?before=1&after=2" in to_province
