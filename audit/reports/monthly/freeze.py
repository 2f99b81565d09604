"""Freezing a month: the report's content is computed once and stored with the audit used, the
rubric and a SHA-256 of the content. Asking for the same month again gives that same report; a
republish (with its reason) is a new version, and the earlier ones stay as they were."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.reports.monthly.content import build_content, content_hash, last_complete_audit, month_bounds
from minhbach.audit.store.models import AuditRun, CrawlRun, MonthlyReport
from minhbach.audit.words.i18n import _, in_language


class MonthlyError(ValueError):
    """One line for the user."""


def versions(session: Session, month: str, province: str) -> list[MonthlyReport]:
    return list(session.scalars(select(MonthlyReport).where(MonthlyReport.month == month,
                                                            MonthlyReport.province == province)
                                .order_by(MonthlyReport.version)))


def freeze(session: Session, month: str, province: str = "", audit_id: int | None = None,
           rubric_id: str | None = None, republish: bool = False, reason: str = "",
           version: int | None = None) -> tuple[MonthlyReport, bool]:
    """(the report, whether it was made now). Without `republish`, the newest version of an
    already frozen month is returned unchanged (`version` picks an earlier one)."""
    existing = versions(session, month, province)
    if version is not None:
        match = [r for r in existing if r.version == version]
        if not match:
            known = (" " + _("(versions: {versions})").format(versions=", ".join(str(r.version) for r in existing))
                     if existing else "")
            raise MonthlyError(_("no version {version} of the {month} report").format(version=version, month=month)
                               + known)
        return match[0], False
    if existing and not republish:
        return existing[-1], False
    if republish and not reason.strip():
        raise MonthlyError(_("--republish needs --reason TEXT (why the published report is replaced)"))
    if audit_id is not None:
        audit = session.get(AuditRun, audit_id)
        if audit is None:
            raise MonthlyError(_("no audit {audit_id} (see `minhbach runs`)").format(audit_id=audit_id))
        first, last = month_bounds(month)
        if not first <= audit.audit_date <= last:
            raise MonthlyError(_("audit {audit_id} is dated {audit_date:%d/%m/%Y}, not in {month}").format(
                audit_id=audit_id, audit_date=audit.audit_date, month=month))
        crawl = session.get(CrawlRun, audit.crawl_run_id)
        assert crawl is not None  # an audit's crawl run is a foreign key (its audits go with it)
        if crawl.status != "completed":
            raise MonthlyError(_("audit {audit_id} judges an incomplete crawl; a monthly report needs a complete "
                                 "one").format(
                audit_id=audit_id))
    else:
        audit = last_complete_audit(session, month, rubric_id)
        if audit is None:
            raise MonthlyError(_("no complete audit dated in {month}: run `minhbach nightly` (or crawl and "
                                 "audit with --date in that month) first").format(month=month))
    with in_language("vi"):  # an official Vietnamese document, whatever the operator reads
        content = build_content(session, audit, month, province or None)
    if not content["agencies"]:
        raise MonthlyError(_("audit {id} has no agency of province '{province}'").format(
            id=audit.id, province=province))
    report = MonthlyReport(month=month, province=province, version=existing[-1].version + 1 if existing else 1,
                           reason=reason.strip(), audit_ids={"audits": [audit.id]}, rubric_id=audit.rubric_id,
                           rubric_version=audit.rubric_version, content=content,
                           content_sha256=content_hash(content))
    session.add(report)
    session.commit()
    return report, True
