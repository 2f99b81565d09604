"""What is kept of old crawls. Findings and scores are kept for ever; crawled pages by policy
(by default every night of the last 14, then one night a week for 6 months, then one a month);
a stored copy is removed only when no kept page and no finding refers to it, so evidence
always opens."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from minhbach.audit.clock import DEFAULT_ZONE, night_of
from minhbach.audit.store.bodies import BodyStore
from minhbach.audit.store.models import CrawlRun, Document, Finding, Link, Page, SiteCrawl


@dataclass(frozen=True)
class Policy:
    nights: int = 14
    weekly_months: int = 6
    monthly: bool = True
    zone: str = DEFAULT_ZONE   # the province's: a run belongs to the night it started in there

    @classmethod
    def from_settings(cls, settings) -> Policy:
        return cls(settings.retention.nights, settings.retention.weekly_months, settings.retention.monthly,
                   settings.timezone)


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def runs_to_keep(runs: list[tuple[int, date]], today: date, policy: Policy) -> set[int]:
    """The crawl runs whose pages are kept: (run id, night) pairs in, run ids out. Every run
    of the last `nights` nights (calendar nights, today's included); before those the newest
    run of each ISO week for `weekly_months` months; before that the newest of each month
    (or none)."""
    kept, weeks, months = set(), set(), set()
    for run_id, night in sorted(runs, key=lambda r: (r[1], r[0]), reverse=True):
        if (today - night).days < policy.nights:
            kept.add(run_id)
        elif _months_between(night, today) < policy.weekly_months:
            week = night.isocalendar()[:2]
            if week not in weeks:
                weeks.add(week)
                kept.add(run_id)
        elif policy.monthly:
            month = (night.year, night.month)
            if month not in months:
                months.add(month)
                kept.add(run_id)
    return kept


@dataclass
class Collection:
    """What a gc removes (or, dry, would remove)."""

    runs_pruned: list[int] = field(default_factory=list)
    pages: int = 0
    bodies: list[Path] = field(default_factory=list)
    bytes: int = 0


def _night(started_at, zone: str = DEFAULT_ZONE) -> date:
    return night_of(started_at, zone)


def collect(session: Session, bodies: BodyStore, policy: Policy, today: date, dry_run: bool = False) -> Collection:
    """Drop the pages of runs the policy does not keep, then the stored copies nothing refers to."""
    runs = session.execute(select(CrawlRun.id, CrawlRun.started_at, CrawlRun.status)).all()
    keep = runs_to_keep([(r.id, _night(r.started_at, policy.zone)) for r in runs if r.status != "running"], today,
                        policy)
    keep |= {r.id for r in runs if r.status == "running"}
    result = Collection()
    pruned_sites = select(SiteCrawl.id).where(SiteCrawl.run_id.not_in(keep)) if keep else select(SiteCrawl.id)
    result.pages = session.scalar(select(func.count(Page.id)).where(Page.site_crawl_id.in_(pruned_sites))) or 0
    result.runs_pruned = sorted(session.scalars(select(SiteCrawl.run_id).distinct().join(
        Page, Page.site_crawl_id == SiteCrawl.id).where(SiteCrawl.id.in_(pruned_sites))))
    referenced = set(session.scalars(select(Page.sha256).distinct().where(Page.site_crawl_id.not_in(pruned_sites))))
    referenced |= set(session.scalars(select(Finding.stored_copy).distinct().where(Finding.stored_copy != "")))
    referenced |= set(session.scalars(select(Document.sha256).distinct().where(  # documents read, of kept crawls
        Document.sha256 != "", Document.site_crawl_id.not_in(pruned_sites))))
    for path in bodies.root.glob("*/*/*.gz") if bodies.root.exists() else ():
        if path.name[:-3] not in referenced:
            result.bodies.append(path)
            result.bytes += path.stat().st_size
    if dry_run:
        return result
    if result.runs_pruned:
        pruned_pages = select(Page.id).where(Page.site_crawl_id.in_(pruned_sites))
        session.execute(delete(Link).where(Link.page_id.in_(pruned_pages)))
        session.execute(delete(Page).where(Page.site_crawl_id.in_(pruned_sites)))
        # Said on the run, so that no one audits it again on pages it no longer has.
        session.execute(update(CrawlRun).where(CrawlRun.id.in_(result.runs_pruned)).values(status="pruned"))
        session.commit()  # rows first: a page row never points at a removed body
    for path in result.bodies:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    return result
