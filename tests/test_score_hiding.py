"""Hiding pages must not pay (audit/judge/scoring.py): for the demo's stored crawls and the real
saved sites, removing any subset of pages from what the audit sees (the crawl knew them and could
not read them), or cutting the crawl at any point, never raises the score's lower end and never
raises the grade. Hypothesis picks the pages."""
from __future__ import annotations

import dataclasses
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minhbach.audit.judge.auditor import build_site, context_for
from minhbach.audit.judge.rubric import load_rubric
from minhbach.audit.judge.scoring import NO_GRADE, SiteScore, score_site
from minhbach.rules.artifacts import PageSource, Site, UnreadRef
from minhbach.rules.registry import all_rules
from tests.support.paths import ROOT

pytestmark = pytest.mark.slow   # judges hundreds of variants of each site
REAL_SITES = ROOT.parent / "shared" / "fixtures" / "real-sites"
RUBRIC = load_rubric("nd224-2026")
RULES = all_rules()


def judge(site: Site, day: date) -> SiteScore:
    outcomes = {}
    for rule in RULES.values():
        result = rule.evaluate(site, context_for(rule, RUBRIC, day))
        outcomes[rule.code] = (result.outcome.value, result.partial)
    return score_site(RUBRIC, site.level, outcomes, site.reachable)


def seen_less(site: Site, kept: list) -> Site:
    """`site` as a crawl that read only the `kept` pages: the others known, by the links that lead
    to them, and left unread (its time ran out), as the crawler records them."""
    kept_urls = {page.url for page in kept}
    anchors: dict[str, str] = {}
    for page in kept:
        for link in page.links:
            anchors.setdefault(link.url, link.text)
    unread = list(site.unread) + [UnreadRef(page.url, "time_budget", "hết thời gian thu thập", anchors.get(page.url, ""))
                                  for page in site.pages if page.url not in kept_urls]
    documents = [d for d in site.documents if not d.page_url or d.page_url in kept_urls]
    variant = dataclasses.replace(site, sources=[page.source for page in kept], documents=documents, unread=unread,
                                  crawl_status="partial")
    variant.pages, variant._by_url = list(kept), {page.url: page for page in kept}  # parsed once, shared
    return variant


def rank(score: SiteScore) -> int:
    """Higher is better; no grade (unknown, or not enough seen) is below every grade."""
    names = [grade.name for grade in RUBRIC.grades]
    return 0 if score.total is None or score.grade == NO_GRADE else len(names) - names.index(score.grade)


def check_hiding_does_not_pay(site: Site, day: date, examples: int) -> None:
    full = judge(site, day)
    home = site.home
    others = [page for page in site.pages if page is not home]

    def never_higher(variant: Site) -> None:
        seen = judge(variant, day)
        if seen.total is not None:
            assert full.total is not None and seen.total <= full.total, (site.agency_code, seen.total, full.total)
        assert rank(seen) <= rank(full), (site.agency_code, seen.grade, full.grade)

    @given(hidden=st.sets(st.sampled_from(others)) if others else st.just(set()))
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def any_subset_hidden(hidden):
        never_higher(seen_less(site, [home, *(p for p in others if p not in hidden)]))

    @given(cut=st.integers(min_value=1, max_value=max(1, len(site.pages))))
    @settings(max_examples=min(examples, len(site.pages)), deadline=None,
              suppress_health_check=list(HealthCheck), database=None)
    def crawl_cut(cut):  # pages in the order the crawl reaches them: depth first, home at the top
        ordered = [home, *sorted(others, key=lambda p: (p.source.depth, p.url))]
        never_higher(seen_less(site, ordered[:cut]))

    any_subset_hidden()
    crawl_cut()


def demo_sites(store: Path):
    from minhbach.audit import config
    from minhbach.audit.store.db import Store
    from minhbach.audit.store.models import Agency, CrawlRun, SiteCrawl

    settings_ = config.load()
    opened = Store.open(settings_)
    with opened.sessions() as session:
        run = session.query(CrawlRun).order_by(CrawlRun.id.desc()).first()
        for site_crawl, agency in (session.query(SiteCrawl, Agency).join(Agency, SiteCrawl.agency_id == Agency.id)
                                   .filter(SiteCrawl.run_id == run.id).order_by(Agency.code)):
            if site_crawl.status in ("ok", "partial"):
                yield build_site(session, site_crawl, agency, opened.bodies)


def test_hiding_pages_of_the_demo_never_raises_a_score_or_a_grade(demo_store):
    with sqlite3.connect(demo_store / "minhbach.sqlite") as db:
        assert db.execute("select count(*) from site_crawls").fetchone()[0] >= 8
    sites = list(demo_sites(demo_store))
    assert len(sites) >= 8
    for site in sites:
        check_hiding_does_not_pay(site, date(2026, 11, 21), examples=12)


def real_site(folder: Path) -> Site:
    meta = dict(line.split("=", 1) for line in (folder / "META").read_text(encoding="utf-8").splitlines() if "=" in line)
    root, base = folder / "site", meta["rebase"].rstrip("/")
    sources = [PageSource(url=f"{base}/{path.relative_to(root).as_posix()}", body=path.read_bytes(),
                          depth=0 if "/" + path.relative_to(root).as_posix() == meta["start"] else 1)
               for path in sorted(root.rglob("*.htm*"))]
    return Site(meta["code"], "so", name=meta["name"], home_url=base + meta["start"], sources=sources)


@pytest.mark.skipif(not REAL_SITES.is_dir(), reason="../shared/fixtures/real-sites is not beside the project")
@pytest.mark.parametrize("code", sorted(p.name for p in REAL_SITES.iterdir() if p.is_dir()) if REAL_SITES.is_dir()
                         else [])
def test_hiding_pages_of_a_real_site_never_raises_its_score_or_grade(code):
    folder = REAL_SITES / code
    day = date.fromisoformat(next(line.split("=", 1)[1] for line in (folder / "META").read_text().splitlines()
                                  if line.startswith("date=")))
    check_hiding_does_not_pay(real_site(folder), day, examples=10)
