"""The dashboard and the API through FastAPI's test client, on a copy of the demo's store:
every route needs a login, CSRF on forms, login attempts limited, roles, filters and sorting,
evidence shown without anything that runs, the API behind tokens."""
import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from minhbach.audit.people.accounts import add_user
from minhbach.audit.web.app import page_routes
from tests.support.cli import run_cli
from tests.support.stores import current_sessions
from tests.support.web import PASSWORD, login


def test_every_route_but_login_health_and_static_needs_a_login(web):
    client, _, _ = web
    app = client.app
    checked = 0
    for route in page_routes(app):
        if route.path in ("/login", "/health"):
            continue
        path = re.sub(r"{[^}]+}", "1", route.path)
        for method in route.methods:
            answer = client.request(method, path)
            assert answer.status_code in (303, 401, 403), (method, path, answer.status_code)
            if answer.status_code == 303:
                assert answer.headers["location"].startswith("/login")
            checked += 1
    api = next(r for r in app.routes if isinstance(r, Mount) and r.path == "/api/v1").app
    for route in api.routes:
        if isinstance(route, APIRoute):
            path = "/api/v1" + re.sub(r"{[^}]+}", "1", route.path)
            assert client.get(path).status_code == 401, path
            checked += 1
    assert checked >= 30  # 20 page routes and the API's
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/static/style.css").status_code == 200


def test_login_needs_the_form_token_and_is_limited(web):
    client, _, _ = web
    assert client.post("/login", data={"username": "quantri", "password": PASSWORD}).status_code == 403
    for _ in range(5):
        assert login(client, password="sai-mat-khau-roi").status_code == 401
    assert login(client).status_code == 429  # even the right password waits now
    fresh = TestClient(client.app, follow_redirects=False)
    answer = login(fresh, "sotuphap")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_the_overview_filters_sorts_and_searches(web):
    client, _, _ = web
    login(client)
    page = client.get("/").text
    assert "Sở Giáo dục và Đào tạo tỉnh Hòa Sơn" in page and "máy chủ từ chối kết nối" in page
    communes = client.get("/?level=xa").text
    assert "xa-thanhbinh" in communes and "stc-hs" not in communes
    best_first = client.get("/?sort=score&order=desc").text
    assert best_first.index("ubnd-hs") < best_first.index("sxd-hs") < best_first.index("sgddt-hs")
    assert "stc-hs" in client.get("/?q=tài chính").text and "sxd-hs" not in client.get("/?q=tài chính").text
    assert "stc-hs" in client.get("/?q=TAI CHINH").text  # without diacritics, any case: the folded name
    assert "stc-hs" not in client.get("/?q=100%").text   # SQL's wildcards are only characters
    unknown_last = re.findall(r'<td class="code"><a href="/agency/([\w-]+)', client.get("/?sort=score&order=asc").text)
    assert unknown_last.index("sxd-hs") < unknown_last.index("ubnd-hs") < unknown_last.index("sgddt-hs")
    graded = re.findall(r'<td class="code"><a href="/agency/([\w-]+)', client.get("/?grade=Khá").text)
    assert "stc-hs" in graded and "ubnd-hs" not in graded
    unknown = re.findall(r'<td class="code"><a href="/agency/([\w-]+)', client.get("/?unknown=true").text)
    assert unknown == ["sgddt-hs"]
    assert client.get("/?page=99").status_code == 200  # past the last page: the last page
    agency = client.get("/agency/stc-hs").text
    assert "BG02" in agency and "TT61-2017" in agency and "Xem bản lưu" in agency
    assert "<svg" not in agency  # one audit: no line to draw
    assert run_cli("audit", "--date", "2026-11-20").returncode == 0  # a second audit: a history
    agency = client.get("/agency/stc-hs").text
    assert agency.count("<circle") == 2 and "Điểm qua 2 lượt đánh giá" in agency


def test_an_agency_account_sees_its_own_agency_only(web):
    client, _, _ = web
    login(client, "sotuphap")
    page = client.get("/").text
    assert "stp-hs" in page and "stc-hs" not in page
    assert client.get("/agency/stc-hs").status_code == 403
    assert client.get("/agency/stp-hs").status_code == 200


def test_stored_copies_are_shown_without_anything_that_runs(web):
    client, _, sha = web
    login(client)
    answer = client.get(f"/evidence/raw/{sha}?mark=Dự toán ngân sách")
    assert answer.status_code == 200
    csp = answer.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp
    body = answer.text.lower()
    assert "<script" not in body and "onerror" not in body and "javascript:" not in body and "<iframe" not in body
    assert '<mark id="trich-doan">dự toán ngân sách</mark>' in body
    assert "công khai ngân sách" in body  # the text itself is kept, in Vietnamese


def test_the_api_needs_a_token_and_pages_its_results(web):
    client, token, _ = web
    assert client.get("/api/v1/agencies").status_code == 401
    headers = {"Authorization": f"Bearer {token}"}
    agencies = client.get("/api/v1/agencies?limit=3", headers=headers).json()
    assert agencies["total"] == 9 and len(agencies["items"]) == 3 and agencies["items"][0]["code"] == "sct-hs"
    audit = client.get("/api/v1/audits", headers=headers).json()["items"][0]["id"]
    findings = client.get(f"/api/v1/audits/{audit}/findings?agency=stc-hs", headers=headers).json()
    assert {"rule_code", "outcome", "partial", "stored_copy", "note"} <= set(findings["items"][0])
    # pages read in the database, each pointing to the next; the last points nowhere
    first = client.get(f"/api/v1/audits/{audit}/scores?limit=4", headers=headers).json()
    assert first["total"] == 9 and [r["agency_code"] for r in first["items"]] == [
        "sct-hs", "sgddt-hs", "snnmt-hs", "stc-hs"]
    assert first["next"].endswith(f"/api/v1/audits/{audit}/scores?offset=4&limit=4")
    last = client.get(first["next"], headers=headers).json()
    last = client.get(last["next"], headers=headers).json()
    assert [r["agency_code"] for r in last["items"]] == ["xa-thanhbinh"] and last["next"] is None
    everything = client.get(f"/api/v1/audits/{audit}/findings?limit=1000", headers=headers).json()
    paged = client.get(f"/api/v1/audits/{audit}/findings?offset=30&limit=30", headers=headers).json()
    assert paged["items"] == everything["items"][30:60] and paged["total"] == everything["total"]
    schema = client.get("/api/v1/openapi.json", headers=headers).json()
    assert "/agencies" in schema["paths"] and "/audits/{audit_id}/findings" in schema["paths"]
    assert client.get("/api/v1/agencies", headers={"Authorization": "Bearer mb_wrong"}).status_code == 401


def test_the_demo_prints_how_to_open_the_dashboard_and_its_account_logs_in(web, demo_output):
    client, _, _ = web
    _, stdout = demo_output
    line = next(line for line in stdout.splitlines() if line.startswith("Bảng điều khiển:"))
    assert ".venv/bin/minhbach serve" in line and "http://127.0.0.1:8000/" in line
    password = re.search(r"admin / (\S+)$", line).group(1)
    answer = login(client, "admin", password)
    assert answer.status_code == 303 and "Ủy ban nhân dân tỉnh Hòa Sơn" in client.get("/").text


def _csrf(client, path="/"):
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def _shown_score(page: str) -> float:
    """The agency page's score (the lower end of "63,9–66,8 điểm", decimal comma)."""
    return float(re.search(r"<strong>([\d,]+)(?:–[\d,]+)? điểm</strong>", page).group(1).replace(",", "."))


def test_a_dispute_accepted_by_an_admin_overrides_the_finding_now_and_later(web):
    client, _, _ = web
    sessions = current_sessions()
    with sessions() as session:
        add_user(session, "thanhtra", PASSWORD, "inspector")
        finding = session.execute(
            __import__("sqlalchemy").text("select f.id from findings f join agencies a on a.id = f.agency_id "
                                          "where a.code = 'stp-hs' and f.rule_code = 'TI01' and f.outcome = 'fail'")
        ).scalar()
    agency_user = TestClient(client.app, follow_redirects=False)
    login(agency_user, "sotuphap")
    score_before = _shown_score(agency_user.get("/agency/stp-hs").text)
    assert agency_user.post("/disputes", data={"finding": finding, "note": "Có chuyên mục"}).status_code == 403
    answer = agency_user.post("/disputes", data={"finding": finding, "note": "Chuyên mục Tiếp cận thông tin có ở "
                                                 "menu chính", "url": "http://127.0.0.1:18406/tiep-can-thong-tin",
                                                 "csrf": _csrf(agency_user)})
    assert answer.status_code == 303
    dispute = int(answer.headers["location"].split("#d")[1])
    decide = {"decision": "accept", "reason": "Đã kiểm tra: có chuyên mục", "outcome": "pass"}
    assert agency_user.post(f"/disputes/{dispute}/decide", data={**decide, "csrf": _csrf(agency_user)}).status_code == 403
    inspector = TestClient(client.app, follow_redirects=False)
    login(inspector, "thanhtra")
    assert inspector.post(f"/disputes/{dispute}/decide", data={**decide, "csrf": _csrf(inspector)}).status_code == 403
    login(client)
    assert client.post(f"/disputes/{dispute}/decide", data={**decide, "csrf": _csrf(client)}).status_code == 303
    page = agency_user.get("/agency/stp-hs").text
    assert f"đã điều chỉnh, khiếu nại #{dispute}" in page
    assert _shown_score(page) > score_before
    trail = client.get("/disputes").text
    assert "sotuphap mở" in trail and "quantri chấp nhận: Đã kiểm tra: có chuyên mục" in trail
    assert run_cli("audit", "--date", "2026-11-20").returncode == 0  # a later audit keeps the decision
    with sessions() as session:
        later = session.execute(__import__("sqlalchemy").text(
            "select outcome, rule_outcome, override_id from findings f join agencies a on a.id = f.agency_id "
            "where a.code = 'stp-hs' and f.rule_code = 'TI01' order by f.audit_run_id desc limit 1")).one()
    assert tuple(later) == ("pass", "fail", dispute)


def test_changes_monthly_reports_and_the_registry_pages(web, tmp_path):
    client, _, _ = web
    login(client)
    # the demo's newest audit follows one of the same crawl by another rubric: said, nothing listed
    from minhbach.audit.words.reasons import reason_text

    changes = client.get("/changes").text
    assert reason_text({"kind": "rubric_changed", "before": "vp-qd26-2017", "after": "nd224-2026"}) in changes
    assert "Không có thay đổi" not in changes and "<table" not in changes
    monthly = client.get("/monthly").text
    # the demo ran on 21/11 (its report provisional); November is over now: an admin freezes it
    assert "11/2026" in monthly and 'action="/monthly/freeze"' in monthly and "/xlsx" not in monthly.split("<h2>")[0]
    assert client.post("/monthly/freeze", data={"month": "2026-11", "csrf": _csrf(client, "/monthly")}
                       ).status_code == 303
    monthly = client.get("/monthly").text
    assert "/xlsx" in monthly and 'action="/monthly/freeze"' not in monthly
    report_id = re.search(r'href="/monthly/(\d+)/xlsx"', monthly).group(1)
    download = client.get(f"/monthly/{report_id}/xlsx")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert "bao-cao-thang-2026-11.xlsx" in download.headers["content-disposition"]
    (tmp_path / "r.xlsx").write_bytes(download.content)
    from openpyxl import load_workbook
    assert load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "Tổng hợp"
    answer = client.post("/monthly/republish", data={"month": "2026-11", "reason": "thử lập lại",
                                                     "csrf": _csrf(client, "/monthly")})
    assert answer.status_code == 303 and "thử lập lại" in client.get("/monthly").text
    agency_user = TestClient(client.app, follow_redirects=False)
    login(agency_user, "sotuphap")
    assert agency_user.post("/monthly/republish", data={"month": "2026-11", "reason": "x",
                                                        "csrf": _csrf(agency_user, "/monthly")}).status_code == 403
    registry = agency_user.get("/registry").text
    assert "stp-hs" in registry and "stc-hs" not in registry


def test_an_admin_edits_an_agency_with_the_imports_checks_and_its_history_kept(web):
    client, _, _ = web
    login(client)
    form = client.get("/registry/stp-hs/edit").text
    values = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form))
    values["csrf"] = _csrf(client, "/registry/stp-hs/edit")
    bad = client.post("/registry/stp-hs/edit", data={**values, "portal_url": "khong-phai-dia-chi"})
    assert bad.status_code == 400 and "biểu mẫu:2: portal_url:" in bad.text
    good = client.post("/registry/stp-hs/edit", data={**values, "name": "Sở Tư pháp tỉnh Hòa Sơn (mới)"})
    assert good.status_code == 303 and "Sở Tư pháp tỉnh Hòa Sơn (mới)" in client.get("/registry").text
    searched = client.get("/registry?q=tu phap").text  # searched in the database, diacritics optional
    assert "stp-hs" in searched and "stc-hs" not in searched
    with current_sessions()() as session:
        sources = session.execute(__import__("sqlalchemy").text(
            "select v.source_file from agency_versions v join agencies a on a.id = v.agency_id "
            "where a.code = 'stp-hs' order by v.version")).scalars().all()
    assert len(sources) == 2 and sources[-1] == "dashboard:quantri"
    agency_user = TestClient(client.app, follow_redirects=False)
    login(agency_user, "sotuphap")
    assert agency_user.get("/registry/stp-hs/edit").status_code == 403


def test_an_admin_chooses_the_rubric_of_the_audits_to_come(web):
    from minhbach.audit.judge.choice import rubric_for_audit
    from minhbach.audit.store.models import RubricChoice

    client, _, _ = web
    login(client, "sotuphap")
    assert client.get("/settings").status_code == 403  # an agency account may not
    client.cookies.clear()
    login(client)
    page = client.get("/settings")
    assert page.status_code == 200 and "vp-qd26-2017" in page.text and "Bộ tiêu chí của các lượt đánh giá tới" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert client.post("/settings/rubric", data={"rubric": "vp-qd26-2017", "reason": "x"}).status_code == 403
    refused = client.post("/settings/rubric", data={"rubric": "khong-co", "reason": "thử", "csrf": csrf})
    assert refused.status_code == 400 and "khong-co" in refused.text
    done = client.post("/settings/rubric", data={"rubric": "vp-qd26-2017", "reason": "Theo chỉ đạo", "csrf": csrf})
    assert done.status_code == 303
    sessions = current_sessions()
    with sessions() as session:
        assert rubric_for_audit(session) == "vp-qd26-2017"
        assert rubric_for_audit(session, "khac") == "khac"  # --rubric still wins
        choice = session.query(RubricChoice).order_by(RubricChoice.id.desc()).first()
        assert (choice.chosen_by, choice.reason) == ("quantri", "Theo chỉ đạo")
    assert "Theo chỉ đạo" in client.get("/settings").text  # the history says who and why
    client.post("/settings/rubric", data={"rubric": "", "reason": "Trả lại tệp cấu hình", "csrf": csrf})
    with sessions() as session:
        assert rubric_for_audit(session) == "nd224-2026"  # no choice, no settings: the rubric in force today
        assert session.query(RubricChoice).count() == 2


def test_the_changes_page_draws_the_first_changes_and_says_where_the_rest_is(web, monkeypatch):
    from minhbach.audit.web.routes import changes

    client, _, _ = web
    login(client)
    # the same crawl judged as of June under the rubric in force in November: items dated since count no more
    assert run_cli("audit", "--date", "2026-06-01", "--rubric", "nd224-2026").returncode == 0
    whole = client.get("/changes?before=2&after=3").text
    drawn = whole.count('<tr class="')
    assert drawn >= 2
    monkeypatch.setattr(changes, "SHOWN", 1)
    capped = client.get("/changes?before=2&after=3").text
    assert capped.count('<tr class="') == 1 and f"…và {drawn - 1} thay đổi nữa" in capped
