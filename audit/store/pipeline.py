"""The store pipeline: what the crawler collects goes to the database (pages, links, documents)
and to the body store. The application installs it in each crawl (see audit/crawling.py).

Writes happen on one background thread in batches (one transaction each), so the crawl never
waits on the disk and a crash loses at most the batch in flight, never half a batch: a
transaction commits the pages, their links and the site's counters together.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections import defaultdict
from pathlib import Path

from scrapy import signals
from sqlalchemy import insert, select, update

from minhbach.audit.store.bodies import BodyStore
from minhbach.audit.store.db import session_factory
from minhbach.audit.store.models import Agency, CrawlRun, Document, Link, Page, SiteCrawl, UnreadPage, utcnow
from minhbach.crawler.items import DocumentInfo, PageItem, UnreadItem

log = logging.getLogger(__name__)
_STOP = object()


class StoreWriter(threading.Thread):
    def __init__(self, database_url: str, bodies: BodyStore, site_ids: dict[str, int],
                 batch_size: int = 200, interval: float = 0.5):
        super().__init__(name="minhbach-store-writer", daemon=True)
        self.sessions = session_factory(database_url)
        self.bodies = bodies
        self.site_ids = site_ids
        self.batch_size = batch_size
        self.interval = interval
        self.queue: queue.Queue = queue.Queue(maxsize=4 * batch_size)
        self.error: BaseException | None = None
        self.documents_seen: set[tuple[int, str]] = set()

    def put(self, item) -> None:
        if self.error is not None:
            raise RuntimeError(f"the store writer failed: {self.error}") from self.error
        self.queue.put(item)

    def close(self) -> None:
        self.queue.put(_STOP)
        self.join()
        if self.error is not None:
            raise RuntimeError(f"the store writer failed: {self.error}") from self.error

    def run(self) -> None:
        batch: list = []
        deadline = time.monotonic() + self.interval
        stopping = False
        while not stopping:
            try:
                item = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
                if item is _STOP:
                    stopping = True
                else:
                    batch.append(item)
            except queue.Empty:
                pass
            if batch and (stopping or len(batch) >= self.batch_size or time.monotonic() >= deadline):
                try:
                    self.write(batch)
                except BaseException as exc:  # reported to the crawl by put()/close()
                    log.exception("store writer failed")
                    self.error = exc
                    return
                batch = []
            if time.monotonic() >= deadline:
                deadline = time.monotonic() + self.interval

    def write(self, batch: list) -> None:
        pages = [i for i in batch if isinstance(i, PageItem)]
        infos = [i for i in batch if isinstance(i, DocumentInfo)]
        unread = [i for i in batch if isinstance(i, UnreadItem)]
        # Bodies first: a page row never points at a body that is not on disk.
        digests = [self.bodies.put(p.body) for p in pages]
        counters: dict[int, dict[str, int]] = defaultdict(lambda: {"pages": 0, "bytes": 0, "docs": 0})
        with self.sessions.begin() as session:
            if pages:
                rows = [
                    {
                        "site_crawl_id": self.site_ids[p.agency_code],
                        "requested_url": p.requested_url,
                        "final_url": p.final_url,
                        "http_status": p.http_status,
                        "content_type": p.content_type[:200],
                        "size": len(p.body),
                        "sha256": sha,
                        "title": p.title,
                        "encoding": p.encoding,
                        "legacy_encoding": p.legacy_encoding,
                        "depth": p.depth,
                        "fetched_at": utcnow(),
                    }
                    for p, sha in zip(pages, digests)
                ]
                ids = session.scalars(
                    insert(Page).returning(Page.id, sort_by_parameter_order=True), rows
                ).all()
                links, documents = [], []
                for page, page_id in zip(pages, ids):
                    site_id = self.site_ids[page.agency_code]
                    counters[site_id]["pages"] += 1
                    counters[site_id]["bytes"] += len(page.body)
                    links.extend(
                        {"page_id": page_id, "target_url": url, "anchor_text": text[:2000],
                         "is_document": is_doc}
                        for url, text, is_doc in page.links
                    )
                    for url, text, doc_type in page.documents:
                        if (site_id, url) in self.documents_seen:
                            continue
                        self.documents_seen.add((site_id, url))
                        counters[site_id]["docs"] += 1
                        documents.append({"site_crawl_id": site_id, "page_id": page_id, "url": url,
                                          "anchor_text": text[:2000], "doc_type": doc_type})
                if links:
                    session.execute(insert(Link), links)
                if documents:
                    session.execute(insert(Document), documents)
            if unread:
                session.execute(insert(UnreadPage), [
                    {"site_crawl_id": self.site_ids[u.agency_code], "url": u.url, "kind": u.kind[:32],
                     "reason": u.reason, "anchor_text": u.anchor_text[:2000]} for u in unread])
            for info in infos:
                session.execute(
                    update(Document)
                    .where(Document.site_crawl_id == self.site_ids[info.agency_code],
                           Document.url == info.url)
                    .values(size=info.size, content_type=info.content_type)
                )
            for site_id, count in counters.items():
                session.execute(
                    update(SiteCrawl)
                    .where(SiteCrawl.id == site_id)
                    .values(
                        pages_fetched=SiteCrawl.pages_fetched + count["pages"],
                        bytes_fetched=SiteCrawl.bytes_fetched + count["bytes"],
                        documents_found=SiteCrawl.documents_found + count["docs"],
                        status="running",
                    )
                )


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.database_url = settings.get("MINHBACH_DATABASE_URL")
        self.run_id = settings.getint("MINHBACH_RUN_ID")
        self.bodies = BodyStore(Path(settings.get("MINHBACH_BODIES_DIR")))
        self.writer: StoreWriter | None = None
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
        self.writer = StoreWriter(self.database_url, self.bodies,
                                  {codes[agency_id]: site_id for site_id, agency_id in rows})
        self.writer.start()

    def process_item(self, item):
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
                session.execute(
                    update(SiteCrawl)
                    .where(SiteCrawl.id == self.writer.site_ids[site.code])
                    .values(status=status, reason=site.reason, stop_reason=site.stop_reason,
                            error_counts=dict(site.errors), robots_blocked=site.robots_blocked,
                            tls_status=site.tls[0] if site.tls else "",
                            tls_detail=site.tls[1][:1000] if site.tls else "", finished_at=finished)
                )
            session.execute(
                update(CrawlRun).where(CrawlRun.id == self.run_id).values(
                    status="completed" if reason == "finished" else "interrupted",
                    finished_at=finished,
                )
            )
