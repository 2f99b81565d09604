"""Which audits say something about the agencies. A night whose crawler could not reach the
network (a collection failure, decided by audit/ops/offline.py) says nothing about them: its
crawl run is marked with the status `offline` and the reason {"kind": "collection_failure", ...},
and its audits are left out of history, changes, the nightly comparison and the monthly report.

The reason is the mark that lasts (retention later sets the status to `pruned`, never the
reason), so every query here reads the reason."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from minhbach.audit.store.models import AuditRun, CrawlRun
from minhbach.audit.words.reasons import is_reason

COLLECTION_FAILURE = "collection_failure"   # the crawl run's reason kind
OFFLINE = "offline"                         # the crawl run's and the night's status


def failed_crawls() -> Select:
    """The ids of the crawl runs marked as collection failures."""
    return select(CrawlRun.id).where(CrawlRun.reason["kind"].as_string() == COLLECTION_FAILURE)


def counted(query: Select) -> Select:
    """`query` over AuditRun without the audits of collection failures."""
    return query.where(AuditRun.crawl_run_id.not_in(failed_crawls()))


def is_collection_failure(reason) -> bool:
    return is_reason(reason) and reason["kind"] == COLLECTION_FAILURE


def failure_of(session: Session, audit: AuditRun) -> dict | None:
    """The collection failure `audit` was made on, or None when it counts."""
    crawl = session.get(CrawlRun, audit.crawl_run_id)
    return crawl.reason if crawl is not None and is_collection_failure(crawl.reason) else None
