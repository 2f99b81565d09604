"""Scores from findings, as the rubric says: points per outcome, categories, grade, coverage.

A pure function of (rubric, agency level, outcomes): the same findings always give the same score.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from minhbach.audit.judge.rubric import Rubric

NO_GRADE = ""   # too little judged to grade: the grade is empty and the reader is told so (words/names.py)


@dataclass
class SiteScore:
    total: float | None             # 0-100, None when the site could not be judged
    grade: str = ""
    coverage: float = 0.0           # share of applicable weight actually judged
    categories: dict[str, dict] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    reason: dict | None = None      # why there is no score or grade, as a code (words/reasons.py)


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
            "score": round(100 * earned / judged, 1) if judged else None,
            "earned": round(earned, 2), "judged": judged, "applicable": applicable,
        }
        earned_all, judged_all, applicable_all = earned_all + earned, judged_all + judged, applicable_all + applicable
    coverage = round(judged_all / applicable_all, 3) if applicable_all else 0.0
    if not judged_all:
        return SiteScore(None, "", coverage, categories, counts, {"kind": "nothing_judged"})
    total = round(100 * earned_all / judged_all, 1)
    grade = rubric.grade_for(total) if coverage >= rubric.min_coverage else NO_GRADE
    return SiteScore(total, grade, coverage, categories, counts, reason)
