"""What changed between two audits (by default the newest and the one it follows), only where
both are under one rubric: otherwise the page says that the rubric changed and lists nothing."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from minhbach.audit.judge.changes import ChangesError, pick_comparison
from minhbach.audit.store.models import User
from minhbach.audit.web.inputs import optional_id
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import signed_in, visible_codes

router = APIRouter()


SHOWN = 500


@router.get("/changes", response_class=HTMLResponse)
def changes_page(request: Request, before: str = "", after: str = "", user: User = Depends(signed_in)):
    codes = visible_codes(request, user)
    with request.app.state.sessions() as session:
        try:
            comparison = pick_comparison(session, optional_id(before, "before"), optional_id(after, "after"))
        except ChangesError as error:
            return render(request, "changes.html", user, error=str(error), rows=[], sites=[], notes=[])
    rows = [r for r in comparison.rows if codes is None or r["agency_code"] in codes]
    sites = [s for s in comparison.sites if codes is None or s.agency_code in codes]
    # A province's night may change tens of thousands of findings: the page draws the first ones
    # (regressions first) and says where the whole list is (the CSV of `diff`, the API's pages).
    return render(request, "changes.html", user, error="", rows=rows[:SHOWN], sites=sites[:SHOWN],
                  more_rows=max(0, len(rows) - SHOWN), more_sites=max(0, len(sites) - SHOWN),
                  older=comparison.before, newer=comparison.after, notes=comparison.note_texts(),
                  compared=comparison.compared)
