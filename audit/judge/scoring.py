"""Scores from findings, as the rubric says: points per outcome, categories, grade, coverage.

A pure function of (rubric, agency level, outcomes): the same findings always give the same score.

What the crawl did not see never pays. The score is the points passed over the points
*applicable*: a rule the crawl could not judge (needs review, error, a section it could not
read) counts as no points, not as no rule. Beside it stands the best score the unjudged rules
could still give (all of them passing): the interval `total`–`high`, whose width is what was not
seen. A grade is given only when both ends fall in the same band, or when the share judged
(coverage) reaches the rubric's `grade_coverage`; otherwise there is no grade, and the reason
says how much was seen. So a site that hides pages loses points and, soon, its grade; it never
gains either, and two sites with the same score are told apart by their coverage.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from minhbach.audit.judge.rubric import Rubric

NO_GRADE = ""   # too little judged to grade: the grade is empty and the reader is told so (words/names.py)


@dataclass
class SiteScore:
    total: float | None             # 0-100: points passed over points applicable; None when unjudged
    grade: str = ""
    coverage: float = 0.0           # share of applicable weight actually judged
    categories: dict[str, dict] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    reason: dict | None = None      # why there is no score or grade, as a code (words/reasons.py)

    @property
    def high(self) -> float | None:
        """The best score the rules not judged could still give."""
        return interval(self.categories)[1] if self.total is not None else None


def interval(categories: dict[str, dict]) -> tuple[float | None, float | None]:
    """(score, best score) from a stored score's categories: the points passed, and the points
    passed plus every point not judged, over the points applicable."""
    earned = sum(c.get("earned", 0.0) for c in categories.values())
    judged = sum(c.get("judged", 0.0) for c in categories.values())
    applicable = sum(c.get("applicable", 0.0) for c in categories.values())
    if not applicable:
        return None, None
    return round(100 * earned / applicable, 1), round(100 * (earned + applicable - judged) / applicable, 1)


def score_site(rubric: Rubric, level: str, outcomes: dict[str, tuple[str, bool]], reachable: bool = True,
               reason: dict | None = None) -> SiteScore:
    """`outcomes` maps rule code -> (outcome, partial). Unreachable sites get no score."""
    counts = dict(Counter(outcome for outcome, _ in outcomes.values()))
    if not reachable:
        return SiteScore(None, "", 0.0, {}, counts, reason or {"kind": "unreachable"})
    if level not in rubric.applies_to:
        return SiteScore(None, "", 0.0, {}, counts, {"kind": "rubric_not_for_level", "rubric": rubric.id,
                                                     "level": level})
    earned_all = judged_all = applicable_all = 0.0
    categories = {}
    for category in rubric.categories:
        earned = judged = applicable = 0.0
        for item in category.items:
            outcome, partial = outcomes.get(item.rule, ("not_applicable", False))
            if outcome == "not_applicable":
                continue
            applicable += item.weight
            key = "partial" if outcome == "fail" and partial else outcome
            share = rubric.outcomes.get(key, "exclude")
            if share == "exclude":
                continue
            judged += item.weight
            earned += item.weight * float(share)
        categories[category.id] = {
            "title": category.title,
            "score": round(100 * earned / applicable, 1) if judged else None,
            "high": round(100 * (earned + applicable - judged) / applicable, 1) if judged else None,
            "earned": round(earned, 2), "judged": judged, "applicable": applicable,
        }
        earned_all, judged_all, applicable_all = earned_all + earned, judged_all + judged, applicable_all + applicable
    coverage = round(judged_all / applicable_all, 3) if applicable_all else 0.0
    if not judged_all:
        return SiteScore(None, "", coverage, categories, counts, {"kind": "nothing_judged"})
    total, high = interval(categories)
    assert total is not None and high is not None  # something was judged, so something applies
    grade = rubric.grade_for(total)
    if grade != rubric.grade_for(high) and coverage < rubric.grade_coverage:
        grade = NO_GRADE
        reason = reason or {"kind": "not_enough_seen", "coverage_pct": round(100 * coverage)}
    return SiteScore(total, grade, coverage, categories, counts, reason)
