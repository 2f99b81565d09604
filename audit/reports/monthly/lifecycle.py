"""A monthly report's life: provisional while its month runs, frozen once it is over (by the
first `minhbach monthly` or the first night after), then "a new version is due" whenever
something it was made from changes: an accepted dispute on one of its findings, a correction of
one of its agencies in the registry, a newer audit dated within the month, survey figures
imported after it. What is due is worked out from the store each time it is asked, so a
republish (a new version, with its reason) answers it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.clock import as_utc
from minhbach.audit.reports.monthly.content import choose_audits, month_bounds
from minhbach.audit.reports.monthly.freeze import MonthlyError, freeze, versions
from minhbach.audit.reports.monthly.months import closes_on, is_closed, last_closed_month, month_of, province_day
from minhbach.audit.store.models import (
    Agency,
    AgencyVersion,
    AuditRun,
    Dispute,
    Finding,
    MonthlyReport,
    SurveyValue,
    utcnow,
)
from minhbach.audit.words.i18n import _


@dataclass
class MonthState:
    """Where one month's report stands on a given day."""

    month: str
    state: str                               # open | unfrozen (over, not frozen yet) | frozen
    closes_on: date
    report: MonthlyReport | None = None      # the newest version, when frozen
    due: list[str] = field(default_factory=list)   # why a new version is due (empty: it is current)


def _day(moment: datetime) -> str:
    return f"{as_utc(moment):%d/%m/%Y}"


def used_audits(report: MonthlyReport) -> dict[str, int]:
    """Each agency's audit in a frozen report (reports frozen before per-agency audits name one)."""
    ids = report.audit_ids or {}
    if "by_agency" in ids:
        return dict(ids["by_agency"])
    return {row["agency_code"]: report.content["audit"] for row in report.content.get("agencies", [])}


def due_reasons(session: Session, report: MonthlyReport) -> list[str]:
    """Why the report no longer says what the store says, one sentence each (none: current)."""
    made = as_utc(report.created_at)
    used = used_audits(report)
    listed = set(used) | set((report.audit_ids or {}).get("not_audited", []))
    agencies = {a.code: a for a in session.scalars(select(Agency).where(Agency.code.in_(listed)))}
    by_id = {a.id: a for a in agencies.values()}
    reasons = _disputes(session, made, used, by_id)
    corrected = session.execute(select(AgencyVersion.agency_id, AgencyVersion.recorded_at)
                                .where(AgencyVersion.agency_id.in_(by_id)).order_by(AgencyVersion.recorded_at)).all()
    last_correction = {agency_id: at for agency_id, at in corrected if as_utc(at) > made}
    for agency_id, at in sorted(last_correction.items(), key=lambda item: by_id[item[0]].code):
        reasons.append(_("the registry entry of {agency} was corrected on {day}").format(
            agency=by_id[agency_id].code, day=_day(at)))
    reasons += _audits(session, report, used, by_id)
    surveyed = {agency_id for agency_id, at in session.execute(
        select(SurveyValue.agency_id, SurveyValue.imported_at).where(SurveyValue.month == report.month,
                                                                     SurveyValue.agency_id.in_(by_id)))
        if as_utc(at) > made}
    if surveyed:
        reasons.append(_("survey figures of {n} agencies were imported after it").format(n=len(surveyed)))
    return reasons


def _disputes(session: Session, made: datetime, used: dict[str, int], by_id: dict[int, Agency]) -> list[str]:
    """Disputes accepted since the report on a finding it used: raised on that finding, or
    applied to it when its audit was the agency's newest."""
    reasons = []
    for dispute in session.scalars(select(Dispute).where(Dispute.status.in_(("accepted", "expired")),
                                                         Dispute.agency_id.in_(by_id)).order_by(Dispute.id)):
        if dispute.decided_at is None or as_utc(dispute.decided_at) <= made or not dispute.outcome:
            continue
        agency = by_id[dispute.agency_id]
        audit_id = used.get(agency.code)
        carried = session.scalar(select(Finding.id).where(Finding.audit_run_id == audit_id,
                                                          Finding.agency_id == agency.id,
                                                          Finding.override_id == dispute.id))
        if dispute.audit_run_id == audit_id or carried is not None:
            reasons.append(_("dispute #{id} on {rule} of {agency} was accepted on {day}").format(
                id=dispute.id, rule=dispute.rule_code, agency=agency.code, day=_day(dispute.decided_at)))
    return reasons


def _audits(session: Session, report: MonthlyReport, used: dict[str, int], by_id: dict[int, Agency]) -> list[str]:
    """Audits dated within the month newer than the ones used, and used ones since replaced."""
    now = choose_audits(session, report.month, None, report.rubric_id, report.province or None)
    newest = {by_id[agency_id].code: audit for agency_id, audit in (now.audits.items() if now else ())
              if agency_id in by_id}
    newer: dict[int, tuple[AuditRun, int]] = {}
    for code, audit in newest.items():
        if used.get(code) != audit.id:
            newer[audit.id] = (audit, newer.get(audit.id, (audit, 0))[1] + 1)
    reasons = []
    gone = sorted(set(used.values()) - set(session.scalars(select(AuditRun.id).where(
        AuditRun.id.in_(set(used.values()))))))
    for audit_id in gone:
        reasons.append(_("audit {audit} that it used is no longer in the store (judged again or removed)").format(
            audit=audit_id))
    for audit, n in sorted(newer.values(), key=lambda pair: (pair[0].audit_date, pair[0].id)):
        reasons.append(_("audit {audit} dated {day} is newer, for {n} agencies").format(
            audit=audit.id, day=f"{audit.audit_date:%d/%m/%Y}", n=n))
    return reasons


def month_state(session: Session, month: str, today: date, province: str = "") -> MonthState:
    existing = versions(session, month, province)
    state = MonthState(month=month, state="open", closes_on=closes_on(month))
    if existing:
        state.state, state.report = "frozen", existing[-1]
        state.due = due_reasons(session, existing[-1])
    elif is_closed(month, today):
        state.state = "unfrozen"
    return state


def months_to_show(session: Session, today: date, province: str = "") -> list[str]:
    """Newest first: this month (when it has begun), the last month over, every frozen one."""
    frozen = set(session.scalars(select(MonthlyReport.month).where(MonthlyReport.province == province)))
    return sorted(frozen | {month_of(today), last_closed_month(today)}, reverse=True)


def has_audits(session: Session, month: str, through: date) -> bool:
    first, last = month_bounds(month)
    return session.scalar(select(AuditRun.id).where(AuditRun.audit_date >= first,
                                                    AuditRun.audit_date <= min(last, through)).limit(1)) is not None


def freeze_closed_month(session: Session, settings, now: datetime | None = None) -> MonthlyReport | None:
    """Freeze the last month that is over on `now` (default: this moment) in the province's
    zone, if it has audits and no report yet: what the first night of a new month does after
    its audit. The report made, else None (already frozen, or nothing to freeze)."""
    today = province_day(now or utcnow(), settings.timezone)
    month = last_closed_month(today)
    if versions(session, month, ""):
        return None
    try:
        report, made = freeze(session, month, today=today)
    except MonthlyError:  # no audit dated in that month: there is nothing to report
        return None
    return report if made else None
