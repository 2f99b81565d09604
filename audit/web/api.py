"""The read-only JSON API, /api/v1: stable English keys, pages of results, bearer tokens
(`minhbach tokens add NAME`). Its OpenAPI schema is /api/v1/openapi.json."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as ApiPath
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import func, select

from minhbach.audit.judge.changes import ChangesError, diff_audits, diff_records, history, pick_audits
from minhbach.audit.judge.rubric import audit_warning
from minhbach.audit.people.accounts import token_valid
from minhbach.audit.reports.rows import finding_json, finding_rows, score_json, score_rows
from minhbach.audit.store.models import Agency, AuditRun, MonthlyReport

_bearer = HTTPBearer(auto_error=False)
MAX_ID = 2**31 - 1  # ids and offsets beyond what the store can hold are refused (422), not a 500


def _token(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    if credentials is None:
        raise HTTPException(status_code=401, detail="a bearer token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    with request.app.state.sessions() as session:
        if not token_valid(session, credentials.credentials):
            raise HTTPException(status_code=401, detail="unknown or revoked token",
                                headers={"WWW-Authenticate": "Bearer"})


class Problem(BaseModel):
    detail: str


class Page(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[dict]


def _page(rows: list[dict], offset: int, limit: int) -> Page:
    return Page(total=len(rows), offset=offset, limit=limit, items=rows[offset:offset + limit])


def create_api(sessions) -> FastAPI:
    api = FastAPI(title="minhbach API", version="1", openapi_url=None, docs_url=None, redoc_url=None,
                  dependencies=[Depends(_token)],
                  responses={401: {"model": Problem, "description": "No token, or an unknown or revoked one"},
                             404: {"model": Problem, "description": "No such audit, agency or report"}})
    api.state.sessions = sessions
    paging = {"offset": Query(0, ge=0, le=MAX_ID), "limit": Query(100, ge=1, le=1000)}

    def audit_or_404(session, audit_id: int) -> AuditRun:
        audit = session.get(AuditRun, audit_id)
        if audit is None:
            raise HTTPException(status_code=404, detail=f"no audit {audit_id}")
        return audit

    @api.get("/agencies", response_model=Page, summary="Registered agencies")
    def agencies(offset: int = paging["offset"], limit: int = paging["limit"]) -> Page:
        with sessions() as session:
            rows = [{"code": a.code, "name": a.name, "level": a.level, "province": a.province,
                     "parent_code": a.parent_code, "portal_url": a.portal_url, "active": a.active,
                     "replaced_by": a.replaced_by}
                    for a in session.scalars(select(Agency).order_by(Agency.code))]
        return _page(rows, offset, limit)

    @api.get("/audits", response_model=Page, summary="Audits, newest first")
    def audits(offset: int = paging["offset"], limit: int = paging["limit"]) -> Page:
        with sessions() as session:
            rows = [{"id": a.id, "audit_date": a.audit_date.isoformat(), "rubric_id": a.rubric_id,
                     "rubric_version": a.rubric_version, "crawl_run": a.crawl_run_id,
                     "rubric_effective": a.rubric_effective or {}, "outside_rubric_dates": bool(audit_warning(a))}
                    for a in session.scalars(select(AuditRun).order_by(AuditRun.id.desc()))]
        return _page(rows, offset, limit)

    @api.get("/audits/{audit_id}/scores", response_model=Page, summary="One audit's scores")
    def scores(audit_id: Annotated[int, ApiPath(ge=1, le=MAX_ID)], offset: int = paging["offset"],
               limit: int = paging["limit"]) -> Page:
        with sessions() as session:
            rows = [score_json(r) for r in score_rows(session, audit_or_404(session, audit_id))]
        return _page(rows, offset, limit)

    @api.get("/audits/{audit_id}/findings", response_model=Page, summary="One audit's findings")
    def findings(audit_id: Annotated[int, ApiPath(ge=1, le=MAX_ID)], agency: str | None = None,
                 offset: int = paging["offset"],
                 limit: int = paging["limit"]) -> Page:
        with sessions() as session:
            rows = [finding_json(r) for r in finding_rows(session, audit_or_404(session, audit_id), agency)]
        return _page(rows, offset, limit)

    @api.get("/agencies/{code}/history", response_model=Page, summary="An agency's score at every audit")
    def agency_history(code: str, offset: int = paging["offset"], limit: int = paging["limit"]) -> Page:
        with sessions() as session:
            try:
                rows = history(session, code)
            except ChangesError as error:
                raise HTTPException(status_code=404, detail=str(error)) from None
        for row in rows:
            row["audit_date"] = row["audit_date"].isoformat()
        return _page(rows, offset, limit)

    @api.get("/changes", response_model=Page, summary="What changed between two audits (default: the last two)")
    def changes(before: int | None = Query(None, alias="from", ge=1, le=MAX_ID),
                after: int | None = Query(None, alias="to", ge=1, le=MAX_ID),
                offset: int = paging["offset"], limit: int = paging["limit"]) -> Page:
        with sessions() as session:
            try:
                older, newer = pick_audits(session, before, after)
            except ChangesError as error:
                raise HTTPException(status_code=404, detail=str(error)) from None
            rows, sites = diff_audits(session, older, newer)
        return _page(diff_records(rows, sites), offset, limit)

    @api.get("/monthly-reports", response_model=Page, summary="Frozen monthly reports (without their content)")
    def monthly_reports(offset: int = paging["offset"], limit: int = paging["limit"]) -> Page:
        with sessions() as session:
            rows = [{"id": r.id, "month": r.month, "province": r.province, "version": r.version,
                     "created_at": r.created_at.isoformat(), "reason": r.reason, "audits": r.audit_ids["audits"],
                     "rubric_id": r.rubric_id, "rubric_version": r.rubric_version, "sha256": r.content_sha256}
                    for r in session.scalars(select(MonthlyReport).order_by(MonthlyReport.id.desc()))]
        return _page(rows, offset, limit)

    @api.get("/monthly-reports/{report_id}", summary="One frozen monthly report with its content")
    def monthly_report(report_id: Annotated[int, ApiPath(ge=1, le=MAX_ID)]) -> dict:
        with sessions() as session:
            report = session.get(MonthlyReport, report_id)
            if report is None:
                raise HTTPException(status_code=404, detail=f"no monthly report {report_id}")
            return {"id": report.id, "month": report.month, "version": report.version,
                    "sha256": report.content_sha256, "content": report.content}

    @api.get("/stats", summary="How much the store holds")
    def stats() -> dict:
        with sessions() as session:
            return {"agencies": session.scalar(select(func.count(Agency.id))),
                    "audits": session.scalar(select(func.count(AuditRun.id)))}

    @api.get("/openapi.json", include_in_schema=False)
    def openapi() -> dict:  # behind the token like every endpoint
        return api.openapi()

    return api
