"""What a rule returns: one of five outcomes, with evidence an officer can click."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Outcome(StrEnum):
    PASS = "pass"                    # found, evidence attached
    FAIL = "fail"                    # looked where it should be; not there (or stale)
    NOT_APPLICABLE = "not_applicable"  # the rule does not apply to this kind of agency
    NEEDS_REVIEW = "needs_review"    # automation unsure: an officer should look
    ERROR = "error"                  # could not evaluate: site unreachable, blocked, broken page


@dataclass(frozen=True)
class Evidence:
    url: str = ""
    snippet: str = ""
    value: str = ""          # the matched value: a phone number, a document number, a year
    date: datetime.date | None = None  # the date the evidence carries (newest item, issue date)
    stored_copy: str = ""    # sha256 of the stored body the evidence was read from


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    note: str = ""            # one Vietnamese sentence an officer reads
    evidence: Evidence | None = None
    partial: bool = False     # a fail that is "present but stale, incomplete or only linked"
    extra: tuple[Evidence, ...] = field(default_factory=tuple)
    crashed: bool = False     # `error` because the rule itself failed (logged; counted by the audit)
    # What the rule counted and dated on the way (items, newest date, period, numbers...), kept
    # with the finding so that reports say it without judging again (data/monthly_items.yaml).
    facts: dict = field(default_factory=dict)

    def with_facts(self, **facts) -> Result:
        return replace(self, facts={**self.facts, **{k: v for k, v in facts.items() if v is not None}})


def passed(note: str, evidence: Evidence | None = None, *extra: Evidence) -> Result:
    return Result(Outcome.PASS, note, evidence, extra=extra)


def failed(note: str, evidence: Evidence | None = None, partial: bool = False) -> Result:
    return Result(Outcome.FAIL, note, evidence, partial=partial)


def review(note: str, evidence: Evidence | None = None) -> Result:
    return Result(Outcome.NEEDS_REVIEW, note, evidence)
