"""The store writer: a separate process that writes what the crawl collects, in batches.

Pages, their links and the site's counters are committed in one transaction per batch, so a
crash loses at most the batch in flight, never half of one. Bodies are compressed and written
to the body store first, so a page row never points at a body that is not on disk.

It runs in its own process, not a thread: the crawl and the writer then each have a core, and
the crawl no longer waits for the writer's turn at Python's lock (on a 2-core machine the
thread cost the crawl about a third of its speed). If the crawl process dies, the writer
finishes the batch it holds and exits.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import signal
import time
import traceback
from collections import defaultdict
from pathlib import Path
from typing import cast

from sqlalchemy import Table, insert, select, update

from minhbach.audit.crawl.attachments import extract_text
from minhbach.audit.store.bodies import BodyStore
from minhbach.audit.store.db import session_factory
from minhbach.audit.store.models import Document, Link, Page, SiteCrawl, UnreadPage, utcnow
from minhbach.crawler.items import DocumentInfo, PageItem, UnreadItem

_STOP = "stop"
# spawn, not fork: the crawl process runs a Twisted reactor and threads a fork must not copy.
_CONTEXT = multiprocessing.get_context("spawn")


class StoreWriter:
    """Writes batches of crawl items (PageItem, DocumentInfo, UnreadItem) to the store.

    `attempts` (site id -> attempt number) fences a worker's writes on a distributed night: a
    batch for a site that another worker has since started again is dropped, never stored."""

    def __init__(self, database_url: str, bodies_dir: Path, site_ids: dict[str, int],
                 attempts: dict[int, int] | None = None):
        self.sessions = session_factory(database_url)
        self.bodies = BodyStore(Path(bodies_dir))
        self.site_ids = site_ids
        self.attempts = attempts
        self.superseded: set[int] = set()

    def _still_ours(self, session, batch: list) -> list:
        """The items of sites whose attempt is still ours; the rows stay locked until commit, so
        a worker starting the site again waits for this batch and then removes it."""
        attempts = self.attempts
        assert attempts is not None  # write() asks only when the writes are fenced
        current = dict(session.execute(select(SiteCrawl.id, SiteCrawl.attempt)
                                       .where(SiteCrawl.id.in_(list(attempts))).with_for_update()).all())
        self.superseded |= {site for site, attempt in attempts.items() if current.get(site) != attempt}
        return [item for item in batch if self.site_ids[item.agency_code] not in self.superseded]

    def write(self, batch: list) -> None:
        counters: dict[int, dict[str, int]] = defaultdict(lambda: {"pages": 0, "bytes": 0, "docs": 0,
                                                                   "unchanged": 0})
        with self.sessions.begin() as session:
            if self.attempts:
                batch = self._still_ours(session, batch)
            pages = [i for i in batch if isinstance(i, PageItem)]
            infos = [i for i in batch if isinstance(i, DocumentInfo)]
            unread = [i for i in batch if isinstance(i, UnreadItem)]
            # Bodies first: a page row never points at a body that is not on disk. A page the
            # server said had not changed (304) points at the copy already stored.
            digests = [p.carried_sha256 or self.bodies.put(p.body) for p in pages]
            if pages:
                rows = [
                    {
                        "site_crawl_id": self.site_ids[p.agency_code],
                        "requested_url": p.requested_url,
                        "final_url": p.final_url,
                        "http_status": p.http_status,
                        "content_type": p.content_type[:200],
                        "size": p.size if p.size is not None else len(p.body),
                        "sha256": sha,
                        "etag": p.etag,
                        "last_modified": p.last_modified,
                        "carried": p.carried_sha256 is not None,
                        "title": p.title,
                        "encoding": p.encoding,
                        "legacy_encoding": p.legacy_encoding,
                        "depth": p.depth,
                        "rendered": p.rendered,
                        "fetched_at": utcnow(),
                    }
                    for p, sha in zip(pages, digests)
                ]
                ids = session.scalars(
                    insert(Page).returning(Page.id, sort_by_parameter_order=True), rows
                ).all()
                links: list[dict] = []
                documents: list[dict] = []
                for page, page_id in zip(pages, ids):
                    site_id = self.site_ids[page.agency_code]
                    if page.carried_sha256:
                        counters[site_id]["unchanged"] += 1
                    else:
                        counters[site_id]["pages"] += 1
                        counters[site_id]["bytes"] += len(page.body)
                    links.extend(
                        {"page_id": page_id, "target_url": url, "anchor_text": text[:2000],
                         "is_document": is_doc}
                        for url, text, is_doc in page.links
                    )
                    for url, text, doc_type in page.documents:  # the spider sends each once per site
                        counters[site_id]["docs"] += 1
                        documents.append({"site_crawl_id": site_id, "page_id": page_id, "url": url,
                                          "anchor_text": text[:2000], "doc_type": doc_type})
                if links:
                    session.execute(insert(cast(Table, Link.__table__)), links)  # plain Core insert: no ORM bookkeeping
                if documents:
                    session.execute(insert(cast(Table, Document.__table__)), documents)
            if unread:
                session.execute(insert(cast(Table, UnreadPage.__table__)), [
                    {"site_crawl_id": self.site_ids[u.agency_code], "url": u.url, "kind": u.kind[:32],
                     "reason": u.reason, "anchor_text": u.anchor_text[:2000]} for u in unread])
            for info in infos:
                values = {"size": info.size, "content_type": info.content_type}
                if info.body:  # a document read from a disclosure section: stored, its text extracted
                    text, status = extract_text(info.body, info.doc_type)
                    values.update(sha256=self.bodies.put(info.body), text=text, text_status=status)
                elif info.carried_sha256:  # read by an earlier crawl: what was extracted then
                    earlier = session.execute(select(Document.size, Document.content_type, Document.text,
                                                     Document.text_status)
                                              .where(Document.sha256 == info.carried_sha256).limit(1)).first()
                    if earlier is None:
                        continue
                    values = {"sha256": info.carried_sha256, "size": earlier.size, "content_type": earlier.content_type,
                              "text": earlier.text, "text_status": earlier.text_status}
                session.execute(
                    update(Document)
                    .where(Document.site_crawl_id == self.site_ids[info.agency_code],
                           Document.url == info.url)
                    .values(**values)
                )
            for site_id, count in counters.items():
                session.execute(
                    update(SiteCrawl)
                    .where(SiteCrawl.id == site_id)
                    .values(
                        pages_fetched=SiteCrawl.pages_fetched + count["pages"],
                        bytes_fetched=SiteCrawl.bytes_fetched + count["bytes"],
                        documents_found=SiteCrawl.documents_found + count["docs"],
                        pages_unchanged=SiteCrawl.pages_unchanged + count["unchanged"],
                        status="running",
                    )
                )


def _serve(items, errors, database_url: str, bodies_dir: str, site_ids: dict[str, int],
           attempts: dict[int, int] | None, parent: int, batch_size: int, interval: float) -> None:
    """The writer process: batches of up to `batch_size` items, or whatever came in `interval`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle; it then says stop
    writer = StoreWriter(database_url, Path(bodies_dir), site_ids, attempts)
    batch: list = []
    deadline = time.monotonic() + interval
    stopping = False
    while not stopping:
        try:
            item = items.get(timeout=max(0.0, deadline - time.monotonic()))
            if item == _STOP:
                stopping = True
            else:
                batch.append(item)
        except queue.Empty:
            stopping = os.getppid() != parent  # the crawl process is gone: write what we hold, stop
        if batch and (stopping or len(batch) >= batch_size or time.monotonic() >= deadline):
            try:
                writer.write(batch)
            except BaseException as exc:
                errors.put(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
                raise SystemExit(1) from None
            batch = []
        if time.monotonic() >= deadline:
            deadline = time.monotonic() + interval


class WriterProcess:
    """The crawl's side: hands items to the writer process and reports its failure, if any."""

    def __init__(self, database_url: str, bodies_dir: Path, site_ids: dict[str, int],
                 attempts: dict[int, int] | None = None, batch_size: int = 200, interval: float = 0.5):
        self.items = _CONTEXT.Queue(maxsize=4 * batch_size)
        self.errors = _CONTEXT.Queue()
        self.process = _CONTEXT.Process(
            target=_serve, name="minhbach-store-writer", daemon=True,
            args=(self.items, self.errors, database_url, str(bodies_dir), site_ids, attempts, os.getpid(),
                  batch_size, interval))

    def start(self) -> None:
        self.process.start()

    def _failure(self) -> RuntimeError:
        try:
            detail = self.errors.get(timeout=1)
        except queue.Empty:
            detail = f"exit code {self.process.exitcode}"
        return RuntimeError(f"the store writer failed: {detail}")

    def put(self, item) -> None:
        while True:
            if not self.process.is_alive():
                raise self._failure()
            try:
                self.items.put(item, timeout=1)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        if self.process.is_alive():
            self.items.put(_STOP)
            self.process.join()
        if self.process.exitcode != 0:
            raise self._failure()
        # Let go of the queues' semaphores now: a process that ends with os._exit (a job in an
        # RQ worker) would otherwise leave them to the resource tracker, which warns of a leak.
        for channel in (self.items, self.errors):
            channel.close()
            channel.join_thread()
        del self.items, self.errors
        gc.collect()
