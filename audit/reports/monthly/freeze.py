"""Freezing a month: once the month is over, the report's content is computed once and stored
with the audits used (the last of each agency dated within the month), the rubric and a SHA-256
of the content. Asking for the same month again gives that same report; a republish (with its
reason) is a new version, and the earlier ones stay as they were. Before the month is over its
report is provisional: made afresh each time, never stored."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.reports.monthly.content import Chosen, build_content, choose_audits, content_hash, month_bounds
from minhbach.audit.reports.monthly.decisions import carry_decisions
from minhbach.audit.reports.monthly.months import closes_on, is_closed
from minhbach.audit.store.models import Agency, AuditRun, CrawlRun, MonthlyReport
from minhbach.audit.words.i18n import _, in_language


class MonthlyError(ValueError):
    """One line for the user."""


def versions(session: Session, month: str, province: str) -> list[MonthlyReport]:
    return list(session.scalars(select(MonthlyReport).where(MonthlyReport.month == month,
                                                            MonthlyReport.province == province)
                                .order_by(MonthlyReport.version)))


def _given_audit(session: Session, audit_id: int, month: str) -> AuditRun:
    audit = session.get(AuditRun, audit_id)
    if audit is None:
        raise MonthlyError(_("no audit {audit_id} (see `minhbach runs`)").format(audit_id=audit_id))
    first, last = month_bounds(month)
    if not first <= audit.audit_date <= last:
        raise MonthlyError(_("audit {audit_id} is dated {audit_date:%d/%m/%Y}, not in {month}").format(
            audit_id=audit_id, audit_date=audit.audit_date, month=month))
    crawl = session.get(CrawlRun, audit.crawl_run_id)
    assert crawl is not None  # an audit's crawl run is a foreign key (its audits go with it)
    if crawl.status not in ("completed", "pruned"):
        raise MonthlyError(_("audit {audit_id} judges an incomplete crawl; a monthly report needs a complete "
                             "one").format(audit_id=audit_id))
    return audit


def choose(session: Session, month: str, province: str, audit_id: int | None, rubric_id: str | None,
           through: date | None = None) -> Chosen:
    """The audits the month's report is made from, or the one line that says why there are none."""
    audit = _given_audit(session, audit_id, month) if audit_id is not None else None
    chosen = choose_audits(session, month, through, rubric_id, province or None, audit)
    if chosen is None:
        if audit is not None:
            raise MonthlyError(_("audit {id} has no agency of province '{province}'").format(
                id=audit.id, province=province))
        raise MonthlyError(_("no complete audit dated in {month}: run `minhbach nightly` (or crawl and "
                             "audit with --date in that month) first").format(month=month))
    return chosen


def basis(session: Session, chosen: Chosen) -> dict:
    """What a frozen report records of what it used: every audit, and each agency's (kept in
    `audit_ids`; the life cycle compares it with the store to say when a new version is due)."""
    codes = dict(session.execute(select(Agency.id, Agency.code)).all())
    return {"audits": sorted({a.id for a in chosen.audits.values()}),
            "by_agency": {codes[agency_id]: audit.id for agency_id, audit in sorted(chosen.audits.items())},
            "not_audited": sorted(agency.code for agency, _why in chosen.missing)}


def provisional_content(session: Session, month: str, today: date, province: str = "", audit_id: int | None = None,
                        rubric_id: str | None = None) -> dict:
    """The report of a month not yet over, from the audits dated up to `today`: never stored."""
    if is_closed(month, today):
        raise MonthlyError(_("{month} is over: its report is frozen, not provisional").format(month=month))
    if month_bounds(month)[0] > today:
        raise MonthlyError(_("{month} has not begun (today is {today:%d/%m/%Y})").format(month=month, today=today))
    chosen = choose(session, month, province, audit_id, rubric_id, through=today)
    with in_language("vi"):  # an official Vietnamese document, whatever the operator reads
        return build_content(session, chosen, province or None)


def freeze(session: Session, month: str, province: str = "", audit_id: int | None = None,
           rubric_id: str | None = None, republish: bool = False, reason: str = "",
           version: int | None = None, today: date | None = None) -> tuple[MonthlyReport, bool]:
    """(the report, whether it was made now). Without `republish`, the newest version of an
    already frozen month is returned unchanged (`version` picks an earlier one). A month is
    frozen only once it is over on `today` (the province's date)."""
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
    if republish and existing and not reason.strip():
        raise MonthlyError(_("--republish needs --reason TEXT (why the published report is replaced)"))
    if today is not None and not is_closed(month, today):
        raise MonthlyError(_("{month} is not over until the end of {day:%d/%m/%Y}: its report is provisional and "
                             "cannot be frozen yet").format(month=month, day=closes_on(month)))
    chosen = choose(session, month, province, audit_id, rubric_id)
    # A dispute accepted on one of the findings used counts in the report, even when newer
    # audits of the agency came before the decision (they were the ones it was applied to).
    carry_decisions(session, chosen.audits)
    with in_language("vi"):  # an official Vietnamese document, whatever the operator reads
        content = build_content(session, chosen, province or None)
    newest = max(chosen.audits.values(), key=lambda a: (a.audit_date, a.id))
    report = MonthlyReport(month=month, province=province, version=existing[-1].version + 1 if existing else 1,
                           reason=reason.strip(), audit_ids=basis(session, chosen), rubric_id=chosen.rubric_id,
                           rubric_version=newest.rubric_version,
                           content=content, content_sha256=content_hash(content))
    session.add(report)
    session.commit()
    return report, True
