"""Lexicons: Vietnamese term lists kept as data (`data/lexicons/*.yaml`), matched folded."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from rules.text import fold

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "data" / "lexicons"


@dataclass(frozen=True)
class Topic:
    name: str
    family: str
    terms: tuple[str, ...]
    crawl_priority: int = 0

    @property
    def folded(self) -> tuple[str, ...]:
        return tuple(fold(t) for t in self.terms)


class TermMatcher:
    """Finds lexicon terms in folded text as whole words, in one regex pass."""

    def __init__(self, terms: dict[str, int]):
        self.value_of = {fold(t): v for t, v in terms.items()}
        alternation = "|".join(re.escape(t) for t in sorted(self.value_of, key=len, reverse=True))
        self.pattern = re.compile(rf"(?<![a-z0-9])(?:{alternation})(?![a-z0-9])") if terms else None

    def best(self, folded_text: str) -> int:
        if self.pattern is None:
            return 0
        return max((self.value_of[m.group(0)] for m in self.pattern.finditer(folded_text)), default=0)

    def found(self, folded_text: str) -> list[str]:
        return [m.group(0) for m in self.pattern.finditer(folded_text)] if self.pattern else []


@lru_cache(maxsize=4)
def load_lexicons(directory: Path = DEFAULT_DIR) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        family = data.get("family", path.stem)
        for name, entry in (data.get("topics") or {}).items():
            if name in topics:
                raise ValueError(f"{path}: topic '{name}' is defined twice")
            topics[name] = Topic(
                name=name,
                family=family,
                terms=tuple(str(t) for t in entry.get("terms", [])),
                crawl_priority=int(entry.get("crawl_priority", 0)),
            )
    return topics


def crawl_priority_terms(directory: Path = DEFAULT_DIR) -> dict[str, int]:
    """Every term with a crawl priority, at the highest priority any topic gives it."""
    terms: dict[str, int] = {}
    for topic in load_lexicons(directory).values():
        if topic.crawl_priority:
            for term in topic.terms:
                terms[term] = max(terms.get(term, 0), topic.crawl_priority)
    return terms
