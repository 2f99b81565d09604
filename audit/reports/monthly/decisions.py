"""Accepted disputes in the audits a monthly report uses. Deciding a dispute applies it to the
agency's newest audit; when the dispute was raised on a finding of an earlier audit (the one a
closed month's report is made from), that finding is settled here too, so the report's next
version says what was decided. Only that one finding changes, and the agency's score in that
audit is recomputed from its findings as they stand; no other decision is applied or expired."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from minhbach.audit.judge.rubric import load_rubric
from minhbach.audit.judge.scoring import score_site
from minhbach.audit.store.models import Agency, AuditRun, Dispute, Finding, Score


def pending_decisions(session: Session, audits: dict[int, AuditRun]) -> list[tuple[Dispute, Finding]]:
    """Accepted disputes raised on a finding of the audit used for their agency that the
    finding does not carry yet."""
    if not audits:
        return []
    pending = []
    for dispute in session.scalars(select(Dispute).where(Dispute.status == "accepted",
                                                         Dispute.audit_run_id.in_({a.id for a in audits.values()}))
                                   .order_by(Dispute.id)):
        used = audits.get(dispute.agency_id)
        if used is None or used.id != dispute.audit_run_id:
            continue
        finding = session.scalar(select(Finding).where(Finding.audit_run_id == used.id,
                                                       Finding.agency_id == dispute.agency_id,
                                                       Finding.rule_code == dispute.rule_code))
        if finding is not None and finding.override_id != dispute.id \
                and (finding.rule_outcome or finding.outcome) == dispute.rule_outcome:
            pending.append((dispute, finding))
    return pending


def carry_decisions(session: Session, audits: dict[int, AuditRun]) -> list[int]:
    """Settle the pending decisions in their findings and rescore; the disputes' ids."""
    settled = []
    for dispute, finding in pending_decisions(session, audits):
        finding.rule_outcome = finding.rule_outcome or finding.outcome
        finding.outcome, finding.partial, finding.override_id = dispute.outcome, False, dispute.id
        _rescore(session, audits[dispute.agency_id], dispute.agency_id)
        settled.append(dispute.id)
    if settled:
        session.flush()
    return settled


def _rescore(session: Session, audit: AuditRun, agency_id: int) -> None:
    session.flush()
    score = session.scalar(select(Score).where(Score.audit_run_id == audit.id, Score.agency_id == agency_id))
    agency = session.get(Agency, agency_id)
    if score is None or score.total is None or agency is None:
        return  # a site that could not be judged has no score to move
    outcomes = {f.rule_code: (f.outcome, f.partial) for f in session.scalars(
        select(Finding).where(Finding.audit_run_id == audit.id, Finding.agency_id == agency_id))}
    scored = score_site(load_rubric(audit.rubric_id), agency.level, outcomes, True, score.reason)
    session.execute(update(Score).where(Score.id == score.id).values(
        total=scored.total, grade=scored.grade, coverage=scored.coverage, categories=scored.categories,
        counts=scored.counts))
