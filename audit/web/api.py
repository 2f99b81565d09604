"""The read-only JSON API, /api/v1: stable English keys, pages of results, bearer tokens
(`minhbach tokens add NAME [--role ROLE --agency CODE]`). A token reads what an account of its
role would: an agency token its own agency and its children, and no province-wide report. Every
route declares the `api_reader` policy (tests/test_web_policy.py checks). Its OpenAPI schema is
/api/v1/openapi.json."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as ApiPath
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import func, select

from minhbach.audit.judge.changes import ChangesError, diff_records, history, pick_comparison
from minhbach.audit.judge.rubric import audit_warning
from minhbach.audit.people.accounts import live_token
from minhbach.audit.reports.rows import counted_rows, finding_json, finding_rows, score_json, score_rows
from minhbach.audit.store.models import Agency, AuditRun, MonthlyReport
from minhbach.audit.web.inputs import MAX_ID, QueryText, clean_input
from minhbach.audit.web.security import codes_for

_bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class Reader:
    """Who a token reads for: its role, and the agencies it may see (None: all)."""

    role: str
    codes: frozenset[str] | None

    def sees(self, code: str) -> bool:
        return self.codes is None or code in self.codes

    def only_visible(self, rows: list[dict]) -> list[dict]:
        return rows if self.codes is None else [row for row in rows if row["agency_code"] in self.codes]


def api_reader(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> Reader:
    """The API's one policy: a live bearer token, read as its role and agency."""
    if credentials is None:
        raise HTTPException(status_code=401, detail="a bearer token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    with request.app.state.sessions() as session:
        token = live_token(session, credentials.credentials)
        if token is None:
            raise HTTPException(status_code=401, detail="unknown or revoked token",
                                headers={"WWW-Authenticate": "Bearer"})
        codes = codes_for(session, token.role, token.agency_code)
    return Reader(token.role, None if codes is None else frozenset(codes))


Token = Annotated[Reader, Depends(api_reader)]


def _province(reader: Reader) -> None:
    if reader.codes is not None:
        raise HTTPException(status_code=403, detail="an agency token reads its own agency only")


class Problem(BaseModel):
    detail: str


class Page(BaseModel):
    """One page of results; `next` is the address of the next page (None on the last)."""

    total: int
    offset: int
    limit: int
    items: list[dict]
    next: str | None = None


class ChangesPage(Page):
    """The changes with the two audits compared; `compared` is false (and `items` empty) when their
    rubrics differ or one was made on a night without network: `notes` say which (`kind`,
    its values, and `text` in words)."""

    from_audit: int
    to_audit: int
    compared: bool
    notes: list[dict]


def _next(request: Request | None, total: int, offset: int, limit: int) -> str | None:
    if request is None or offset + limit >= total:
        return None
    return str(request.url.include_query_params(offset=offset + limit, limit=limit))


def _page(rows: list[dict], offset: int, limit: int, request: Request | None = None) -> Page:
    """A page cut from rows already read (small lists: agencies, audits, one history)."""
    return Page(total=len(rows), offset=offset, limit=limit, items=rows[offset:offset + limit],
                next=_next(request, len(rows), offset, limit))


def create_api(sessions) -> FastAPI:
    api = FastAPI(title="minhbach API", version="1", openapi_url=None, docs_url=None, redoc_url=None,
                  dependencies=[Depends(clean_input)],
                  responses={401: {"model": Problem, "description": "No token, or an unknown or revoked one"},
                             403: {"model": Problem, "description": "Outside what the token may read"},
                             404: {"model": Problem, "description": "No such audit, agency or report"}})
    api.state.sessions = sessions
    paging = {"offset": Query(0, ge=0, le=MAX_ID), "limit": Query(100, ge=1, le=1000)}

    def audit_or_404(session, audit_id: int) -> AuditRun:
        audit = session.get(AuditRun, audit_id)
        if audit is None:
            raise HTTPException(status_code=404, detail=f"no audit {audit_id}")
        return audit

    @api.get("/agencies", response_model=Page, summary="Registered agencies")
    def agencies(request: Request, reader: Token, offset: int = paging["offset"], limit: int = paging["limit"]) -> Page:
        with sessions() as session:
            rows = [{"agency_code": a.code, "name": a.name, "level": a.level, "province": a.province,
                     "parent_code": a.parent_code, "portal_url": a.portal_url, "active": a.active,
                     "replaced_by": a.replaced_by}
                    for a in session.scalars(select(Agency).order_by(Agency.code))]
        rows = [{"code": row.pop("agency_code"), **row} for row in reader.only_visible(rows)]
        return _page(rows, offset, limit, request)

    @api.get("/audits", response_model=Page, summary="Audits, newest first")
    def audits(request: Request, reader: Token, offset: int = paging["offset"], limit: int = paging["limit"]) -> Page:
        with sessions() as session:
            rows = [{"id": a.id, "audit_date": a.audit_date.isoformat(), "rubric_id": a.rubric_id,
                     "rubric_version": a.rubric_version, "crawl_run": a.crawl_run_id,
                     "rubric_effective": a.rubric_effective or {}, "outside_rubric_dates": bool(audit_warning(a))}
                    for a in session.scalars(select(AuditRun).order_by(AuditRun.id.desc()))]
        return _page(rows, offset, limit, request)

    @api.get("/audits/{audit_id}/scores", response_model=Page, summary="One audit's scores")
    def scores(request: Request, reader: Token, audit_id: Annotated[int, ApiPath(ge=1, le=MAX_ID)],
               offset: int = paging["offset"], limit: int = paging["limit"]) -> Page:
        with sessions() as session:  # one page read in the database, whatever the audit's size
            audit = audit_or_404(session, audit_id)
            total = counted_rows(session, audit, False, agency_codes=reader.codes)
            rows = [score_json(r) for r in score_rows(session, audit, agency_codes=reader.codes, offset=offset,
                                                      limit=limit)]
        return Page(total=total, offset=offset, limit=limit, items=rows, next=_next(request, total, offset, limit))

    @api.get("/audits/{audit_id}/findings", response_model=Page, summary="One audit's findings")
    def findings(request: Request, reader: Token, audit_id: Annotated[int, ApiPath(ge=1, le=MAX_ID)],
                 agency: QueryText = None, offset: int = paging["offset"], limit: int = paging["limit"]) -> Page:
        with sessions() as session:  # one page read in the database, whatever the audit's size
            audit = audit_or_404(session, audit_id)
            total = counted_rows(session, audit, True, agency, reader.codes)
            rows = [finding_json(r) for r in finding_rows(session, audit, agency, reader.codes, offset, limit)]
        return Page(total=total, offset=offset, limit=limit, items=rows, next=_next(request, total, offset, limit))

    @api.get("/agencies/{code}/history", response_model=Page, summary="An agency's score at every audit")
    def agency_history(reader: Token, code: str, offset: int = paging["offset"], limit: int = paging["limit"]) -> Page:
        if not reader.sees(code):
            raise HTTPException(status_code=403, detail=f"this token cannot read agency {code}")
        with sessions() as session:
            try:
                rows = history(session, code)
            except ChangesError as error:
                raise HTTPException(status_code=404, detail=str(error)) from None
        for row in rows:
            row["audit_date"] = row["audit_date"].isoformat()
        return _page(rows, offset, limit)

    @api.get("/changes", response_model=ChangesPage,
             summary="What changed between two audits under one rubric (default: the newest and the one before)")
    def changes(reader: Token, before: int | None = Query(None, alias="from", ge=1, le=MAX_ID),
                after: int | None = Query(None, alias="to", ge=1, le=MAX_ID),
                offset: int = paging["offset"], limit: int = paging["limit"]) -> ChangesPage:
        with sessions() as session:
            try:
                comparison = pick_comparison(session, before, after)
            except ChangesError as error:
                raise HTTPException(status_code=404, detail=str(error)) from None
        page = _page(reader.only_visible(diff_records(comparison.rows, comparison.sites)), offset, limit)
        return ChangesPage(**page.model_dump(), from_audit=comparison.before.id, to_audit=comparison.after.id,
                           compared=comparison.compared,
                           notes=[{**note, "text": text} for note, text in zip(comparison.notes,
                                                                                comparison.note_texts())])

    @api.get("/monthly-reports", response_model=Page, summary="Frozen monthly reports (without their content)")
    def monthly_reports(reader: Token, offset: int = paging["offset"], limit: int = paging["limit"]) -> Page:
        _province(reader)
        with sessions() as session:
            rows = [{"id": r.id, "month": r.month, "province": r.province, "version": r.version,
                     "created_at": r.created_at.isoformat(), "reason": r.reason, "audits": r.audit_ids["audits"],
                     "rubric_id": r.rubric_id, "rubric_version": r.rubric_version, "sha256": r.content_sha256}
                    for r in session.scalars(select(MonthlyReport).order_by(MonthlyReport.id.desc()))]
        return _page(rows, offset, limit)

    @api.get("/monthly-reports/{report_id}", summary="One frozen monthly report with its content")
    def monthly_report(reader: Token, report_id: Annotated[int, ApiPath(ge=1, le=MAX_ID)]) -> dict:
        _province(reader)
        with sessions() as session:
            report = session.get(MonthlyReport, report_id)
            if report is None:
                raise HTTPException(status_code=404, detail=f"no monthly report {report_id}")
            return {"id": report.id, "month": report.month, "version": report.version,
                    "sha256": report.content_sha256, "content": report.content}

    @api.get("/stats", summary="How much the store holds")
    def stats(reader: Token) -> dict:
        _province(reader)
        with sessions() as session:
            return {"agencies": session.scalar(select(func.count(Agency.id))),
                    "audits": session.scalar(select(func.count(AuditRun.id)))}

    @api.get("/openapi.json", include_in_schema=False)
    def openapi(reader: Token) -> dict:  # behind the token like every endpoint
        return api.openapi()

    return api
