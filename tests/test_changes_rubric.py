"""Comparisons only within one rubric: history, `diff`, /changes, the API and the nightly
comparison set an audit against one of the same rubric; where the rubric changed they say so
and list nothing; a new version of the same rubric is compared, and said. An audit of a night
the crawler could not reach the network is never compared, nor in history."""
from __future__ import annotations

import json
from datetime import date

import pytest

from tests.support.cli import run_cli

CODE = "sxd-hs"


def _store(store_url: str | None = None):
    from minhbach.audit import config
    from minhbach.audit.store.db import Store

    return Store.open(config.load(**({"database_url": store_url} if store_url else {})))


def _crawls(sessions):
    """Five crawls of one agency: audited under the 2017 rubric, then the 2026 one (version 1),
    its version 2, a night without network, and a last ordinary night."""
    from minhbach.audit.store.models import Agency, AuditRun, CrawlRun, Finding, Score

    plan = [  # rubric, version, day, score, BG01 outcome, collection failure
        ("vp-qd26-2017", "2017.1", date(2026, 6, 20), 80.0, "pass", False),
        ("nd224-2026", "1", date(2026, 7, 2), 50.0, "fail", False),
        ("nd224-2026", "2", date(2026, 7, 3), 62.5, "pass", False),
        ("nd224-2026", "2", date(2026, 7, 4), None, "error", True),
        ("nd224-2026", "2", date(2026, 7, 5), 62.5, "pass", False),
    ]
    ids = []
    with sessions() as session:
        agency = Agency(code=CODE, name="Sở Xây dựng tỉnh Hòa Sơn", level="so", province="Hòa Sơn",
                        portal_url="http://127.0.0.1:9/")
        session.add(agency)
        session.flush()
        for rubric, version, day, total, outcome, offline in plan:
            failure = {"kind": "collection_failure", "failed": 1, "sites": 1, "kinds": {"refused": 1},
                       "probes": [{"kind": "refused", "host": "127.0.0.1:9"}]}
            run = CrawlRun(status="offline" if offline else "completed", reason=failure if offline else None)
            session.add(run)
            session.flush()
            audit = AuditRun(crawl_run_id=run.id, rubric_id=rubric, rubric_version=version, audit_date=day)
            session.add(audit)
            session.flush()
            session.add(Score(audit_run_id=audit.id, agency_id=agency.id, total=total, grade="Khá" if total else "",
                              coverage=0.0 if offline else 1.0))
            session.add(Finding(audit_run_id=audit.id, agency_id=agency.id, rule_code="BG01", rule_version=2,
                                family="budget", outcome=outcome))
            ids.append(audit.id)
        session.commit()
    return ids


def test_a_change_of_rubric_is_said_and_nothing_is_listed(store_url, english):
    from minhbach.audit.judge.changes import baseline, compare, history, pick_comparison, previous_audit
    from minhbach.audit.store.models import AuditRun

    sessions = _store(store_url).sessions
    old, new, v2, offline, last = _crawls(sessions)
    with sessions() as session:
        get = lambda i: session.get(AuditRun, i)  # noqa: E731
        across = compare(session, get(old), get(new))
        assert not across.compared and across.rows == [] and across.sites == []
        assert across.note_texts() == ["Rubric changed from vp-qd26-2017 to nd224-2026; audits under different "
                                       "rubrics are not compared"]
        assert baseline(session, get(new)).id == old  # what the night follows: said, not compared
        assert previous_audit(session, get(new)) is None

        versions = compare(session, get(new), get(v2))
        assert versions.compared and [(r["rule_code"], r["change"]) for r in versions.rows] == [("BG01", "improvement")]
        assert versions.note_texts() == ["Rubric nd224-2026 changed from version 1 to 2; score changes may come "
                                         "from the rubric"]

        # the night without network is skipped by default, refused when named, never in history
        default = pick_comparison(session, None, None)
        assert (default.before.id, default.after.id) == (v2, last) and default.compared and default.notes == []
        assert baseline(session, get(last)).id == v2 and previous_audit(session, get(last)).id == v2
        named = pick_comparison(session, v2, offline)
        assert not named.compared and named.rows == [] and named.notes == [{"kind": "not_counted", "audit": offline}]
        rows = history(session, CODE)
    assert [r["audit"] for r in rows] == [old, new, v2, last]
    assert [r["change"] for r in rows] == [None, None, 12.5, 0.0]
    assert rows[1]["note_code"] == {"kind": "rubric_changed", "before": "vp-qd26-2017", "after": "nd224-2026"}
    assert rows[2]["note_code"]["kind"] == "rubric_version_changed" and rows[3]["note"] == ""


def test_diff_says_the_rubric_changed_instead_of_regressions(data_dir, english):
    old, new, *_ = _crawls(_store().sessions)
    table = run_cli("diff", "--from", str(old), "--to", str(new))
    assert table.returncode == 0, table.stderr
    assert "Rubric changed from vp-qd26-2017 to nd224-2026" in table.stdout and "BG01" not in table.stdout
    as_json = run_cli("diff", "--from", str(old), "--to", str(new), "--format", "json")
    assert json.loads(as_json.stdout) == [] and "Rubric changed from vp-qd26-2017" in as_json.stderr
    listed = run_cli("history", "--agency", CODE)
    assert listed.returncode == 0 and "Rubric changed from vp-qd26-2017" in listed.stdout
    assert "04/07/2026" not in listed.stdout  # the night without network is not there


def test_the_dashboard_and_the_api_compare_within_one_rubric(data_dir, english):
    from fastapi.testclient import TestClient

    from minhbach.audit import config
    from minhbach.audit.people.accounts import add_token, add_user
    from minhbach.audit.web.app import create_app
    from tests.support.web import PASSWORD, login

    store = _store()
    old, new, v2, offline, last = _crawls(store.sessions)
    with store.sessions() as session:
        add_user(session, "quantri", PASSWORD, "admin")
        token = add_token(session, "bao-cao")
    client = TestClient(create_app(config.load(), store), base_url="http://testserver", follow_redirects=False)
    api = client.get(f"/api/v1/changes?from={old}&to={new}", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    body = api.json()
    assert body["compared"] is False and body["items"] == [] and (body["from_audit"], body["to_audit"]) == (old, new)
    assert body["notes"][0]["kind"] == "rubric_changed" and "vp-qd26-2017" in body["notes"][0]["text"]
    history = client.get(f"/api/v1/agencies/{CODE}/history", headers={"Authorization": f"Bearer {token}"}).json()
    assert [r["audit"] for r in history["items"]] == [old, new, v2, last]

    assert login(client).status_code == 303
    page = client.get(f"/changes?before={old}&after={new}")
    assert page.status_code == 200 and "Rubric changed from vp-qd26-2017 to nd224-2026" in page.text
    assert "Nothing changed" not in page.text and "BG01" not in page.text
    agency = client.get(f"/agency/{CODE}")   # the newest counted audit, not the night without network
    assert agency.status_code == 200 and f"Audit {last} of 05/07/2026" in agency.text
    assert "Rubric changed from vp-qd26-2017 to nd224-2026" in agency.text


@pytest.mark.parametrize("kind", ["dns", "refused", "timeout", "no_response", "tls", "tls_handshake"])
def test_network_kinds_are_the_crawlers_own(kind):
    from minhbach.audit.words.reasons import reason_text

    failure = {"kind": "collection_failure", "failed": 3, "sites": 4, "kinds": {kind: 3},
               "probes": [{"kind": "timeout", "host": "www.google.com"}]}
    text = reason_text(failure)
    assert "3" in text and "4" in text and "www.google.com" in text
