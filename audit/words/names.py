"""The names of codes people see (levels, outcomes, statuses, rule families), one table each,
translated where they are shown."""
from __future__ import annotations

from minhbach.audit.words.i18n import N_, _, language
from minhbach.rules.families import FAMILIES
from minhbach.rules.levels import LEVELS

OUTCOMES = {"pass": N_("Pass"), "partial": N_("Fail (in part)"), "fail": N_("Fail"), "needs_review": N_("Needs review"),
            "error": N_("Could not be judged"), "not_applicable": N_("Not applicable")}
SITE_STATUSES = {"ok": N_("Crawled"), "partial": N_("Crawled in part"), "unreachable": N_("Unreachable"),
                 "blocked": N_("Blocked"), "interrupted": N_("Interrupted"), "pending": N_("Not started"),
                 "running": N_("Crawling")}
RUN_STATUSES = {"running": N_("Running"), "completed": N_("Completed"), "interrupted": N_("Interrupted"),
                "pruned": N_("Completed; stored pages removed (retention policy)"), "failed": N_("Failed"),
                "offline": N_("Collection failed: the crawler could not reach the network")}
ROLES = {"admin": N_("Administrator"), "inspector": N_("Inspector"), "agency": N_("Agency")}


DISPUTE_STATUSES = {"open": N_("Awaiting a decision"), "accepted": N_("Accepted"), "rejected": N_("Rejected"),
                    "expired": N_("No longer in force")}
DISPUTE_ACTIONS = {"opened": N_("opened"), "commented": N_("commented"), "accepted": N_("accepted"),
                   "rejected": N_("rejected"), "expired": N_("expired")}
CHANGE_KINDS = {"regression": N_("Worse"), "improvement": N_("Better"), "other": N_("Other"),
                "rule_changed": N_("The rule changed")}
REACHABILITY = {"lost": N_("no longer reachable"), "recovered": N_("reachable again"),
                "reachable": N_("Reachable"), "unreachable": N_("Unreachable")}
CAUSES = {"site": N_("The site"), "rule": N_("The rule")}


def _namer(table: dict[str, str]):
    """A function giving a code's name in the reader's language (the code itself when unknown)."""
    def name(code: str | None) -> str:
        return _(table[code]) if code in table else (code or "")
    return name


outcome_name = _namer(OUTCOMES)
site_status_name = _namer(SITE_STATUSES)
run_status_name = _namer(RUN_STATUSES)
role_name = _namer(ROLES)
dispute_status_name = _namer(DISPUTE_STATUSES)
dispute_action_name = _namer(DISPUTE_ACTIONS)
change_kind_name = _namer(CHANGE_KINDS)
reachability_name = _namer(REACHABILITY)
cause_name = _namer(CAUSES)


def level_name(code: str | None) -> str:
    """An agency level as the reader names it (the one table of levels: rules/levels.py)."""
    level = LEVELS.get(code or "")
    if level is None:
        return code or ""
    return level.en if language() == "en" else level.vi


def family_name(code: str | None) -> str:
    """A rule family as the reader names it (the one table of families: rules/families.py)."""
    family = FAMILIES.get(code or "")
    if family is None:
        return code or ""
    return family.en if language() == "en" else family.vi


def grade_label(total: float | None, grade: str) -> str:
    """A stored grade as the reader reads it: the rubric's band name (data), or why there is none."""
    if total is None:
        return _("Unknown")
    return grade or _("Not enough data to grade")


def rule_title(rule) -> str:
    """A rule's title: each rule carries its own in Vietnamese and in English."""
    return rule.title_en if language() == "en" and rule.title_en else rule.title_vi
