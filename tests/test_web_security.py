"""The dashboard as an attacker meets it: one declared policy per route and the route-by-role
matrix it gives, sessions that end on the server, a login throttle that cannot be walked
around, bad input answered 4xx, the headers every page carries, and private files."""
from __future__ import annotations

import re
import stat
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from starlette.routing import Mount

from minhbach.audit.people.accounts import add_token, add_user, revoke_token, set_active, set_password
from minhbach.audit.store.models import AuditRun, Finding, MonthlyReport, WebSession, utcnow
from minhbach.audit.web import security
from minhbach.audit.web.api import api_reader
from minhbach.audit.web.app import page_routes
from minhbach.audit.web.throttle import LoginThrottle
from tests.support.cli import run_cli
from tests.support.stores import current_sessions
from tests.support.web import PASSWORD, login

OWN, OTHER = "stp-hs", "stc-hs"  # the agency account sotuphap's agency, and another


def _policy(route: APIRoute):
    """The policy a route declares (one of security.POLICIES, or the API's api_reader)."""
    found = []

    def walk(dependant):
        for dependency in dependant.dependencies:
            if dependency.call in (*security.POLICIES, api_reader):
                found.append(dependency.call)
            walk(dependency)
    walk(route.dependant)
    return set(found)


def _api(app):
    return next(r for r in app.routes if isinstance(r, Mount) and r.path == "/api/v1").app


def test_every_route_declares_one_policy(web):
    client, _, _ = web
    routes = list(page_routes(client.app))
    api_routes = [r for r in _api(client.app).routes if isinstance(r, APIRoute)]
    assert len(routes) >= 20 and len(api_routes) >= 10
    for route in routes:
        assert len(_policy(route)) == 1, f"{route.path}: declares {_policy(route) or 'no policy'}"
    for route in api_routes:
        assert _policy(route) == {api_reader}, route.path


def _client(web, username=None):
    client, _, _ = web
    fresh = TestClient(client.app, base_url="http://testserver", follow_redirects=False)
    if username:
        assert login(fresh, username).status_code == 303
    return fresh


def _csrf(client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"{([^}]+)}", lambda m: values[m.group(1)], path)


def test_the_route_by_role_matrix(web):
    client, _, sha = web
    with current_sessions()() as session:
        add_user(session, "thanhtra", PASSWORD, "inspector")
        audit_id = session.scalar(select(AuditRun.id).order_by(AuditRun.id.desc()))
        report_id = session.scalar(select(MonthlyReport.id))
    revoked = _client(web, "quantri")
    csrf = _csrf(revoked)
    saved = dict(revoked.cookies)
    assert revoked.post("/logout", data={"csrf": csrf}).status_code == 303
    revoked.cookies.update(saved)  # the copy of the cookie taken before logout
    readers = {"anonymous": _client(web), "revoked": revoked, "agency": _client(web, "sotuphap"),
               "inspector": _client(web, "thanhtra"), "admin": _client(web, "quantri")}
    values = {"code": OWN, "audit_id": str(audit_id), "rule_code": "BG01", "sha256": sha,
              "report_id": str(report_id), "fmt": "csv", "dispute_id": "1", "month": "2026-11"}
    allowed = {security.public: set(readers), security.signed_in: {"agency", "inspector", "admin"},
               security.province: {"inspector", "admin"}, security.admin: {"admin"}}
    cells = 0
    for route in page_routes(client.app):
        if route.path == "/logout":
            continue  # it ends the session the next cells use: tested above and below
        (policy,) = _policy(route)
        for name, reader in readers.items():
            for method in route.methods:
                data = {"csrf": _csrf(reader)} if method == "POST" else None
                answer = reader.request(method, _fill(route.path, values), data=data)
                to_login = answer.status_code == 303 and answer.headers["location"].startswith("/login")
                if policy is security.public:  # the login form answers 401 to a wrong password, rightly
                    assert answer.status_code != 403 and not to_login, (name, method, route.path)
                elif name in allowed[policy]:
                    assert answer.status_code not in (401, 403) and not to_login, (name, method, route.path,
                                                                                  answer.status_code)
                elif name in ("anonymous", "revoked"):
                    assert to_login, (name, method, route.path, answer.status_code)
                else:
                    assert answer.status_code == 403, (name, method, route.path, answer.status_code)
                cells += 1
    assert cells >= 100
    agency = readers["agency"]
    for path in (f"/agency/{OTHER}", f"/evidence/{audit_id}/{OTHER}/BG01"):
        assert agency.get(path).status_code == 403, path
    # a stored body is served only as the evidence of a finding the reader may see
    with current_sessions()() as session:
        session.execute(update(Finding).where(Finding.stored_copy == sha).values(stored_copy=""))
        cited = session.scalar(select(Finding).where(Finding.stored_copy != "").limit(1))
        session.commit()
        other_sha = cited.stored_copy if cited is not None else None
    assert readers["admin"].get(f"/evidence/raw/{sha}").status_code == 404  # cited by nobody now
    if other_sha:
        assert readers["admin"].get(f"/evidence/raw/{other_sha}").status_code == 200


def test_api_tokens_read_as_their_role_and_agency(web):
    client, token, _ = web
    with current_sessions()() as session:
        agency_token = add_token(session, "so-tu-phap", "agency", OWN)
        old = add_token(session, "cu")
        revoke_token(session, "cu")
        audit_id = session.scalar(select(AuditRun.id).order_by(AuditRun.id.desc()))
    province = {"Authorization": f"Bearer {token}"}
    own = {"Authorization": f"Bearer {agency_token}"}
    assert client.get("/api/v1/agencies", headers=province).json()["total"] == 9
    codes = {a["code"] for a in client.get("/api/v1/agencies", headers=own).json()["items"]}
    assert OWN in codes and OTHER not in codes
    scores = client.get(f"/api/v1/audits/{audit_id}/scores", headers=own).json()["items"]
    assert {s["agency_code"] for s in scores} == codes & {s["agency_code"] for s in scores} and scores
    findings = client.get(f"/api/v1/audits/{audit_id}/findings?agency={OTHER}", headers=own).json()
    assert findings["total"] == 0
    assert client.get(f"/api/v1/agencies/{OTHER}/history", headers=own).status_code == 403
    assert client.get(f"/api/v1/agencies/{OWN}/history", headers=own).status_code == 200
    assert client.get("/api/v1/monthly-reports", headers=own).status_code == 403
    assert client.get("/api/v1/monthly-reports", headers=province).status_code == 200
    assert client.get("/api/v1/agencies", headers={"Authorization": f"Bearer {old}"}).status_code == 401


def _sid_row(session):
    return session.scalar(select(WebSession).order_by(WebSession.id.desc()))


def test_sessions_end_on_the_server(web):
    browser = _client(web, "quantri")
    assert browser.get("/").status_code == 200
    # a new password ends it
    with current_sessions()() as session:
        set_password(session, "quantri", PASSWORD + "-moi")
    assert browser.get("/").headers["location"].startswith("/login")
    with current_sessions()() as session:
        set_password(session, "quantri", PASSWORD)
    # a disabled account's session ends
    browser = _client(web, "sotuphap")
    with current_sessions()() as session:
        set_active(session, "sotuphap", False)
    assert browser.get("/").status_code == 303
    # "sign out everywhere", from the command line
    browser, other = _client(web, "quantri"), _client(web, "quantri")
    result = run_cli("users", "sign-out", "quantri")
    assert result.returncode == 0, result.stderr
    assert browser.get("/").status_code == 303 and other.get("/").status_code == 303


def test_sessions_have_an_absolute_and_an_idle_lifetime(web):
    browser = _client(web, "quantri")
    with current_sessions()() as session:
        row = _sid_row(session)
        row.last_seen = utcnow() - timedelta(minutes=61)  # [web] idle_minutes = 60
        session.commit()
    assert browser.get("/").status_code == 303
    browser = _client(web, "quantri")
    with current_sessions()() as session:
        row = _sid_row(session)
        row.created_at = utcnow() - timedelta(hours=12, minutes=1)  # [web] session_hours = 12
        session.commit()
    assert browser.get("/").status_code == 303


def test_login_makes_a_new_session_id(web):
    browser = _client(web)
    planted = _csrf(browser) and dict(browser.cookies)
    assert login(browser).status_code == 303
    assert dict(browser.cookies) != planted
    stranger = _client(web)
    stranger.cookies.update(planted)  # the cookie an attacker gave the victim before login
    assert stranger.get("/").status_code == 303


@pytest.mark.parametrize("variant", ["quantri ", " QuanTri", "quantri\u0020\u0020"])
def test_the_throttle_counts_the_name_the_login_reads(web, variant):
    browser = _client(web)
    for attempt in range(5):
        name = variant if attempt % 2 else "quantri"
        assert login(browser, name, "sai-mat-khau-roi").status_code == 401
    assert login(browser, variant, PASSWORD).status_code == 429  # the right password waits too


def test_the_throttle_limits_an_address_and_ignores_its_forwarded_for(web):
    browser = _client(web)
    for n in range(20):  # twenty names, one address
        forged = {"X-Forwarded-For": f"198.51.100.{n}"}  # not from a trusted proxy: ignored
        csrf = _csrf(browser)
        answer = browser.post("/login", headers=forged, data={"username": f"ten-{n}", "password": "x" * 10,
                                                              "csrf": csrf, "next": "/"})
        assert answer.status_code == 401
    assert login(browser, "quantri").status_code == 429


def test_the_throttle_keeps_bounded_memory():
    throttle = LoginThrottle(max_keys=100)
    for n in range(10_000):
        throttle.failed(f"name-{n}", f"10.0.{n // 256}.{n % 256}")
    assert len(throttle.failures) <= 100


def test_forwarded_for_is_believed_from_a_named_proxy_only(web):
    client, _, _ = web
    from starlette.requests import Request

    def address(peer: str, forwarded: str, trusted: list[str]) -> str:
        settings = client.app.state.settings.model_copy(
            update={"web": client.app.state.settings.web.model_copy(update={"trusted_proxies": trusted})})
        scope = {"type": "http", "client": (peer, 1234), "headers": [(b"x-forwarded-for", forwarded.encode())],
                 "app": type("App", (), {"state": type("State", (), {"settings": settings})})}
        return security.client_address(Request(scope))

    assert address("203.0.113.9", "198.51.100.1", []) == "203.0.113.9"
    assert address("127.0.0.1", "198.51.100.1", []) == "127.0.0.1"  # loopback is not trusted by itself
    assert address("127.0.0.1", "198.51.100.1", ["127.0.0.1"]) == "198.51.100.1"
    assert address("127.0.0.1", "6.6.6.6, 198.51.100.1", ["127.0.0.1"]) == "198.51.100.1"  # forged first hop


@pytest.mark.parametrize("path", [
    "/?audit=99999999999999999999", "/?audit=²", "/?page=99999999999999999999", "/agency/stp-hs?audit=٣",
    "/agency/stp-hs?audit=99999999999999999999", "/evidence/99999999999999999999/stp-hs/BG01",
    "/monthly/99999999999999999999/csv", "/changes?before=%C2%B2", "/?q=a%00b", "/rules?x=%07",
])
def test_bad_values_are_a_4xx_never_a_500(web, path):
    browser = _client(web, "quantri")
    answer = browser.get(path)
    assert 400 <= answer.status_code < 500, (path, answer.status_code)


def test_bad_forms_are_a_4xx(web):
    browser = _client(web, "quantri")
    csrf = _csrf(browser)
    assert browser.post("/monthly/republish", data={"month": "2026-13", "csrf": csrf}).status_code == 400
    assert browser.post("/monthly/republish", data={"month": "tháng mười", "csrf": csrf}).status_code == 400
    assert browser.post("/disputes", data={"finding": "99999999999999999999", "csrf": csrf}).status_code == 400
    assert browser.post("/disputes/1/comment", data={"note": "a\x00b", "csrf": csrf}).status_code == 400
    sent_as_file = browser.post("/registry/stp-hs/edit", data={"csrf": csrf}, files={"name": ("x.txt", b"=1+1")})
    assert sent_as_file.status_code == 400
    answer = browser.post("/login", data={"username": "quantri", "password": PASSWORD, "csrf": csrf,
                                          "next": "/\\evil.example/"})
    assert answer.headers["location"] == "/"


def test_headers_and_relative_redirects(web):
    browser = _client(web, "quantri")
    page = browser.get("/")
    csp = page.headers["content-security-policy"]
    for part in ("script-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
                 "frame-ancestors 'none'"):
        assert part in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"]
    login_page = _client(web).get("/login")
    assert "frame-ancestors 'none'" in login_page.headers["content-security-policy"]
    slash = browser.get("/rules/", headers={"Host": "evil.example"})
    assert slash.status_code == 308 and slash.headers["location"] == "/rules"
    double = browser.get("http://testserver//evil.example/")
    assert double.headers["location"] == "/evil.example"


def test_the_secret_and_the_data_folder_are_private(web, demo_store):
    assert stat.S_IMODE((demo_store / "web-secret").stat().st_mode) == 0o600


def test_the_demo_leaves_its_files_to_its_owner(demo_output):
    out, _ = demo_output
    loose = [path for path in [out, *out.rglob("*")]
             if stat.S_IMODE(path.stat().st_mode) & 0o077]
    assert not loose, [str(p) for p in loose[:5]]
