"""The agency list, and an administrator's edit of one agency (checked as a CSV import is)."""
from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select

from minhbach.audit.registry.agencies import OPTIONAL, REQUIRED, RegistryError, agency_data, import_registry
from minhbach.audit.store.models import Agency, User
from minhbach.audit.web.inputs import PageNumber
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import admin, check_csrf, signed_in, visible_codes
from minhbach.audit.words.i18n import _
from minhbach.rules.text import fold

router = APIRouter()
FIELDS = list(REQUIRED + OPTIONAL)


PER_PAGE = 100


@router.get("/registry", response_class=HTMLResponse)
def registry_page(request: Request, q: str = "", page: PageNumber = 1, user: User = Depends(signed_in)):
    """The registry, searched (folded code and name) and paged in the database."""
    codes = visible_codes(request, user)
    needle = fold(q)
    query = select(Agency).where(*([Agency.code.in_(codes)] if codes is not None else []),
                                 *([Agency.search_text.contains(needle, autoescape=True)] if needle else []))
    with request.app.state.sessions() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        pages = max(1, -(-total // PER_PAGE))
        page = min(page, pages)
        agencies = list(session.scalars(query.order_by(Agency.code).limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    return render(request, "registry.html", user, agencies=agencies, total=total, page=page, pages=pages,
                  query={"q": q} if q else {})


@router.get("/registry/{code}/edit", response_class=HTMLResponse)
def registry_edit_form(request: Request, code: str, user: User = Depends(admin)):
    with request.app.state.sessions() as session:
        agency = session.scalar(select(Agency).where(Agency.code == code))
        if agency is None:
            raise HTTPException(status_code=404)
        values = {field: "" if value is None else value for field, value in agency_data(agency).items()}
    return render(request, "registry_edit.html", user, code=code, values=values, problems=[])


@router.post("/registry/{code}/edit", response_class=HTMLResponse)
async def registry_edit(request: Request, code: str, user: User = Depends(admin)):
    form = await request.form()  # text only: files were refused before (web/inputs.py)
    check_csrf(request, form.get("csrf"))
    values = {field: str(form.get(field, "")).strip() for field in FIELDS}
    values["code"] = code
    with tempfile.TemporaryDirectory() as folder:  # the CSV import's own checks, line by line
        path = Path(folder) / "bieu-mau.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerow(values)
        with request.app.state.sessions() as session:
            try:
                import_registry(session, path, source=f"dashboard:{user.username}")  # who, not words
            except RegistryError as error:
                problems = [p.replace(str(path), _("form")) for p in error.problems]
                return render(request, "registry_edit.html", user, status_code=400, code=code, values=values,
                              problems=problems)
    return RedirectResponse("/registry", status_code=303)
