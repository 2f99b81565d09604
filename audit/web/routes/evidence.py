"""Evidence: the stored copy a finding cites, shown in a sandboxed frame with the snippet marked."""
from __future__ import annotations

import html
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from minhbach.audit.reports.rows import finding_rows
from minhbach.audit.store.models import Agency, Document, Finding, Page, SiteCrawl, User
from minhbach.audit.web.evidence import EVIDENCE_HEADERS, decode, mark_text, page_document, safe_html
from minhbach.audit.web.inputs import Id
from minhbach.audit.web.lookups import pick_audit
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import require_visible, signed_in, visible_codes
from minhbach.audit.words.i18n import _

router = APIRouter()


@router.get("/evidence/{audit_id}/{code}/{rule_code}", response_class=HTMLResponse)
def evidence(request: Request, audit_id: Id, code: str, rule_code: str, user: User = Depends(signed_in)):
    require_visible(request, user, code)
    with request.app.state.sessions() as session:
        audit_run = pick_audit(session, audit_id)
        assert audit_run is not None  # an id given: pick_audit answers 404, never None
        finding = next((f for f in finding_rows(session, audit_run, code) if f["rule_code"] == rule_code), None)
        if finding is None or not finding["stored_copy"]:
            raise HTTPException(status_code=404, detail=_("This finding has no stored copy."))
        captured = session.scalar(select(Page).join(SiteCrawl).where(
            SiteCrawl.run_id == audit_run.crawl_run_id, Page.sha256 == finding["stored_copy"]).limit(1))
    return render(request, "evidence.html", user, audit=audit_run, finding=finding, captured=captured,
                  frame=f"/evidence/raw/{finding['stored_copy']}?mark={quote(finding['snippet'][:200])}")


@router.get("/evidence/raw/{sha256}")
def evidence_raw(request: Request, sha256: str, mark: str = Query("", max_length=400), user: User = Depends(signed_in)):
    """A stored body, only as the evidence of a finding of an agency the reader may see: the
    store holds every page of every site, and an id is not a permission."""
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise HTTPException(status_code=404)
    codes = visible_codes(request, user)
    with request.app.state.sessions() as session:
        citing = select(Finding.id).join(Agency, Agency.id == Finding.agency_id).where(Finding.stored_copy == sha256)
        if codes is not None:
            citing = citing.where(Agency.code.in_(codes))
        if session.scalar(citing.limit(1)) is None:
            raise HTTPException(status_code=404, detail=_("This finding has no stored copy."))
        page = session.scalar(select(Page).where(Page.sha256 == sha256).limit(1))
        attachment = None if page else session.scalar(select(Document).where(Document.sha256 == sha256).limit(1))
    if attachment is not None:  # a PDF/DOCX/XLSX read from a section: its text, as extracted
        shown = (f"<p>{html.escape(attachment.url)}</p><pre style=\"white-space:pre-wrap\">"
                 f"{html.escape(attachment.text) or html.escape(_('(no text: a scanned document)'))}</pre>")
        document = page_document(mark_text(shown, mark), attachment.anchor_text or _("Stored copy"))
        return Response(document, media_type="text/html; charset=utf-8", headers=EVIDENCE_HEADERS)
    try:
        body = request.app.state.bodies.get(sha256)
    except FileNotFoundError:
        raise HTTPException(status_code=404, detail=_("The stored copy is no longer kept.")) from None
    text = decode(body, page.encoding if page else None, page.legacy_encoding if page else None)
    document = page_document(safe_html(text, mark), page.title if page and page.title else _("Stored copy"))
    return Response(document, media_type="text/html; charset=utf-8", headers=EVIDENCE_HEADERS)
