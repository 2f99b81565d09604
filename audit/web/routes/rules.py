"""The rule catalogue: what each rule checks, why, and the law it cites."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from minhbach.audit.store.models import User
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import signed_in
from minhbach.rules.registry import all_rules

router = APIRouter()


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, user: User = Depends(signed_in)):
    return render(request, "rules.html", user, rules=sorted(all_rules().values(), key=lambda r: r.code))
