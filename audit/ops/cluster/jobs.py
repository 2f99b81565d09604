"""The job a worker runs: one agency's site of a crawl run, as one attempt.

RQ runs it in a forked process of its own (a fresh Twisted reactor each time). The job leases
the site's hosts, starts a new attempt of the site in the store (removing what an earlier,
lost attempt had written), crawls with the same spider and store pipeline as a crawl on one
machine, and releases the hosts. Everything it stores is fenced by the attempt number: if this
worker is lost and another starts the site again, what this one still writes is refused.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
from urllib.parse import urlsplit

from sqlalchemy import delete, select, update

from minhbach.audit import config
from minhbach.audit.config import Settings
from minhbach.audit.crawl.runs import STORE_PIPELINE, StoredPages, record_disappeared, target_for
from minhbach.audit.ops.cluster.leases import HostLeases
from minhbach.audit.ops.cluster.settings import ClusterSettings
from minhbach.audit.store.bodies import BodyStore
from minhbach.audit.store.db import session_factory
from minhbach.audit.store.models import Agency, DisappearedPage, Document, Link, Page, SiteCrawl, UnreadPage, utcnow
from minhbach.crawler.runner import run_crawl
from minhbach.crawler.settings import CrawlOptions
from minhbach.crawler.site import SiteTarget

log = logging.getLogger(__name__)

# A site crawl in one of these states is done; "interrupted" is not: it is started again.
FINISHED = ("ok", "partial", "unreachable", "blocked")


def hosts_of(target: SiteTarget) -> list[str]:
    """The host names a site's crawl sends requests to (Scrapy's per-host unit: no port)."""
    hosts = {urlsplit(target.portal_url).hostname or ""}
    hosts |= {urlsplit(f"//{extra}").hostname or "" for extra in target.extra_hosts}
    return sorted(h for h in hosts if h)


def worker_name(in_rq: bool = True) -> str:
    """"machine:PID" of the worker, as `minhbach workers` lists it (the job runs in a process
    its RQ worker forked: the parent's PID)."""
    return f"{socket.gethostname()}:{os.getppid() if in_rq else os.getpid()}"


def start_attempt(sessions, site_id: int, worker: str) -> int | None:
    """A new attempt of the site: its number, or None when the site is already done or its run
    is closed (a job left on the queue by a coordinator that died). The rows
    an earlier attempt wrote are removed in the same transaction, which waits for a lost
    worker's batch in flight (it holds the row) and makes its later batches stale."""
    with sessions.begin() as session:
        site = session.execute(select(SiteCrawl).where(SiteCrawl.id == site_id).with_for_update()).scalar_one()
        if site.status in FINISHED or site.run.status != "running":  # done, or its run is over (a dead coordinator's)
            return None
        pages = select(Page.id).where(Page.site_crawl_id == site_id)
        session.execute(delete(Link).where(Link.page_id.in_(pages)))
        for table in (Document, UnreadPage, DisappearedPage, Page):
            session.execute(delete(table).where(table.site_crawl_id == site_id))
        site.attempt += 1
        site.worker, site.status, site.reason, site.stop_reason = worker, "running", None, ""
        site.started_at, site.finished_at = utcnow(), None
        site.pages_fetched = site.bytes_fetched = site.documents_found = site.robots_blocked = 0
        site.pages_unchanged = site.pages_disappeared = 0
        site.error_counts, site.tls_status, site.tls_detail = {}, "", ""
        return site.attempt


# The settings of `minhbach worker` on this machine, set before its pool forks the workers (a
# job runs in a process forked from them); a job run elsewhere reads them itself.
WORKER_SETTINGS: Settings | None = None


def crawl_site(run_id: int, agency_code: str, options: CrawlOptions) -> dict:
    """RQ job: crawl `agency_code`'s site for crawl run `run_id`. Returns its status."""
    from rq import get_current_job

    settings = WORKER_SETTINGS or config.load()
    cluster = ClusterSettings.from_settings(settings)
    database_url, bodies_dir = settings.store_url, settings.bodies_dir
    sessions = session_factory(database_url)
    with sessions() as session:
        agency = session.scalar(select(Agency).where(Agency.code == agency_code))
        if agency is None:  # a job left on the queue for an agency since removed
            raise LookupError(f"no agency {agency_code}")
        site_id = session.scalar(select(SiteCrawl.id).where(SiteCrawl.run_id == run_id,
                                                           SiteCrawl.agency_id == agency.id))
        if site_id is None:  # likewise, for a run since removed
            raise LookupError(f"crawl run {run_id} has no site for agency {agency_code}")
        target = target_for(agency)
    job = get_current_job()
    redis = job.connection if job is not None else cluster.connect()
    me = worker_name(job is not None)
    leases = HostLeases(redis, cluster.prefix, hosts_of(target), f"{me} {agency_code}", cluster.lease_seconds)
    if job is not None:  # for `minhbach workers`: whose site, and what it waits for
        job.meta.update(agency=agency_code, waiting_for=leases.hosts)
        job.save_meta()
    leases.acquire()
    quiet: dict[str, float] = {}
    try:
        attempt = start_attempt(sessions, site_id, me)
        if attempt is None:
            return {"agency": agency_code, "status": "done before", "attempt": None}
        if job is not None:
            job.meta.update(agency=agency_code, attempt=attempt, waiting_for=[])
            job.save_meta()

        lost_lease: list[str] = []

        def lost(reason: str) -> None:
            log.error("site %s: %s; stopping its crawl", agency_code, reason)
            lost_lease.append(reason)
            os.kill(os.getpid(), signal.SIGTERM)  # Scrapy stops gracefully; the site stays unfinished

        leases.keep(lost)
        earlier = StoredPages(sessions, BodyStore(bodies_dir), run_id) if options.incremental else None
        stats = run_crawl([target], options, pipelines={STORE_PIPELINE: 300}, extra_settings={
            "MINHBACH_DATABASE_URL": database_url, "MINHBACH_BODIES_DIR": str(bodies_dir),
            "MINHBACH_RUN_ID": run_id, "MINHBACH_SITE_CRAWL_ID": site_id, "MINHBACH_ATTEMPT": attempt,
        }, earlier=earlier)
        quiet = {key.removeprefix("minhbach/crawl_delay/"): value for key, value in stats.items()
                 if key.startswith("minhbach/crawl_delay/")}
        record_disappeared(sessions, run_id, site_id, attempt)
        if lost_lease:  # the site is 'interrupted' (the coordinator starts it again); say why
            with sessions.begin() as session:
                session.execute(update(SiteCrawl).where(SiteCrawl.id == site_id, SiteCrawl.attempt == attempt)
                                .values(reason={"kind": "lease_lost", "error": lost_lease[0]}))
        with sessions() as session:
            status = session.scalar(select(SiteCrawl.status).where(SiteCrawl.id == site_id,
                                                                   SiteCrawl.attempt == attempt))
        return {"agency": agency_code, "status": status or "superseded", "attempt": attempt}
    finally:
        leases.release(quiet)
