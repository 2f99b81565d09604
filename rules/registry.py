"""The rule registry: every rule's metadata and its pure `check(site, ctx)` function.

A rule is a function in a module under `rules/checks/`, decorated with `@rule(...)`. The
registry finds every module there, so adding a rule never means editing a list elsewhere.

A rule declares what it reads: `topics` (the sections whose pages, links and documents it asks
the site for), `terms` (term lists it matches inside pages), or `every_page` (it looks for
something that may sit on any page). Each name is checked against the lexicons when the rule
is registered (a typo is an import-time error), the rule can ask the site only for what it
declared, and the declaration decides, for every rule alike, when a fail is not final because
a page it would have read went unread.
"""
from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from minhbach.rules.artifacts import Site, SiteView
from minhbach.rules.families import FAMILIES
from minhbach.rules.levels import ALL_LEVELS, LEVEL_NAMES
from minhbach.rules.lexicon import load_lexicons
from minhbach.rules.results import Evidence, Outcome, Result

log = logging.getLogger("minhbach.rules")



@dataclass(frozen=True)
class Context:
    """What a rule may know besides the site: the audit date and the rubric's options."""

    audit_date: date
    options: dict[str, Any] = field(default_factory=dict)
    level: str = ""

    def option(self, name: str, default: Any = None) -> Any:
        """An option, possibly given per agency level: `{tinh: 14, so: 14, xa: 30}`."""
        value = self.options.get(name, default)
        if isinstance(value, dict):
            return value.get(self.level, value.get("default", default))
        return value


@dataclass(frozen=True)
class Rule:
    code: str
    family: str
    title_vi: str
    title_en: str
    citations: tuple[str, ...]           # "ND43-2011 Điều 10.1.l": instrument id + article
    levels: tuple[str, ...]
    version: int                         # raised whenever what the rule finds changes (tests/rule_versions.yaml)
    check: Callable[[Site, Context], Result]
    catalogue_id: str = ""               # id in regulations.md section 3
    options: dict[str, Any] = field(default_factory=dict)  # defaults the rubric may override
    topics: tuple[str, ...] = ()         # the sections it reads (lexicon topics)
    terms: tuple[str, ...] = ()          # the term lists it matches inside pages
    every_page: bool = False             # what it looks for may sit on any page

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    def applies_to(self, level: str) -> bool:
        return level in self.levels

    def evaluate(self, site: Site, ctx: Context) -> Result:
        """Run the check. A site that could not be read gives `error`; so does a crash of the
        rule, logged with its stack and marked `crashed` (the audit counts them)."""
        if not self.applies_to(site.level):
            return Result(Outcome.NOT_APPLICABLE,
                          f"Không áp dụng cho cấp {LEVEL_NAMES.get(site.level, site.level).lower()}.")
        if not site.reachable:
            return Result(Outcome.ERROR, site.crawl_reason or "Không thu thập được trang nào của cổng.")
        options = {**self.options, **ctx.options}
        # The view stands in for the site: it hands on everything but the topic questions, which it checks.
        view = cast(Site, SiteView(site, self.code, frozenset(self.topics), frozenset(self.topics + self.terms)))
        try:
            result = self.check(view, Context(ctx.audit_date, options, site.level))
        except Exception as error:  # a rule bug must not sink the whole audit, nor pass unseen
            log.exception("rule %s crashed on %s", self.code, site.agency_code)
            return Result(Outcome.ERROR, f"Lỗi khi đánh giá: {type(error).__name__} ({self.code})", crashed=True)
        if result.outcome is Outcome.FAIL:
            return self._unless_unread(site, result)
        return result

    def _unless_unread(self, site: Site, result: Result) -> Result:
        """A rule may only fail on what the crawl saw: when a page it would have read was known
        but could not be read (HTTP error, timeout, budget...), the rule is not judged."""
        if site.crawl_status == "interrupted":
            return Result(Outcome.NEEDS_REVIEW, "Không kết luận được: lượt thu thập trang này bị gián đoạn trước khi "
                          f"xong ({result.note}); cần thu thập lại hoặc kiểm tra thủ công.", result.evidence)
        hidden = list(site.unread) if self.every_page else site.unread_about(self.topics)
        if not hidden:
            return result
        first = hidden[0]
        more = f" và {len(hidden) - 1} trang khác" if len(hidden) > 1 else ""
        shown = f"\u201c{first.anchor_text}\u201d" if first.anchor_text else first.url
        return Result(Outcome.NEEDS_REVIEW,
                      f"Không kết luận được: trang {shown}{more} chưa đọc được khi thu thập ({first.reason}); "
                      "cần kiểm tra thủ công.",
                      Evidence(url=first.url, snippet=first.anchor_text),
                      facts={**result.facts, "unread": len(hidden), "unread_reason": first.reason})


_RULES: dict[str, Rule] = {}


def rule(code: str, family: str, title_vi: str, title_en: str, citations: list[str], levels=ALL_LEVELS,
         version: int = 1, catalogue_id: str = "", options: dict | None = None, topics: tuple[str, ...] = (),
         terms: tuple[str, ...] = (), every_page: bool = False):
    if family not in FAMILIES:
        raise ValueError(f"rule {code}: unknown family '{family}'")
    known = load_lexicons()
    unknown = [name for name in (*topics, *terms) if name not in known]
    if unknown:
        raise ValueError(f"rule {code}: unknown topic(s) {', '.join(unknown)} (the topics are in data/lexicons/)")

    def register(check: Callable[[Site, Context], Result]):
        if code in _RULES and _RULES[code].check is not check:
            raise ValueError(f"rule code {code} is registered twice")
        _RULES[code] = Rule(code, family, title_vi, title_en, tuple(citations), tuple(levels), version, check,
                            catalogue_id, dict(options or {}), tuple(topics), tuple(terms), every_page)
        return check

    return register


def all_rules() -> dict[str, Rule]:
    """Every rule, by code, in code order."""
    import minhbach.rules.checks as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return dict(sorted(_RULES.items()))
