"""The crawl summary: one row per agency of a run, for the terminal and for crawl.csv."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.store.models import Agency, SiteCrawl
from minhbach.audit.words.i18n import N_, _
from minhbach.audit.words.names import level_name, site_status_name
from minhbach.audit.words.reasons import reason_text

_CRAWL_COLUMNS = [
    ("code", N_("Agency code")),
    ("name", N_("Agency name")),
    ("level_label", N_("Level")),
    ("status_label", N_("Status")),
    ("pages", N_("Number of pages")),
    ("unchanged", N_("Unchanged pages")),
    ("documents", N_("Number of documents")),
    ("kilobytes", N_("Size (KB)")),
    ("errors", N_("Number of errors")),
    ("robots_blocked", N_("Blocked by robots.txt")),
    ("reason", N_("Reason / note")),
    ("portal_url", N_("Portal address")),
]


def crawl_columns() -> list[tuple[str, str]]:
    return [(key, _(header)) for key, header in _CRAWL_COLUMNS]


def crawl_summary(session: Session, run_id: int) -> list[dict]:
    rows = session.execute(
        select(SiteCrawl, Agency).join(Agency, SiteCrawl.agency_id == Agency.id)
        .where(SiteCrawl.run_id == run_id).order_by(Agency.code)
    ).all()
    summary = []
    for site, agency in rows:
        errors = {k: v for k, v in (site.error_counts or {}).items()
                  if k not in ("robots", "trap", "time_budget")}
        notes = [reason_text(site.reason)] if site.reason else []
        if site.robots_blocked:
            notes.append(_("robots.txt blocked {n} addresses").format(n=site.robots_blocked))
        if site.stop_reason == "page cap":
            notes.append(_("stopped at the page limit"))
        elif site.stop_reason == "time budget":
            notes.append(_("stopped when its time ran out"))
        if site.pages_unchanged:
            notes.append(_("{n} pages unchanged").format(n=site.pages_unchanged))
        if site.pages_disappeared:
            notes.append(_("{n} pages gone").format(n=site.pages_disappeared))
        if (site.error_counts or {}).get("trap"):
            notes.append(_("{n} trap addresses skipped").format(n=site.error_counts["trap"]))
        summary.append({
            "code": agency.code,
            "name": agency.name,
            "level": agency.level,
            "level_label": level_name(agency.level),
            "status": site.status,
            "status_label": site_status_name(site.status),
            "pages": site.pages_fetched + site.pages_unchanged,  # unchanged ones were read from the store
            "unchanged": site.pages_unchanged,
            "documents": site.documents_found,
            "kilobytes": round(site.bytes_fetched / 1024),
            "errors": sum(errors.values()),
            "error_counts": site.error_counts or {},
            "robots_blocked": site.robots_blocked,
            "reason": "; ".join(notes),
            "portal_url": agency.portal_url,
        })
    return summary
