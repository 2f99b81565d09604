"""What changed between two audits: per agency, the rules whose outcome changed (regressions
first; a change of the rule's version is the rule's, not the site's), score and grade changes,
and sites that became unreachable or came back. Also each agency's score history. The rows feed
`diff`, `history`, the nightly notifications, the dashboard and the API."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.store.models import Agency, AuditRun, Finding, Score
from minhbach.audit.words.i18n import _
from minhbach.audit.words.names import grade_label
from minhbach.audit.words.reasons import reason_text

# How good an outcome is, for telling a regression from an improvement. Outcomes that are not
# a verdict on the site (needs review, error, not applicable) are absent: a change to or from
# them is "other".
_RANK = {"pass": 2, "partial": 1, "fail": 0}
CHANGE_ORDER = {"regression": 0, "other": 1, "improvement": 2, "rule_changed": 3}
# `cause`: "site" (the site changed under the same rule) or "rule" (the rule's version changed:
# the outcome is a new judgement, not the site's regression or progress)
DIFF_KEYS = ("agency_code", "rule_code", "family", "before", "after", "change", "cause")


class ChangesError(ValueError):
    pass


@dataclass
class SiteChange:
    agency_code: str
    agency_name: str
    score_before: float | None
    score_after: float | None
    grade_before: str
    grade_after: str
    reachable: str       # "", "lost" (became unreachable) or "recovered"
    reason: dict | None = None  # why the site is not judged now (when lost), as a code (words/reasons.py)
    portal_url: str = ""


def _outcome(finding: Finding) -> str:
    return "partial" if finding.outcome == "fail" and finding.partial else finding.outcome


def classify(before: str, after: str) -> str:
    if before in _RANK and after in _RANK:
        return "regression" if _RANK[after] < _RANK[before] else "improvement"
    return "other"


def pick_audits(session: Session, from_id: int | None, to_id: int | None) -> tuple[AuditRun, AuditRun]:
    """The two audits to compare; by default the last two."""
    if from_id is not None and to_id is not None:
        audits = [session.get(AuditRun, from_id), session.get(AuditRun, to_id)]
        missing = [str(i) for i, a in zip((from_id, to_id), audits) if a is None]
        if missing:
            raise ChangesError(_("no audit {missing} (see `minhbach runs`)").format(
                missing=', '.join(missing)))
        first, second = audits
        assert first is not None and second is not None  # none is missing
        return first, second
    query = select(AuditRun).order_by(AuditRun.id.desc())
    if to_id is not None:
        query = query.where(AuditRun.id <= to_id)
    if from_id is not None:
        query = query.where(AuditRun.id >= from_id)
    newest = list(session.scalars(query.limit(2)))
    if len(newest) < 2:
        raise ChangesError(_("two audits are needed to compare; run `minhbach audit` again after the next crawl"))
    return newest[1], newest[0]


def previous_audit(session: Session, audit: AuditRun) -> AuditRun | None:
    """The audit before `audit` under the same rubric (another rubric measures something else)."""
    return session.scalar(select(AuditRun).where(AuditRun.id < audit.id, AuditRun.rubric_id == audit.rubric_id)
                          .order_by(AuditRun.id.desc()).limit(1))


def _scores(session: Session, audit: AuditRun) -> dict[int, Score]:
    return {s.agency_id: s for s in session.scalars(select(Score).where(Score.audit_run_id == audit.id))}


def _findings(session: Session, audit: AuditRun) -> dict[tuple[int, str], Finding]:
    return {(f.agency_id, f.rule_code): f
            for f in session.scalars(select(Finding).where(Finding.audit_run_id == audit.id))}


def diff_audits(session: Session, before: AuditRun, after: AuditRun) -> tuple[list[dict], list[SiteChange]]:
    """(rule rows with DIFF_KEYS plus agency_name, regressions first; site changes)."""
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    scores_before, scores_after = _scores(session, before), _scores(session, after)
    findings_before, findings_after = _findings(session, before), _findings(session, after)
    rows: list[dict] = []
    sites: list[SiteChange] = []
    after_by_agency: dict[int, list[tuple[str, Finding]]] = {}   # grouped once: no pass over all per agency
    for (a_id, rule), finding in sorted(findings_after.items()):
        after_by_agency.setdefault(a_id, []).append((rule, finding))
    for agency_id in sorted(set(scores_before) | set(scores_after), key=lambda i: agencies[i].code):
        agency = agencies[agency_id]
        old, new = scores_before.get(agency_id), scores_after.get(agency_id)
        was_judged = old is not None and old.total is not None
        is_judged = new is not None and new.total is not None
        reachable = "lost" if was_judged and not is_judged else "recovered" if is_judged and not was_judged else ""
        site = SiteChange(agency.code, agency.name, old.total if old else None, new.total if new else None,
                          old.grade if old else "", new.grade if new else "", reachable,
                          new.reason if new else None, agency.portal_url)
        if reachable or site.score_before != site.score_after or site.grade_before != site.grade_after:
            sites.append(site)
        if reachable or not (was_judged and is_judged):
            continue  # every rule changed with the site itself: the site line says it
        for rule, finding in after_by_agency.get(agency_id, ()):
            earlier = findings_before.get((agency_id, rule))
            if earlier is None:
                continue
            b, a = _outcome(earlier), _outcome(finding)
            if b != a:
                rule_changed = earlier.rule_version != finding.rule_version
                rows.append({"agency_code": agency.code, "agency_name": agency.name, "rule_code": rule,
                             "family": finding.family, "before": b, "after": a,
                             "change": "rule_changed" if rule_changed else classify(b, a),
                             "cause": "rule" if rule_changed else "site",
                             "rule_version_before": earlier.rule_version, "rule_version_after": finding.rule_version,
                             "evidence_url": finding.evidence_url, "evidence_before": earlier.evidence_url,
                             "note": finding.note})
    rows.sort(key=lambda r: (CHANGE_ORDER[r["change"]], r["agency_code"], r["rule_code"]))
    return rows, sites


def diff_records(rows: list[dict], sites: list[SiteChange]) -> list[dict]:
    """The changes as flat records with DIFF_KEYS (sites lost or recovered as rows without a
    rule), regressions first: what `diff --format csv|json` and the nightly folder hold."""
    site_rows = [{"agency_code": s.agency_code, "rule_code": "", "family": "",
                  "before": "reachable" if s.reachable == "lost" else "unreachable",
                  "after": "unreachable" if s.reachable == "lost" else "reachable",
                  "change": "regression" if s.reachable == "lost" else "improvement", "cause": "site"}
                 for s in sites if s.reachable]
    records = [{key: row[key] for key in DIFF_KEYS} for row in site_rows + rows]
    records.sort(key=lambda r: r["change"] != "regression")
    return records


def history(session: Session, agency_code: str) -> list[dict]:
    """Every audit of one agency, oldest first: date, rubric, crawl, score, grade, coverage, reason."""
    agency = session.scalar(select(Agency).where(Agency.code == agency_code))
    if agency is None:
        raise ChangesError(_("unknown agency '{agency_code}' (see `minhbach agencies list`)").format(
            agency_code=agency_code))
    rows = session.execute(select(AuditRun, Score).join(Score, Score.audit_run_id == AuditRun.id)
                           .where(Score.agency_id == agency.id).order_by(AuditRun.audit_date, AuditRun.id)).all()
    return [{"audit": audit.id, "audit_date": audit.audit_date, "rubric": f"{audit.rubric_id} ({audit.rubric_version})",
             "rubric_id": audit.rubric_id,
             "crawl_run": audit.crawl_run_id, "score": score.total, "grade": grade_label(score.total, score.grade),
             "grade_code": score.grade, "coverage_pct": round(100 * score.coverage),
             "reason": reason_text(score.reason)}
            for audit, score in rows]
