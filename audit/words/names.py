"""The names of codes people see (levels, outcomes, statuses, rule families), one table each,
translated where they are shown."""
from __future__ import annotations

from minhbach.audit.words.i18n import N_, _, language

LEVELS = {"tinh": N_("Province"), "so": N_("Department"), "huyen": N_("District"), "xa": N_("Commune/ward"),
          "khac": N_("Other")}
OUTCOMES = {"pass": N_("Pass"), "partial": N_("Fail (in part)"), "fail": N_("Fail"), "needs_review": N_("Needs review"),
            "error": N_("Could not be judged"), "not_applicable": N_("Not applicable")}
SITE_STATUSES = {"ok": N_("Crawled"), "partial": N_("Crawled in part"), "unreachable": N_("Unreachable"),
                 "blocked": N_("Blocked"), "interrupted": N_("Interrupted"), "pending": N_("Not started"),
                 "running": N_("Crawling")}
RUN_STATUSES = {"running": N_("Running"), "completed": N_("Completed"), "interrupted": N_("Interrupted"),
                "pruned": N_("Completed; stored pages removed (retention policy)"), "failed": N_("Failed")}
FAMILIES = {
    "budget": N_("Budget"), "contacts": N_("Contacts"), "direction": N_("Direction and administration"),
    "drafts": N_("Drafts for comment"), "online_services": N_("Online public services"), "hotline": N_("Hotline"),
    "investment": N_("Investment"), "legal_documents": N_("Legal documents"),
    "legal_guidance": N_("Legal dissemination"), "news": N_("News"), "organisation": N_("Organisation"),
    "projects": N_("Projects"), "plans": N_("Plans and planning"), "qa": N_("Questions and answers"),
    "site": N_("Website"), "tenders": N_("Tenders"), "access_to_information": N_("Access to information"),
    "procedures": N_("Administrative procedures"),
}
ROLES = {"admin": N_("Administrator"), "inspector": N_("Inspector"), "agency": N_("Agency")}


DISPUTE_STATUSES = {"open": N_("Awaiting a decision"), "accepted": N_("Accepted"), "rejected": N_("Rejected"),
                    "expired": N_("No longer in force")}
DISPUTE_ACTIONS = {"opened": N_("opened"), "commented": N_("commented"), "accepted": N_("accepted"),
                   "rejected": N_("rejected"), "expired": N_("expired")}
CHANGE_KINDS = {"regression": N_("Worse"), "improvement": N_("Better"), "other": N_("Other")}
REACHABILITY = {"lost": N_("no longer reachable"), "recovered": N_("reachable again")}


def _namer(table: dict[str, str]):
    """A function giving a code's name in the reader's language (the code itself when unknown)."""
    def name(code: str | None) -> str:
        return _(table[code]) if code in table else (code or "")
    return name


level_name = _namer(LEVELS)
outcome_name = _namer(OUTCOMES)
site_status_name = _namer(SITE_STATUSES)
run_status_name = _namer(RUN_STATUSES)
family_name = _namer(FAMILIES)
role_name = _namer(ROLES)
dispute_status_name = _namer(DISPUTE_STATUSES)
dispute_action_name = _namer(DISPUTE_ACTIONS)
change_kind_name = _namer(CHANGE_KINDS)
reachability_name = _namer(REACHABILITY)


def grade_label(total: float | None, grade: str) -> str:
    """A stored grade as the reader reads it: the rubric's band name (data), or why there is none."""
    if total is None:
        return _("Unknown")
    return grade or _("Not enough data to grade")


def rule_title(rule) -> str:
    """A rule's title: each rule carries its own in Vietnamese and in English."""
    return rule.title_en if language() == "en" and rule.title_en else rule.title_vi
