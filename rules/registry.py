"""The rule registry: every rule's metadata and its pure `check(site, ctx)` function.

A rule is a function in a module under `rules/checks/`, decorated with `@rule(...)`. The
registry finds every module there, so adding a rule never means editing a list elsewhere.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import traceback
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from minhbach.rules.artifacts import Site
from minhbach.rules.results import Evidence, Outcome, Result

FAMILIES = (
    "organisation", "contacts", "hotline", "news", "direction", "legal_documents", "legal_guidance",
    "plans", "investment", "projects", "tenders", "budget", "drafts", "qa", "procedures",
    "online_services", "access_to_information", "site",
)
ALL_LEVELS = ("tinh", "so", "huyen", "xa", "khac")
# The levels as people name them (the registry keeps the short codes).
LEVEL_NAMES = {"tinh": "Tỉnh", "so": "Sở/ngành", "huyen": "Huyện", "xa": "Xã/phường", "khac": "Khác"}


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
    version: int
    check: Callable[[Site, Context], Result]
    catalogue_id: str = ""               # id in regulations.md section 3
    options: dict[str, Any] = field(default_factory=dict)  # defaults the rubric may override
    aliases: tuple[str, ...] = ()

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    def applies_to(self, level: str) -> bool:
        return level in self.levels

    def evaluate(self, site: Site, ctx: Context) -> Result:
        """Run the check; an unreachable site or a crash gives `error`, never `fail`."""
        if not self.applies_to(site.level):
            return Result(Outcome.NOT_APPLICABLE,
                          f"Không áp dụng cho cấp {LEVEL_NAMES.get(site.level, site.level).lower()}.")
        if not site.reachable:
            return Result(Outcome.ERROR, site.crawl_reason or "Không thu thập được trang nào của cổng.")
        options = {**self.options, **ctx.options}
        site.asked.clear()
        try:
            result = self.check(site, Context(ctx.audit_date, options, site.level))
        except Exception as error:  # a rule bug must not sink the whole audit
            where = traceback.extract_tb(error.__traceback__)[-1]
            return Result(Outcome.ERROR, f"Lỗi khi đánh giá: {type(error).__name__} ({where.name}:{where.lineno})")
        if result.outcome is Outcome.FAIL:
            return _unless_unread(site, result)
        return result


def _unless_unread(site: Site, result: Result) -> Result:
    """A rule may only fail on what the crawl saw: when a page about what the rule looked for
    was known but could not be read (HTTP error, timeout, budget...), the rule is not judged."""
    if site.crawl_status == "interrupted":
        return Result(Outcome.NEEDS_REVIEW, "Không kết luận được: lượt thu thập trang này bị gián đoạn trước khi "
                      f"xong ({result.note}); cần thu thập lại hoặc kiểm tra thủ công.", result.evidence)
    hidden = site.unread_about(site.asked)
    if not hidden:
        return result
    first = hidden[0]
    more = f" và {len(hidden) - 1} trang khác" if len(hidden) > 1 else ""
    shown = f"\u201c{first.anchor_text}\u201d" if first.anchor_text else first.url
    return Result(Outcome.NEEDS_REVIEW,
                  f"Không kết luận được: trang {shown}{more} chưa đọc được khi thu thập ({first.reason}); "
                  "cần kiểm tra thủ công.",
                  Evidence(url=first.url, snippet=first.anchor_text))


_RULES: dict[str, Rule] = {}


def rule(code: str, family: str, title_vi: str, title_en: str, citations: list[str], levels=ALL_LEVELS,
         version: int = 1, catalogue_id: str = "", options: dict | None = None, aliases: tuple[str, ...] = ()):
    if family not in FAMILIES:
        raise ValueError(f"rule {code}: unknown family '{family}'")

    def register(check: Callable[[Site, Context], Result]):
        if code in _RULES and _RULES[code].check is not check:
            raise ValueError(f"rule code {code} is registered twice")
        _RULES[code] = Rule(code, family, title_vi, title_en, tuple(citations), tuple(levels), version, check,
                            catalogue_id, dict(options or {}), tuple(aliases))
        return check

    return register


def all_rules() -> dict[str, Rule]:
    """Every rule, by code, in code order."""
    import minhbach.rules.checks as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return dict(sorted(_RULES.items()))


def find_rule(code: str) -> Rule | None:
    rules = all_rules()
    if code in rules:
        return rules[code]
    return next((r for r in rules.values() if code in r.aliases or code == r.catalogue_id), None)
