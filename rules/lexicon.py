"""Lexicons: Vietnamese term lists kept as data (`data/lexicons/*.yaml`), matched folded."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from minhbach.data import DATA_DIR
from minhbach.rules.text import fold

DEFAULT_DIR = DATA_DIR / "lexicons"


@dataclass(frozen=True)
class Topic:
    name: str
    family: str
    terms: tuple[str, ...]
    crawl_priority: int = 0

    @property
    def folded(self) -> tuple[str, ...]:
        return tuple(canonical(t) for t in self.terms)


_WORD = re.compile(r"[a-z0-9]+")


def canonical(term: str) -> str:
    """A term as its folded words: `Hỏi - Đáp` -> `hoi dap`."""
    return " ".join(_WORD.findall(fold(term)))


class TermMatcher:
    """Finds lexicon terms in folded text as whole words, longest term first, in one pass over
    the words. Words of a term may be separated by any punctuation: `chỉ đạo điều hành` matches
    `Chỉ đạo – Điều hành`. (A word index, not one big regex: a regex alternation of hundreds of
    terms costs tens of milliseconds per page.)"""

    def __init__(self, terms: dict[str, int]):
        self.value_of: dict[str, int] = {}
        for term, value in terms.items():
            key = canonical(term)
            if key:
                self.value_of[key] = max(value, self.value_of.get(key, value))
        self.by_first: dict[str, list[list[str]]] = {}
        for key in sorted(self.value_of, key=lambda k: -len(k.split())):
            words = key.split()
            self.by_first.setdefault(words[0], []).append(words)

    def found(self, folded_text: str) -> list[str]:
        words = _WORD.findall(folded_text)
        found, i, n = [], 0, len(words)
        while i < n:
            for candidate in self.by_first.get(words[i], ()):
                size = len(candidate)
                if words[i:i + size] == candidate:
                    found.append(" ".join(candidate))
                    i += size
                    break
            else:
                i += 1
        return found

    def best(self, folded_text: str) -> int:
        return max((self.value_of[name] for name in self.found(folded_text)), default=0)


# libyaml's loader when PyYAML was built with it (the wheels are): ten times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_lexicons(directory: Path = DEFAULT_DIR) -> dict[str, Topic]:
    return _load_lexicons(Path(directory))


@lru_cache(maxsize=4)
def _load_lexicons(directory: Path) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
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


class TopicIndex:
    """Which topics a folded text mentions, for every topic at once, in one regex pass."""

    def __init__(self, topics: dict[str, Topic]):
        self.names = frozenset(topics)
        self.topics_of: dict[str, set[str]] = {}
        for topic in topics.values():
            for term in topic.terms:
                self.topics_of.setdefault(canonical(term), set()).add(topic.name)
        self.matcher = TermMatcher({term: 1 for term in self.topics_of})
        self._cache: dict[str, frozenset[str]] = {}

    # Link texts, titles and addresses repeat across pages and sites: the short ones are
    # remembered, up to a bound, so a nightly audit of a whole province stays small.
    _CACHE_TEXT_LENGTH, _CACHE_ENTRIES = 300, 200_000

    def topics_in(self, folded_text: str) -> frozenset[str]:
        if len(folded_text) >= self._CACHE_TEXT_LENGTH:
            return self._topics_in(folded_text)
        cached = self._cache.get(folded_text)
        if cached is None:
            if len(self._cache) >= self._CACHE_ENTRIES:
                self._cache.clear()
            cached = self._cache[folded_text] = self._topics_in(folded_text)
        return cached

    def _topics_in(self, folded_text: str) -> frozenset[str]:
        found: set[str] = set()
        for term in set(self.matcher.found(folded_text)):
            found |= self.topics_of[term]
        return frozenset(found)

    def require(self, topic: str) -> None:
        """A topic that no lexicon defines is a mistake in the code, never "nothing found"."""
        if topic not in self.names:
            raise KeyError(f"unknown topic '{topic}' (the topics are in data/lexicons/)")

    def terms_of(self, folded_text: str, topic: str) -> list[str]:
        self.require(topic)
        return [t for t in self.matcher.found(folded_text) if topic in self.topics_of[t]]


def topic_index(directory: Path = DEFAULT_DIR) -> TopicIndex:
    return _topic_index(Path(directory))


@lru_cache(maxsize=4)
def _topic_index(directory: Path) -> TopicIndex:
    return TopicIndex(load_lexicons(directory))
