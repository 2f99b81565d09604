"""The store pipeline: what the crawler collects goes to the store writer (a process of its
own, see writer.py), and each site's outcome to the database when the crawl ends. The
application installs it in each crawl (see audit/crawl/runs.py).

On a distributed night a worker crawls one site of the run (MINHBACH_SITE_CRAWL_ID) as one
attempt (MINHBACH_ATTEMPT): only that site is written, only while the attempt is still the
site's, and the run itself is closed by the coordinator (audit/ops/cluster/coordinator.py)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from scrapy import signals
from sqlalchemy import select, true, update

from minhbach.audit.crawl.writer import WriterProcess
from minhbach.audit.store.db import session_factory
from minhbach.audit.store.models import Agency, CrawlRun, SiteCrawl, utcnow
from minhbach.crawler.items import PageItem


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.database_url = settings.get("MINHBACH_DATABASE_URL")
        self.run_id = settings.getint("MINHBACH_RUN_ID")
        self.bodies_dir = Path(settings.get("MINHBACH_BODIES_DIR"))
        self.only_site = settings.getint("MINHBACH_SITE_CRAWL_ID") or None
        self.attempt = settings.getint("MINHBACH_ATTEMPT")
        self.writer: WriterProcess | None = None
        self.site_ids: dict[str, int] = {}
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        with session_factory(self.database_url)() as session:
            rows = session.execute(
                select(SiteCrawl.id, SiteCrawl.agency_id).where(SiteCrawl.run_id == self.run_id)
            ).all()
            codes = dict(session.execute(select(Agency.id, Agency.code)).all())
        self.site_ids = {codes[agency_id]: site_id for site_id, agency_id in rows
                         if self.only_site in (None, site_id)}
        attempts = {self.only_site: self.attempt} if self.only_site else None
        self.writer = WriterProcess(self.database_url, self.bodies_dir, self.site_ids, attempts)
        self.writer.start()

    def process_item(self, item):
        if isinstance(item, PageItem) and item.carried_sha256 and item.body:
            # Unchanged (304): its body is already stored; the writer needs only its size.
            item = replace(item, body=b"", size=len(item.body))
        assert self.writer is not None  # Scrapy opens the pipeline (open_spider) before any item
        self.writer.put(item)
        return item

    def close_spider(self):
        if self.writer is not None:
            self.writer.close()

    def spider_closed(self, spider, reason):
        """Record each site's outcome and close the run (after the writer has flushed)."""
        finished = utcnow()
        with session_factory(self.database_url).begin() as session:
            for site in spider.sites.values():
                status = site.status
                if status in ("pending", "running"):
                    status = "ok" if reason == "finished" else "interrupted"
                ours = SiteCrawl.attempt == self.attempt if self.only_site else true()
                session.execute(
                    update(SiteCrawl)
                    .where(SiteCrawl.id == self.site_ids[site.code], ours)
                    .values(status=status, reason=site.reason, stop_reason=site.stop_reason,
                            error_counts=dict(site.errors), robots_blocked=site.robots_blocked,
                            tls_status=site.tls[0] if site.tls else "",
                            tls_detail=site.tls[1][:1000] if site.tls else "", finished_at=finished)
                )
            if self.only_site:
                return
            session.execute(
                update(CrawlRun).where(CrawlRun.id == self.run_id).values(
                    status="completed" if reason == "finished" else "interrupted",
                    finished_at=finished,
                )
            )
