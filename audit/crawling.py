"""Crawl runs of registered agencies: the run's rows in the store, then the crawler started
with the store pipeline installed."""
from __future__ import annotations

import os
import socket
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from sqlalchemy import select

from minhbach.audit.store.db import open_store
from minhbach.audit.store.models import Agency, CrawlRun, SiteCrawl, utcnow
from minhbach.crawler.runner import run_crawl
from minhbach.crawler.settings import CrawlOptions
from minhbach.crawler.site import SiteState, SiteTarget

STORE_PIPELINE = "minhbach.audit.store.pipeline.StorePipeline"


def target_for(agency: Agency) -> SiteTarget:
    return SiteTarget(
        code=agency.code,
        portal_url=agency.portal_url,
        extra_hosts=tuple((agency.extra_hosts or "").split()),  # stored space-separated
        max_pages=agency.max_pages,
        obey_robots=agency.obey_robots,
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
                        site.reason = site.reason or "quá trình thu thập đã dừng trước khi xong trang này"
                closed.append(run.id)
    return closed


def crawl_agencies(
    agency_codes: list[str] | None,
    options: CrawlOptions,
    database_url: str,
    bodies_dir: Path,
    on_page: Callable[[str], None] | None = None,
    on_site_done: Callable[[SiteState], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> int:
    """Crawl the given agencies (all registered ones when None) and return the run id."""
    sessions = open_store(database_url)
    close_abandoned_runs(sessions)
    with sessions.begin() as session:
        query = select(Agency).order_by(Agency.code)
        if agency_codes:  # named on the command line: crawled even if no longer active
            query = query.where(Agency.code.in_(agency_codes))
        else:
            query = query.where(Agency.active.is_(True))
        agencies = list(session.scalars(query))
        missing = set(agency_codes or []) - {a.code for a in agencies}
        if missing:
            raise ValueError(f"unknown agency code(s): {', '.join(sorted(missing))}")
        if not agencies:
            raise ValueError("no active agencies registered; run `minhbach agencies import FILE` first")
        run = CrawlRun(pid=os.getpid(), hostname=socket.gethostname(), settings=asdict(options))
        session.add(run)
        session.flush()
        now = utcnow()
        for agency in agencies:
            session.add(SiteCrawl(run_id=run.id, agency_id=agency.id, started_at=now))
        targets = [target_for(agency) for agency in agencies]
        run_id = run.id
    if on_start:
        on_start(run_id, len(targets))
    run_crawl(
        targets, options,
        pipelines={STORE_PIPELINE: 300},
        extra_settings={
            "MINHBACH_DATABASE_URL": database_url,
            "MINHBACH_BODIES_DIR": str(bodies_dir),
            "MINHBACH_RUN_ID": run_id,
        },
        on_page=on_page, on_site_done=on_site_done,
    )
    return run_id
