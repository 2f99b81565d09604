"""Disputes and reviews. An agency account contests one of its findings (a note, and the
address where the disclosure is); an admin accepts or rejects it. An inspector settles a "needs
review" finding the same way. An accepted decision overrides the outcome at once (the audit's
score is recomputed) and in every later audit, until the rule's own outcome changes. Every step
is recorded with who, when, and the state before and after."""
from __future__ import annotations

from collections.abc import Set

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from minhbach.audit.judge.rubric import load_rubric
from minhbach.audit.judge.scoring import score_site
from minhbach.audit.store.models import Agency, AuditRun, Dispute, DisputeEvent, Finding, Score, User, utcnow
from minhbach.audit.words.i18n import _

OUTCOMES = ("pass", "fail", "not_applicable")
DISPUTABLE = ("fail", "needs_review", "error")


class DisputeError(ValueError):
    pass


class DisputeForbidden(DisputeError):
    """The account may not take this step (the dashboard answers 403)."""


def _state(dispute: Dispute) -> dict:
    return {"status": dispute.status, "outcome": dispute.outcome, "reason": dispute.reason}


def _event(session: Session, dispute: Dispute, actor: str, action: str, before: dict, note: str = "",
           **facts) -> None:
    """One step of the trail. `note` is what a person wrote; `facts` are what minhbach knows (the
    outcomes an expiry compared), kept with the state after and said where the trail is read."""
    session.add(DisputeEvent(dispute_id=dispute.id, actor=actor, action=action, before=before,
                             after={**_state(dispute), **facts}, note=note))


def may_open(user: User, agency: Agency, outcome: str, override_id: int | None, children: Set[str]) -> str | None:
    """The kind of dispute this user may open on a finding with this outcome, or None."""
    if outcome not in DISPUTABLE or override_id:
        return None
    if user.role == "agency" and (agency.code == user.agency_code or agency.code in children):
        return "dispute"
    if user.role in ("inspector", "admin") and outcome == "needs_review":
        return "review"
    return None


def open_dispute(session: Session, user: User, finding: Finding, note: str, url: str = "",
                 children: Set[str] = frozenset()) -> Dispute:
    agency = session.get(Agency, finding.agency_id)
    assert agency is not None  # a finding's agency_id is a foreign key
    kind = may_open(user, agency, finding.outcome, finding.override_id, children)
    if kind is None:
        raise DisputeForbidden(_("This account cannot dispute this finding."))
    if not note.strip():
        raise DisputeError(_("Please give the reason."))
    if url and not url.startswith(("http://", "https://")):
        raise DisputeError(_("The address must start with http:// or https://"))
    existing = session.scalar(select(Dispute).where(Dispute.agency_id == finding.agency_id,
                                                    Dispute.rule_code == finding.rule_code, Dispute.status == "open"))
    if existing is not None:
        raise DisputeError(_("This rule already has dispute #{id} awaiting a decision.").format(id=existing.id))
    dispute = Dispute(agency_id=finding.agency_id, rule_code=finding.rule_code, audit_run_id=finding.audit_run_id,
                      kind=kind, rule_outcome=finding.outcome, rule_version=finding.rule_version,
                      note=note.strip(), url=url.strip(),
                      opened_by=user.username)
    session.add(dispute)
    session.flush()
    _event(session, dispute, user.username, "opened", {}, note.strip())
    session.commit()
    return dispute


def comment(session: Session, user: User, dispute: Dispute, note: str) -> None:
    agency = session.get(Agency, dispute.agency_id)
    assert agency is not None  # a dispute's agency_id is a foreign key
    if user.role == "agency" and agency.code != user.agency_code:
        raise DisputeForbidden(_("This account cannot see this dispute."))
    if not note.strip():
        raise DisputeError(_("The comment is empty."))
    _event(session, dispute, user.username, "commented", _state(dispute), note.strip())
    session.commit()


def may_decide(user: User, dispute: Dispute) -> bool:
    return dispute.status == "open" and (user.role == "admin"
                                         or (user.role == "inspector" and dispute.kind == "review"))


def decide(session: Session, user: User, dispute: Dispute, accept: bool, reason: str, outcome: str = "pass") -> None:
    if not may_decide(user, dispute):
        raise DisputeForbidden(_("This account cannot decide this dispute."))
    if not reason.strip():
        raise DisputeError(_("Please give the reason for the decision."))
    if accept and outcome not in OUTCOMES:
        raise DisputeError(_("The new outcome must be one of {outcomes}.").format(outcomes=", ".join(OUTCOMES)))
    before = _state(dispute)
    dispute.status = "accepted" if accept else "rejected"
    dispute.outcome = outcome if accept else ""
    dispute.reason, dispute.decided_by, dispute.decided_at = reason.strip(), user.username, utcnow()
    _event(session, dispute, user.username, dispute.status, before, reason.strip())
    if accept:  # the newest audit of the agency follows at once
        latest = session.scalar(select(AuditRun.id).join(Finding, Finding.audit_run_id == AuditRun.id)
                                .where(Finding.agency_id == dispute.agency_id, Finding.rule_code == dispute.rule_code)
                                .order_by(AuditRun.id.desc()).limit(1))
        if latest is not None:
            apply_to_audit(session, latest, dispute.agency_id)
    session.commit()


def overrides_for(session: Session, agency_id: int) -> dict[str, Dispute]:
    return {d.rule_code: d for d in session.scalars(select(Dispute).where(
        Dispute.agency_id == agency_id, Dispute.status == "accepted").order_by(Dispute.id))}


def override(session: Session, agency_id: int, findings: list[dict], outcomes: dict[str, tuple[str, bool]]) -> None:
    """Apply the agency's accepted decisions to freshly computed findings (dicts as the auditor
    inserts them) and their outcomes. A decision whose rule now says something else expires."""
    decisions = overrides_for(session, agency_id)
    for row in findings:
        dispute = decisions.get(row["rule_code"])
        if dispute is None:
            continue
        rule_changed = bool(dispute.rule_version) and row["rule_version"] != dispute.rule_version
        if row["outcome"] != dispute.rule_outcome or rule_changed:
            # the site changed, or the rule did (a new version judges afresh): the decision ends
            before = _state(dispute)
            dispute.status = "expired"
            _event(session, dispute, "minhbach", "expired", before, rule_now=row["outcome"],
                   rule_then=dispute.rule_outcome, version_now=row["rule_version"], version_then=dispute.rule_version)
            continue
        row["rule_outcome"], row["outcome"], row["partial"] = row["outcome"], dispute.outcome, False
        row["override_id"] = dispute.id   # its note is said where the finding is read (reports/rows.py)
        outcomes[row["rule_code"]] = (dispute.outcome, False)


def apply_to_audit(session: Session, audit_id: int, agency_id: int) -> None:
    """Re-apply the agency's decisions to one stored audit and recompute its score."""
    audit = session.get(AuditRun, audit_id)
    stored = list(session.scalars(select(Finding).where(Finding.audit_run_id == audit_id,
                                                        Finding.agency_id == agency_id)))
    rows: list[dict] = [
        {"rule_code": f.rule_code, "outcome": f.rule_outcome or f.outcome, "partial": f.partial,
         "note": f.note, "override_id": None, "rule_outcome": "", "rule_version": f.rule_version, "_finding": f}
        for f in stored]
    outcomes: dict[str, tuple[str, bool]] = {r["rule_code"]: (r["outcome"], r["partial"]) for r in rows}
    override(session, agency_id, rows, outcomes)
    for row in rows:
        if row["override_id"]:
            finding = row["_finding"]
            finding.outcome, finding.partial = row["outcome"], False
            finding.override_id, finding.rule_outcome = row["override_id"], row["rule_outcome"]
    agency = session.get(Agency, agency_id)
    score = session.scalar(select(Score).where(Score.audit_run_id == audit_id, Score.agency_id == agency_id))
    if score is None or score.total is None:
        return
    assert audit is not None and agency is not None  # a stored score's audit and agency exist (foreign keys)
    scored = score_site(load_rubric(audit.rubric_id), agency.level, outcomes, True, score.reason)
    session.execute(update(Score).where(Score.id == score.id).values(
        total=scored.total, grade=scored.grade, coverage=scored.coverage, categories=scored.categories,
        counts=scored.counts))
