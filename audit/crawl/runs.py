"""Crawl runs of registered agencies: the run's rows in the store, then the crawler started
with the store pipeline installed and, for an incremental recrawl, each site's latest earlier
crawl to ask "changed since?" against."""
from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC

from sqlalchemy import func, insert, select, update

from minhbach.audit.store.bodies import BodyStore
from minhbach.audit.store.db import Store
from minhbach.audit.store.models import Agency, CrawlRun, DisappearedPage, Document, Page, SiteCrawl, UnreadPage, utcnow
from minhbach.audit.words.i18n import _
from minhbach.crawler.previous import StoredPage
from minhbach.crawler.runner import run_crawl
from minhbach.crawler.settings import CrawlOptions
from minhbach.crawler.site import SiteState, SiteTarget
from minhbach.crawler.urls import canonicalize

STORE_PIPELINE = "minhbach.audit.crawl.pipeline.StorePipeline"


def target_for(agency: Agency) -> SiteTarget:
    return SiteTarget(
        code=agency.code,
        portal_url=agency.portal_url,
        extra_hosts=tuple((agency.extra_hosts or "").split()),  # stored space-separated
        max_pages=agency.max_pages,
        obey_robots=agency.obey_robots,
        render=agency.render or "html",
    )


def _alive(pid: int | None, hostname: str) -> bool:
    if not pid or hostname != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def close_abandoned_runs(sessions) -> list[int]:
    """Runs left 'running' by a process that is gone (killed, crashed) become 'interrupted'."""
    closed = []
    with sessions.begin() as session:
        for run in session.scalars(select(CrawlRun).where(CrawlRun.status == "running")):
            if not _alive(run.pid, run.hostname):
                run.status = "interrupted"
                run.finished_at = run.finished_at or utcnow()
                for site in run.sites:
                    if site.status in ("pending", "running"):
                        site.status = "interrupted"
                        site.reason = site.reason or {"kind": "crawl_stopped"}
                closed.append(run.id)
    return closed


READ_STATUSES = ("ok", "partial", "interrupted")  # a site crawl whose pages can be carried forward


def earlier_site_crawl(session, agency_id: int, before_run: int) -> int | None:
    """The agency's latest site crawl before `before_run` that read pages."""
    return session.scalar(
        select(func.max(SiteCrawl.id)).where(SiteCrawl.agency_id == agency_id, SiteCrawl.run_id < before_run,
                                             SiteCrawl.status.in_(READ_STATUSES)))


class StoredPages:
    """The store's side of an incremental recrawl (the crawler's `EarlierCrawls`): a site's
    pages from its latest earlier crawl, read when the crawler starts the site."""

    def __init__(self, sessions, bodies: BodyStore, run_id: int):
        self.sessions, self.bodies, self.run_id = sessions, bodies, run_id

    def _earlier(self, session, agency_code: str) -> int | None:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == agency_code))
        return earlier_site_crawl(session, agency_id, self.run_id)

    def pages_of(self, agency_code: str) -> dict[str, StoredPage]:
        with self.sessions() as session:
            earlier = self._earlier(session, agency_code)
            if earlier is None:
                return {}
            rows = session.execute(
                select(Page.requested_url, Page.final_url, Page.http_status, Page.content_type, Page.sha256,
                       Page.fetched_at, Page.etag, Page.last_modified)
                .where(Page.site_crawl_id == earlier, Page.http_status == 200)).all()
        pages = {}
        for row in rows:
            fetched = row.fetched_at if row.fetched_at.tzinfo else row.fetched_at.replace(tzinfo=UTC)
            pages[canonicalize(row.requested_url)] = StoredPage(
                row.requested_url, row.final_url, row.http_status, row.content_type or "", row.sha256, fetched,
                row.etag, row.last_modified)
        return pages

    def documents_of(self, agency_code: str) -> dict[str, str]:
        with self.sessions() as session:
            earlier = self._earlier(session, agency_code)
            if earlier is None:
                return {}
            return dict(session.execute(select(Document.url, Document.sha256).where(
                Document.site_crawl_id == earlier, Document.sha256 != "")).all())

    def body(self, sha256: str) -> bytes:
        try:
            return self.bodies.get(sha256)
        except FileNotFoundError as missing:
            raise LookupError(sha256) from missing


def record_disappeared(sessions, run_id: int, site_id: int | None = None, attempt: int | None = None) -> None:
    """Pages a site's earlier crawl read that this crawl did not find, or found gone. Only for
    sites crawled to the end: a crawl cut short did not look everywhere, and pages it knew of
    but left unread (the page cap) are not gone. (`site_id`: that site of the run only, and
    only while `attempt` is still the site's: a worker's, see audit/ops/cluster/jobs.py.)"""
    query = select(SiteCrawl).where(SiteCrawl.run_id == run_id, SiteCrawl.status == "ok")
    if site_id is not None:
        query = query.where(SiteCrawl.id == site_id)
    if attempt is not None:
        query = query.where(SiteCrawl.attempt == attempt).with_for_update()
    with sessions.begin() as session:
        for site in session.scalars(query):
            earlier = earlier_site_crawl(session, site.agency_id, run_id)
            if earlier is None:
                continue
            before = set(session.scalars(select(Page.requested_url).where(
                Page.site_crawl_id == earlier, Page.http_status == 200)))
            now = dict(session.execute(select(Page.requested_url, Page.http_status)
                                       .where(Page.site_crawl_id == site.id)).all())
            before -= set(session.scalars(select(UnreadPage.url).where(UnreadPage.site_crawl_id == site.id)))
            rows = [{"site_crawl_id": site.id, "url": url, "earlier_site_crawl_id": earlier,
                     "kind": "gone" if now.get(url) in (404, 410) else "unlinked"}
                    for url in sorted(before) if url not in now or now[url] in (404, 410)]
            if rows:
                session.execute(insert(DisappearedPage), rows)
            session.execute(update(SiteCrawl).where(SiteCrawl.id == site.id).values(pages_disappeared=len(rows)))


def start_run(sessions, agency_codes: list[str] | None, options: CrawlOptions) -> tuple[int, list[SiteTarget]]:
    """The run's rows: one crawl run, one pending site crawl per agency (all active agencies
    when `agency_codes` is None). Returns the run id and the sites to crawl."""
    with sessions.begin() as session:
        query = select(Agency).order_by(Agency.code)
        if agency_codes:  # named on the command line: crawled even if no longer active
            query = query.where(Agency.code.in_(agency_codes))
        else:
            query = query.where(Agency.active.is_(True))
        agencies = list(session.scalars(query))
        missing = set(agency_codes or []) - {a.code for a in agencies}
        if missing:
            raise ValueError(_("unknown agency code(s): {missing}").format(
                missing=', '.join(sorted(missing))))
        if not agencies:
            raise ValueError(_("no active agencies registered; run `minhbach agencies import FILE` first"))
        run = CrawlRun(pid=os.getpid(), hostname=socket.gethostname(), settings=asdict(options))
        session.add(run)
        session.flush()
        now = utcnow()
        for agency in agencies:
            session.add(SiteCrawl(run_id=run.id, agency_id=agency.id, started_at=now))
        targets = [target_for(agency) for agency in agencies]
        return run.id, targets


def crawl_agencies(
    agency_codes: list[str] | None,
    options: CrawlOptions,
    store: Store,
    on_page: Callable[[str], None] | None = None,
    on_site_done: Callable[[SiteState], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> int:
    """Crawl the given agencies (all registered ones when None) in this process and return the
    run id. (On several machines: audit/ops/cluster/coordinator.py.)"""
    sessions = store.sessions
    close_abandoned_runs(sessions)
    run_id, targets = start_run(sessions, agency_codes, options)
    if on_start:
        on_start(run_id, len(targets))
    earlier = StoredPages(sessions, store.bodies, run_id) if options.incremental else None
    run_crawl(
        targets, options,
        pipelines={STORE_PIPELINE: 300},
        extra_settings={
            "MINHBACH_DATABASE_URL": store.url,
            "MINHBACH_BODIES_DIR": str(store.bodies.root),
            "MINHBACH_RUN_ID": run_id,
        },
        on_page=on_page, on_site_done=on_site_done, earlier=earlier,
    )
    record_disappeared(sessions, run_id)
    return run_id
