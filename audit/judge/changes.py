"""What changed between two audits: per agency, the rules whose outcome changed (regressions
first; a change of the rule's version is the rule's, not the site's), score and grade changes,
and sites that became unreachable or came back. Also each agency's score history. The rows feed
`diff`, `history`, the nightly notifications, the dashboard and the API.

Only audits under one rubric are compared: another rubric measures something else, so where the
rubric changed between two audits the comparison says so (a `rubric_changed` note) and lists no
difference; a new version of the same rubric is compared, and said. Audits of a night the crawler
could not reach the network (judge/collection.py) are never compared."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from minhbach.audit.judge.collection import counted, failure_of
from minhbach.audit.store.models import Agency, AuditRun, Finding, Score
from minhbach.audit.words.i18n import _
from minhbach.audit.words.names import grade_label
from minhbach.audit.words.reasons import Reason, reason, reason_text

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


def _outcome(finding) -> str:
    return "partial" if finding.outcome == "fail" and finding.partial else finding.outcome


def classify(before: str, after: str) -> str:
    if before in _RANK and after in _RANK:
        return "regression" if _RANK[after] < _RANK[before] else "improvement"
    return "other"


# Notes that mean nothing was compared (the other notes go with the rows they qualify).
NOT_COMPARED = ("rubric_changed", "not_counted")


@dataclass
class Comparison:
    """Two audits compared: the rule rows and site changes (empty when they cannot be compared),
    and notes as reasons (words/reasons.py): the rubric changed, its version changed, an audit of
    a night without network."""

    before: AuditRun
    after: AuditRun
    rows: list[dict] = field(default_factory=list)
    sites: list[SiteChange] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)

    @property
    def compared(self) -> bool:
        return not any(note["kind"] in NOT_COMPARED for note in self.notes)

    @property
    def rubric_change(self) -> Reason | None:
        return next((note for note in self.notes if note["kind"] == "rubric_changed"), None)

    def note_texts(self) -> list[str]:
        return [reason_text(note) for note in self.notes]


def rubric_notes(before: AuditRun, after: AuditRun) -> list[Reason]:
    if before.rubric_id != after.rubric_id:
        return [reason("rubric_changed", before=before.rubric_id, after=after.rubric_id)]
    if before.rubric_version != after.rubric_version:
        return [reason("rubric_version_changed", rubric=after.rubric_id, before=before.rubric_version,
                       after=after.rubric_version)]
    return []


def compare(session: Session, before: AuditRun, after: AuditRun) -> Comparison:
    """`before` against `after`, only when they measure the same thing."""
    lost = [reason("not_counted", audit=a.id) for a in (before, after) if failure_of(session, a) is not None]
    notes = lost or rubric_notes(before, after)
    comparison = Comparison(before, after, notes=notes)
    if comparison.compared:
        comparison.rows, comparison.sites = diff_audits(session, before, after)
    return comparison


def _get(session: Session, *ids: int) -> list[AuditRun]:
    audits = [session.get(AuditRun, i) for i in ids]
    missing = [str(i) for i, a in zip(ids, audits) if a is None]
    if missing:
        raise ChangesError(_("no audit {missing} (see `minhbach runs`)").format(missing=', '.join(missing)))
    return [a for a in audits if a is not None]


def pick_comparison(session: Session, from_id: int | None, to_id: int | None) -> Comparison:
    """The two audits asked for, compared; by default the newest audit and the one before it
    (baseline). Audits of nights without network are never picked by default."""
    if from_id is not None and to_id is not None:
        first, second = _get(session, from_id, to_id)
        return compare(session, first, second)
    if from_id is not None:
        first, = _get(session, from_id)
        later = counted(select(AuditRun).where(AuditRun.id > first.id)).order_by(AuditRun.id.desc()).limit(1)
        second = (session.scalar(later.where(AuditRun.rubric_id == first.rubric_id))
                  or session.scalar(later))
        if second is None:
            raise ChangesError(_("two audits are needed to compare; run `minhbach audit` again after the next crawl"))
        return compare(session, first, second)
    if to_id is not None:
        second, = _get(session, to_id)
    else:
        newest = session.scalar(counted(select(AuditRun)).order_by(AuditRun.id.desc()).limit(1))
        if newest is None:
            raise ChangesError(_("two audits are needed to compare; run `minhbach audit` again after the next crawl"))
        second = newest
    first_or_none = baseline(session, second)
    if first_or_none is None:
        raise ChangesError(_("two audits are needed to compare; run `minhbach audit` again after the next crawl"))
    return compare(session, first_or_none, second)


def previous_audit(session: Session, audit: AuditRun) -> AuditRun | None:
    """The counted audit before `audit` under the same rubric (another rubric measures something else)."""
    return session.scalar(counted(select(AuditRun).where(AuditRun.id < audit.id,
                                                         AuditRun.rubric_id == audit.rubric_id))
                          .order_by(AuditRun.id.desc()).limit(1))


def baseline(session: Session, audit: AuditRun) -> AuditRun | None:
    """What `audit` follows: the latest counted audit made before it of its own crawl or an
    earlier one, under the same rubric when that crawl was audited under it too (the demo audits
    one crawl under two rubrics; a crawl may be judged again as of another day). Its rubric may
    differ from `audit`'s: then the rubric changed, and `compare` says so."""
    query = counted(select(AuditRun).where(AuditRun.crawl_run_id <= audit.crawl_run_id, AuditRun.id < audit.id))
    last = session.scalar(query.order_by(AuditRun.crawl_run_id.desc(), AuditRun.id.desc()).limit(1))
    if last is None or last.rubric_id == audit.rubric_id:
        return last
    same = session.scalar(query.where(AuditRun.crawl_run_id == last.crawl_run_id,
                                      AuditRun.rubric_id == audit.rubric_id).order_by(AuditRun.id.desc()).limit(1))
    return same or last


def _scores(session: Session, audit: AuditRun) -> dict[int, Score]:
    return {s.agency_id: s for s in session.scalars(select(Score).where(Score.audit_run_id == audit.id))}


@dataclass(frozen=True, slots=True)
class _Side:
    """What a change needs of one finding (columns, not ORM objects: a night may change many)."""

    rule_code: str
    family: str
    outcome: str
    partial: bool
    rule_version: int
    evidence_url: str
    note: str


def _changed_findings(session: Session, before: AuditRun, after: AuditRun) -> dict[int, list[tuple[_Side, _Side]]]:
    """Per agency, (earlier, later) findings of the same rule whose outcome differs: one join in
    the database, so that two audits of 5,000 agencies x 30 rules read only what changed."""
    earlier, later = aliased(Finding), aliased(Finding)
    columns = ("rule_code", "family", "outcome", "partial", "rule_version", "evidence_url", "note")
    query = (select(later.agency_id, *(getattr(earlier, c) for c in columns), *(getattr(later, c) for c in columns))
             .join(later, and_(later.agency_id == earlier.agency_id, later.rule_code == earlier.rule_code))
             .where(earlier.audit_run_id == before.id, later.audit_run_id == after.id,
                    or_(earlier.outcome != later.outcome, earlier.partial != later.partial))
             .order_by(later.agency_id, later.rule_code))
    grouped: dict[int, list[tuple[_Side, _Side]]] = {}
    width = len(columns)
    for agency_id, *values in session.execute(query):
        grouped.setdefault(agency_id, []).append((_Side(*values[:width]), _Side(*values[width:])))
    return grouped


def diff_audits(session: Session, before: AuditRun, after: AuditRun) -> tuple[list[dict], list[SiteChange]]:
    """(rule rows with DIFF_KEYS plus agency_name, regressions first; site changes)."""
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    scores_before, scores_after = _scores(session, before), _scores(session, after)
    changed = _changed_findings(session, before, after)
    rows: list[dict] = []
    sites: list[SiteChange] = []
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
        for earlier, finding in changed.get(agency_id, ()):
            rule = finding.rule_code
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
    """Every counted audit of one agency, oldest first: date, rubric, crawl, score, grade,
    coverage, reason; `change` is the score's change since the audit it follows under the same
    rubric, and `note` (`note_code`) says where the rubric or its version changed."""
    agency = session.scalar(select(Agency).where(Agency.code == agency_code))
    if agency is None:
        raise ChangesError(_("unknown agency '{agency_code}' (see `minhbach agencies list`)").format(
            agency_code=agency_code))
    found = list(session.execute(counted(select(AuditRun, Score).join(Score, Score.audit_run_id == AuditRun.id)
                                    .where(Score.agency_id == agency.id))
                            .order_by(AuditRun.audit_date, AuditRun.id)).all())
    rows = []
    for index, (audit, score) in enumerate(found):
        before = _followed(found[:index], audit)
        notes = rubric_notes(before[0], audit) if before else []
        comparable = before is not None and before[0].rubric_id == audit.rubric_id
        change = (round(score.total - before[1].total, 1)
                  if comparable and before and score.total is not None and before[1].total is not None else None)
        rows.append({"audit": audit.id, "audit_date": audit.audit_date,
                     "rubric": f"{audit.rubric_id} ({audit.rubric_version})", "rubric_id": audit.rubric_id,
                     "rubric_version": audit.rubric_version,
                     "crawl_run": audit.crawl_run_id, "score": score.total,
                     "grade": grade_label(score.total, score.grade), "grade_code": score.grade,
                     "coverage_pct": round(100 * score.coverage, 1), "reason": reason_text(score.reason),
                     "change": change, "note": "; ".join(reason_text(n) for n in notes),
                     "note_code": notes[0] if notes else None})
    return rows


def _followed(earlier: list, audit: AuditRun) -> tuple[AuditRun, Score] | None:
    """`baseline` over the rows of history already read: (audit, score) or None."""
    others = [(a, s) for a, s in earlier if a.crawl_run_id <= audit.crawl_run_id]
    if not others:
        return None
    last = max(others, key=lambda row: (row[0].crawl_run_id, row[0].id))
    if last[0].rubric_id == audit.rubric_id:
        return last
    same = [(a, s) for a, s in others if a.crawl_run_id == last[0].crawl_run_id and a.rubric_id == audit.rubric_id]
    return max(same, key=lambda row: row[0].id) if same else last
