"""The dashboard application: pages for officers (server-rendered, in Vietnamese) and the JSON
API mounted at /api/v1. Every page but /login, /health and /static needs a session."""
from __future__ import annotations

import csv
import html
import secrets
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from minhbach.audit import config
from minhbach.audit.config import Settings
from minhbach.audit.judge.changes import ChangesError, diff_audits, history, pick_audits, previous_audit
from minhbach.audit.judge.choice import choice_history, choose, current_choice, rubric_for_audit
from minhbach.audit.judge.disputes import (
    DisputeError,
    DisputeForbidden,
    comment,
    decide,
    may_decide,
    may_open,
    open_dispute,
)
from minhbach.audit.judge.rubric import RubricError, audit_warning, available, load_rubric
from minhbach.audit.people.accounts import authenticate
from minhbach.audit.registry.agencies import OPTIONAL, REQUIRED, RegistryError, agency_data, import_registry
from minhbach.audit.reports.monthly.content import last_complete_audit, previous_month
from minhbach.audit.reports.monthly.freeze import MonthlyError, freeze
from minhbach.audit.reports.monthly.publish import DEFAULT_ISSUER, publish
from minhbach.audit.reports.rows import finding_rows, latest_audit, score_columns, score_rows
from minhbach.audit.store.db import Store
from minhbach.audit.store.models import (
    Agency,
    AuditRun,
    CrawlRun,
    Dispute,
    DisputeEvent,
    Document,
    Finding,
    MonthlyReport,
    Page,
    Score,
    SiteCrawl,
)
from minhbach.audit.web.api import create_api
from minhbach.audit.web.evidence import EVIDENCE_HEADERS, decode, mark_text, page_document, safe_html
from minhbach.audit.web.security import (
    LoginRequired,
    LoginThrottle,
    check_csrf,
    csrf_token,
    current_user,
    require_visible,
    visible_codes,
)
from minhbach.audit.words import names
from minhbach.audit.words.i18n import _, language, ngettext
from minhbach.audit.words.reasons import reason_text
from minhbach.rules.registry import all_rules

HERE = Path(__file__).parent
PER_PAGE = 50
SORTS = {"code": "agency_code", "name": "agency_name", "score": "score", "grade": "grade",
         "coverage": "coverage", "change": "change"}
REGISTRY_FIELDS = list(REQUIRED + OPTIONAL)


def _secret(settings: Settings) -> str:
    """The key that signs session cookies: made once per data folder, kept there."""
    path = settings.ensure_data_dir() / "web-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def create_app(settings: Settings | None = None, store: Store | None = None, secure_cookies: bool = False) -> FastAPI:
    """The dashboard on `store` (default: the one `settings` name; default: the settings the
    environment and the settings file give)."""
    settings = settings or config.load()
    store = store or Store.open(settings)
    sessions = store.sessions
    app = FastAPI(title="minhbach", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings, app.state.store, app.state.sessions = settings, store, sessions
    app.state.throttle = LoginThrottle()
    app.state.bodies = store.bodies
    app.add_middleware(SessionMiddleware, secret_key=_secret(settings), session_cookie="minhbach_session",
                       same_site="lax", https_only=secure_cookies, max_age=12 * 3600)
    app.mount("/api/v1", create_api(sessions))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.add_extension("jinja2.ext.i18n")
    # the i18n extension, added just above, puts this method on the environment
    templates.env.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
    templates.env.globals.update(lang=language, audit_warning=audit_warning, reason_text=reason_text,
                                 **{name: getattr(names, name) for name in (
        "level_name", "outcome_name", "site_status_name", "run_status_name", "family_name", "role_name",
        "dispute_status_name", "dispute_action_name", "change_kind_name", "reachability_name")})

    def render(request: Request, name: str, user, status_code: int = 200, headers=None, **context) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"user": user, "csrf": csrf_token(request), **context},
                                          status_code=status_code, headers=headers)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, exc: StarletteHTTPException) -> Response:
        """A page, in the reader's language, for what a browser asked and may not have (a
        program asking under /api/ gets JSON, as the API documents)."""
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        try:
            user = current_user(request)
        except LoginRequired:
            user = None
        return render(request, "error.html", user, status_code=exc.status_code, headers=exc.headers,
                      message=exc.detail if isinstance(exc.detail, str) and exc.detail != _http_phrase(exc.status_code)
                      else "", status=exc.status_code)

    @app.get("/health", include_in_schema=False)
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/"):
        return render(request, "login.html", None, next=next, error="")

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form(""),
              next: str = Form("/")):
        check_csrf(request, csrf)
        key = (request.client.host if request.client else "", username.lower())
        throttle = app.state.throttle
        if throttle.blocked(key):
            return render(request, "login.html", None, status_code=429, next=next,
                          error=_("Too many failed logins; try again in 5 minutes."))
        with sessions() as session:
            user = authenticate(session, username.strip().lower(), password)
        if user is None:
            throttle.failed(key)
            return render(request, "login.html", None, status_code=401, next=next,
                          error=_("Wrong user name or password."))
        throttle.succeeded(key)
        request.session.clear()  # a new session (and a new CSRF token) for the new user
        request.session["uid"] = user.id
        return RedirectResponse(next if next.startswith("/") and not next.startswith("//") else "/", status_code=303)

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form("")):
        check_csrf(request, csrf)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    def pick_audit(session, audit_id: int | None) -> AuditRun | None:
        if audit_id is not None:
            audit = session.get(AuditRun, audit_id)
            if audit is None:
                raise HTTPException(status_code=404, detail=_("There is no audit {id}.").format(id=audit_id))
            return audit
        return latest_audit(session)

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request, audit: str = "", q: str = "", province: str = "", parent: str = "",
                 level: str = "", grade: str = "", unknown: bool = False, sort: str = "code", order: str = "asc",
                 page: int = 1):
        user = current_user(request)
        codes = visible_codes(request, user)
        with sessions() as session:
            audit_run = pick_audit(session, int(audit) if audit.isdigit() else None)
            if audit_run is None:
                return render(request, "overview.html", user, audit=None, rows=[], total=0)
            rows = [r for r in score_rows(session, audit_run) if codes is None or r["agency_code"] in codes]
            columns = [(k, h) for k, h in score_columns(session, audit_run) if k.startswith("cat_")]
            before = previous_audit(session, audit_run)
            month = f"{audit_run.audit_date:%Y-%m}"
            last_month = last_complete_audit(session, previous_month(month), audit_run.rubric_id)
            earlier, monthly = _totals(session, before), _totals(session, last_month)
            audits = list(session.scalars(select(AuditRun).order_by(AuditRun.id.desc()).limit(60)))
        for row in rows:
            row["change"] = _delta(row["score"], earlier.get(row["agency_code"]))
            row["change_month"] = _delta(row["score"], monthly.get(row["agency_code"]))
        options = {"province": sorted({r["province"] for r in rows}), "parent": sorted({r["parent_code"] for r in rows
                                                                                      if r["parent_code"]}),
                   "level": sorted({r["level"] for r in rows}), "grade": sorted({r["grade"] for r in rows})}
        needle = q.strip().lower()
        shown = [r for r in rows
                 if (not needle or needle in r["agency_code"].lower() or needle in r["agency_name"].lower())
                 and (not province or r["province"] == province) and (not parent or r["parent_code"] == parent)
                 and (not level or r["level"] == level) and (not grade or r["grade"] == grade)
                 and (not unknown or r["score"] is None)]
        key = SORTS.get(sort, "agency_code")
        present = [r for r in shown if r[key] is not None]
        present.sort(key=lambda r: r[key], reverse=order == "desc")
        shown = present + [r for r in shown if r[key] is None]  # the unknown last, whatever the order
        pages = max(1, -(-len(shown) // PER_PAGE))
        page = min(max(page, 1), pages)
        return render(request, "overview.html", user, audit=audit_run, audits=audits, columns=columns,
                      rows=shown[(page - 1) * PER_PAGE: page * PER_PAGE], total=len(shown), page=page, pages=pages,
                      options=options, before=before, last_month=last_month,
                      query={key: value for key, value in (  # what the links carry: only what is set
                          ("q", q), ("province", province), ("parent", parent), ("level", level), ("grade", grade),
                          ("unknown", "true" if unknown else ""), ("sort", sort), ("order", order),
                          ("audit", audit)) if value})

    @app.get("/agency/{code}", response_class=HTMLResponse)
    def agency_page(request: Request, code: str, audit: int | None = None):
        user = current_user(request)
        require_visible(request, user, code)
        rules = all_rules()
        with sessions() as session:
            audit_run = pick_audit(session, audit)
            if audit_run is None:
                raise HTTPException(status_code=404, detail=_("There is no audit yet."))
            score = next(iter(score_rows(session, audit_run, code)), None)
            if score is None:
                raise HTTPException(status_code=404, detail=_("Agency '{code}' is not in audit {id}.").format(
                    code=code, id=audit_run.id))
            findings = finding_rows(session, audit_run, code)
            # one rubric's scores make a line; another rubric's are another measure
            past = [row for row in history(session, code) if row["rubric_id"] == audit_run.rubric_id]
            crawl = session.scalar(select(SiteCrawl).join(CrawlRun).where(
                CrawlRun.id == audit_run.crawl_run_id, SiteCrawl.agency.has(code=code)))
            agency = session.scalar(select(Agency).where(Agency.code == code))
            assert agency is not None  # the audit scored it just above
            children = (visible_codes(request, user) or set()) - {user.agency_code}
            for row in findings:
                rule = rules.get(row["rule_code"])
                row["citations"] = rule.citations if rule else ()
                row["doc"] = rule.doc if rule else ""
                row["may_dispute"] = may_open(user, agency, row["outcome"], row["override_id"], children)
            open_disputes = list(session.scalars(select(Dispute).where(Dispute.agency_id == agency.id)
                                                 .order_by(Dispute.id.desc())))
        return render(request, "agency.html", user, audit=audit_run, score=score, findings=findings,
                      chart=_chart(past), history=past, crawl=crawl, disputes=open_disputes)

    @app.post("/disputes")
    def dispute_open(request: Request, finding: str = Form(""), note: str = Form(""), url: str = Form(""),
                     csrf: str = Form("")):
        user = current_user(request)
        check_csrf(request, csrf)
        with sessions() as session:
            row = session.get(Finding, int(finding)) if finding.isdigit() else None
            if row is None:
                raise HTTPException(status_code=404)
            agency = session.get(Agency, row.agency_id)
            assert agency is not None  # a finding's agency_id is a foreign key
            require_visible(request, user, agency.code)
            try:
                opened = open_dispute(session, user, row, note, url,
                                      (visible_codes(request, user) or set()) - {user.agency_code})
            except DisputeError as error:
                raise _refused(error) from None
        return RedirectResponse(f"/disputes#d{opened.id}", status_code=303)

    @app.get("/disputes", response_class=HTMLResponse)
    def disputes_page(request: Request):
        user = current_user(request)
        codes = visible_codes(request, user)
        with sessions() as session:
            every = session.execute(select(Dispute, Agency).join(Agency, Agency.id == Dispute.agency_id)
                                    .order_by(Dispute.status != "open", Dispute.id.desc())).all()
            rows = [(d, a) for d, a in every if codes is None or a.code in codes]
            events = {d.id: list(session.scalars(select(DisputeEvent).where(DisputeEvent.dispute_id == d.id)
                                                 .order_by(DisputeEvent.id))) for d, _ in rows}
        return render(request, "disputes.html", user, rows=rows, events=events, may_decide=may_decide,
                      rules=all_rules())

    def _dispute(session, request: Request, user, dispute_id: int) -> Dispute:
        dispute = session.get(Dispute, dispute_id)
        if dispute is None:
            raise HTTPException(status_code=404)
        agency = session.get(Agency, dispute.agency_id)
        assert agency is not None  # a dispute's agency_id is a foreign key
        require_visible(request, user, agency.code)
        return dispute

    @app.post("/disputes/{dispute_id}/comment")
    def dispute_comment(request: Request, dispute_id: int, note: str = Form(""), csrf: str = Form("")):
        user = current_user(request)
        check_csrf(request, csrf)
        with sessions() as session:
            try:
                comment(session, user, _dispute(session, request, user, dispute_id), note)
            except DisputeError as error:
                raise _refused(error) from None
        return RedirectResponse(f"/disputes#d{dispute_id}", status_code=303)

    @app.post("/disputes/{dispute_id}/decide")
    def dispute_decide(request: Request, dispute_id: int, decision: str = Form(""), reason: str = Form(""),
                       outcome: str = Form("pass"), csrf: str = Form("")):
        user = current_user(request)
        check_csrf(request, csrf)
        with sessions() as session:
            try:
                decide(session, user, _dispute(session, request, user, dispute_id), decision == "accept", reason,
                       outcome)
            except DisputeError as error:
                raise _refused(error) from None
        return RedirectResponse(f"/disputes#d{dispute_id}", status_code=303)

    @app.get("/evidence/{audit_id}/{code}/{rule_code}", response_class=HTMLResponse)
    def evidence(request: Request, audit_id: int, code: str, rule_code: str):
        user = current_user(request)
        require_visible(request, user, code)
        with sessions() as session:
            audit_run = pick_audit(session, audit_id)
            assert audit_run is not None  # an id given: pick_audit answers 404, never None
            finding = next((f for f in finding_rows(session, audit_run, code) if f["rule_code"] == rule_code), None)
            if finding is None or not finding["stored_copy"]:
                raise HTTPException(status_code=404, detail=_("This finding has no stored copy."))
            captured = session.scalar(select(Page).join(SiteCrawl).where(
                SiteCrawl.run_id == audit_run.crawl_run_id, Page.sha256 == finding["stored_copy"]).limit(1))
        return render(request, "evidence.html", user, audit=audit_run, finding=finding, captured=captured,
                      frame=f"/evidence/raw/{finding['stored_copy']}?mark={quote(finding['snippet'][:200])}")

    @app.get("/evidence/raw/{sha256}")
    def evidence_raw(request: Request, sha256: str, mark: str = ""):
        current_user(request)
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise HTTPException(status_code=404)
        with sessions() as session:
            page = session.scalar(select(Page).where(Page.sha256 == sha256).limit(1))
            attachment = None if page else session.scalar(select(Document).where(Document.sha256 == sha256).limit(1))
        if attachment is not None:  # a PDF/DOCX/XLSX read from a section: its text, as extracted
            shown = (f"<p>{html.escape(attachment.url)}</p><pre style=\"white-space:pre-wrap\">"
                     f"{html.escape(attachment.text) or html.escape(_('(no text: a scanned document)'))}</pre>")
            document = page_document(mark_text(shown, mark), attachment.anchor_text or _("Stored copy"))
            return Response(document, media_type="text/html; charset=utf-8", headers=EVIDENCE_HEADERS)
        try:
            body = app.state.bodies.get(sha256)
        except FileNotFoundError:
            raise HTTPException(status_code=404, detail=_("The stored copy is no longer kept.")) from None
        text = decode(body, page.encoding if page else None, page.legacy_encoding if page else None)
        document = page_document(safe_html(text, mark), page.title if page and page.title else _("Stored copy"))
        return Response(document, media_type="text/html; charset=utf-8", headers=EVIDENCE_HEADERS)

    @app.get("/runs", response_class=HTMLResponse)
    def runs(request: Request):
        user = current_user(request)
        with sessions() as session:
            crawls = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(100)))
            audits = list(session.scalars(select(AuditRun).order_by(AuditRun.id.desc()).limit(100)))
        return render(request, "runs.html", user, crawls=crawls, audits=audits)

    @app.get("/changes", response_class=HTMLResponse)
    def changes_page(request: Request, before: str = "", after: str = ""):
        user = current_user(request)
        codes = visible_codes(request, user)
        with sessions() as session:
            try:
                older, newer = pick_audits(session, int(before) if before.isdigit() else None,
                                           int(after) if after.isdigit() else None)
            except ChangesError as error:
                return render(request, "changes.html", user, error=str(error), rows=[], sites=[])
            rows, sites = diff_audits(session, older, newer)
        rows = [r for r in rows if codes is None or r["agency_code"] in codes]
        sites = [s for s in sites if codes is None or s.agency_code in codes]
        return render(request, "changes.html", user, error="", rows=rows, sites=sites, older=older, newer=newer)

    @app.get("/monthly", response_class=HTMLResponse)
    def monthly_page(request: Request):
        user = current_user(request)
        with sessions() as session:
            reports = list(session.scalars(select(MonthlyReport).order_by(MonthlyReport.month.desc(),
                                                                          MonthlyReport.version.desc())))
        return render(request, "monthly.html", user, reports=reports)

    @app.get("/monthly/{report_id}/{fmt}")
    def monthly_file(request: Request, report_id: int, fmt: str):
        current_user(request)
        if fmt not in ("xlsx", "csv", "docx"):
            raise HTTPException(status_code=404)
        with sessions() as session:
            report = session.get(MonthlyReport, report_id)
            if report is None:
                raise HTTPException(status_code=404)
            folder = Path(tempfile.mkdtemp(prefix="minhbach-monthly-"))
            path = next(p for p in publish(report, folder, settings.report.issuer or DEFAULT_ISSUER)
                        if p.suffix == f".{fmt}")
        return FileResponse(path, filename=path.name, background=BackgroundTask(shutil.rmtree, folder, True))

    @app.post("/monthly/republish")
    def monthly_republish(request: Request, month: str = Form(""), reason: str = Form(""), csrf: str = Form("")):
        user = current_user(request)
        check_csrf(request, csrf)
        if user.role != "admin":
            raise HTTPException(status_code=403, detail=_("Only an administrator remakes a report."))
        with sessions() as session:
            try:
                freeze(session, month, "", None, settings.default_rubric, True, reason)
            except MonthlyError as error:
                raise HTTPException(status_code=400, detail=str(error)) from None
        return RedirectResponse("/monthly", status_code=303)

    @app.get("/registry", response_class=HTMLResponse)
    def registry_page(request: Request):
        user = current_user(request)
        codes = visible_codes(request, user)
        with sessions() as session:
            agencies = [a for a in session.scalars(select(Agency).order_by(Agency.code))
                        if codes is None or a.code in codes]
        return render(request, "registry.html", user, agencies=agencies)

    def _admin(request: Request, refusal: str = ""):
        user = current_user(request)
        if user.role != "admin":
            raise HTTPException(status_code=403, detail=refusal or _("Only an administrator changes the agency list."))
        return user

    @app.get("/registry/{code}/edit", response_class=HTMLResponse)
    def registry_edit_form(request: Request, code: str):
        user = _admin(request)
        with sessions() as session:
            agency = session.scalar(select(Agency).where(Agency.code == code))
            if agency is None:
                raise HTTPException(status_code=404)
            values = {field: "" if value is None else value for field, value in agency_data(agency).items()}
        return render(request, "registry_edit.html", user, code=code, values=values, problems=[])

    @app.post("/registry/{code}/edit", response_class=HTMLResponse)
    async def registry_edit(request: Request, code: str):
        user = _admin(request)
        form = await request.form()
        csrf = form.get("csrf")
        check_csrf(request, csrf if isinstance(csrf, str) else None)  # a file is no token
        values = {field: str(form.get(field, "")).strip() for field in REGISTRY_FIELDS}
        values["code"] = code
        with tempfile.TemporaryDirectory() as folder:  # the CSV import's own checks, line by line
            path = Path(folder) / "bieu-mau.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=REGISTRY_FIELDS)
                writer.writeheader()
                writer.writerow(values)
            with sessions() as session:
                try:
                    import_registry(session, path, source=f"dashboard:{user.username}")  # who, not words
                except RegistryError as error:
                    problems = [p.replace(str(path), _("form")) for p in error.problems]
                    return render(request, "registry_edit.html", user, status_code=400, code=code, values=values,
                                  problems=problems)
        return RedirectResponse("/registry", status_code=303)

    @app.get("/settings", response_class=HTMLResponse)
    def settings_page(request: Request, problems: list[str] | None = None, status_code: int = 200):
        user = _admin(request, _("Only an administrator changes the settings."))
        with sessions() as session:
            choice, past = current_choice(session), choice_history(session)
            in_use = rubric_for_audit(session, configured=settings.default_rubric)
        rubrics = []
        for rubric_id in available():
            try:
                rubrics.append(load_rubric(rubric_id))
            except RubricError as error:
                problems = (problems or []) + error.problems
        return render(request, "settings.html", user, status_code=status_code, choice=choice, history=past,
                      rubrics=rubrics, in_use=in_use, problems=problems or [])

    @app.post("/settings/rubric")
    def settings_rubric(request: Request, rubric: str = Form(""), reason: str = Form(""), csrf: str = Form("")):
        user = _admin(request, _("Only an administrator changes the settings."))
        check_csrf(request, csrf)
        with sessions() as session:
            try:
                choose(session, rubric, user.username, reason)
            except RubricError as error:
                return settings_page(request, error.problems, 400)
        return RedirectResponse("/settings", status_code=303)

    @app.get("/rules", response_class=HTMLResponse)
    def rules_page(request: Request):
        user = current_user(request)
        return render(request, "rules.html", user, rules=sorted(all_rules().values(), key=lambda r: r.code))

    return app


def _http_phrase(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase


def _refused(error: DisputeError) -> HTTPException:
    return HTTPException(status_code=403 if isinstance(error, DisputeForbidden) else 400, detail=str(error))


def _totals(session, audit: AuditRun | None) -> dict[str, float | None]:
    """Each agency's score in an audit, by code: all the change columns need of it."""
    if audit is None:
        return {}
    return dict(session.execute(select(Agency.code, Score.total).join(Score, Score.agency_id == Agency.id)
                                .where(Score.audit_run_id == audit.id)).all())


def _delta(now, before) -> float | None:
    return round(now - before, 1) if now is not None and before is not None else None


def _chart(past: list[dict], width: int = 560, height: int = 120) -> dict:
    """An inline SVG line of the scores over the audits (no script, no library)."""
    points = [(row["audit_date"], row["score"]) for row in past if row["score"] is not None]
    if len(points) < 2:  # one point is no line: the score is in the heading
        return {"points": "", "dots": [], "width": width, "height": height}
    step = (width - 40) / max(1, len(points) - 1)
    dots = [(20 + i * step, height - 10 - (score / 100) * (height - 20), day, score)
            for i, (day, score) in enumerate(points)]
    return {"points": " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in dots), "dots": dots,
            "width": width, "height": height}
