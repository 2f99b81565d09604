"""A crawl run through the workers: `minhbach crawl --distributed`, `nightly --distributed`.

The coordinator writes the run's rows, puts one RQ job per site on the queue and waits. The
store is the truth about each site (its status and attempt); Redis only carries the work. Each
round it reads the sites' statuses from the store (a site done is handed to `on_site_done` at
once, e.g. to audit it), lets RQ find jobs whose worker died (RQ retries them), and enqueues
again a site whose job ended without finishing it or that Redis no longer knows (a restart
empties a Redis that keeps nothing on disk; the coordinator first gives live workers a lease's
time to take their hosts back). A site started `attempts` times is given up with its reason,
never failed: it is "unknown" in the audit. A Redis gone longer than `redis_outage` ends the
run as interrupted, with the reason.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import Job, JobStatus
from sqlalchemy import select, update

from minhbach.audit.crawl.runs import close_abandoned_runs, start_run
from minhbach.audit.ops.cluster.jobs import FINISHED, crawl_site
from minhbach.audit.ops.cluster.settings import ClusterSettings, require_shared_database
from minhbach.audit.store.models import Agency, CrawlRun, SiteCrawl, utcnow
from minhbach.audit.words.reasons import reason_text
from minhbach.crawler.settings import CrawlOptions

log = logging.getLogger("minhbach.cluster")

ENDED = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


class ClusterUnavailable(RuntimeError):
    """The run could not go on: Redis was gone too long. The run is marked interrupted; `reason`
    is what the store records, the message what the operator reads."""

    def __init__(self, why: dict):
        super().__init__(reason_text(why))
        self.reason = why


def job_id(queue: str, run_id: int, agency_code: str) -> str:
    """Unique in a Redis that several deployments share (each its queue; run ids repeat)."""
    return f"minhbach-{queue}-crawl-{run_id}-{agency_code}"


class Coordinator:
    def __init__(self, cluster: ClusterSettings, store, options: CrawlOptions, poll_seconds: float = 1.0):
        require_shared_database(store)
        self.cluster, self.options, self.poll = cluster, options, poll_seconds
        self.sessions = store.sessions
        self.redis = cluster.connect()
        self.queue = Queue(cluster.queue, connection=self.redis)

    # -- Redis ------------------------------------------------------------------------------

    def enqueue(self, run_id: int, code: str) -> None:
        timeout = int(self.options.site_time_budget * 4 + 600)  # the budget counts downloads only
        self.queue.enqueue(crawl_site, run_id, code, self.options, job_id=job_id(self.cluster.queue, run_id, code),
                           job_timeout=timeout, result_ttl=7 * 86400, failure_ttl=7 * 86400,
                           retry=Retry(max=self.cluster.attempts - 1),
                           description=f"crawl {code} (run {run_id})")

    def run_key(self, run_id: int) -> str:
        return f"{self.cluster.prefix}run:{run_id}"

    # -- the store --------------------------------------------------------------------------

    def sites(self, run_id: int) -> dict[str, tuple[str, int]]:
        with self.sessions() as session:
            rows = session.execute(select(Agency.code, SiteCrawl.status, SiteCrawl.attempt)
                                   .join(Agency, SiteCrawl.agency_id == Agency.id)
                                   .where(SiteCrawl.run_id == run_id)).all()
        return {code: (status, attempt) for code, status, attempt in rows}

    def give_up(self, run_id: int, code: str, reason: dict) -> None:
        with self.sessions.begin() as session:
            agency_id = session.scalar(select(Agency.id).where(Agency.code == code))
            session.execute(update(SiteCrawl).where(SiteCrawl.run_id == run_id, SiteCrawl.agency_id == agency_id)
                            .values(status="interrupted", reason=reason, finished_at=utcnow()))

    def close(self, run_id: int, status: str, reason: dict | None = None) -> None:
        with self.sessions.begin() as session:
            if status == "interrupted":  # every site not done says why
                session.execute(update(SiteCrawl).where(SiteCrawl.run_id == run_id,
                                                        SiteCrawl.status.notin_(FINISHED))
                                .values(status="interrupted", reason=reason, finished_at=utcnow()))
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id)
                            .values(status=status, reason=reason, finished_at=utcnow()))

    # -- the run ----------------------------------------------------------------------------

    def crawl(self, agency_codes: list[str] | None, on_start: Callable[[int, int], None] | None = None,
              on_site_done: Callable[[str, str], None] | None = None) -> int:
        close_abandoned_runs(self.sessions)
        self.redis.ping()  # no Redis: one line before anything is written
        run_id, targets = start_run(self.sessions, agency_codes, self.options)
        codes = [t.code for t in targets]
        if on_start:
            on_start(run_id, len(codes))
        try:
            self.redis.set(self.run_key(run_id), "1")
            for code in codes:
                self.enqueue(run_id, code)
            log.info("crawl %s: %d sites on queue %r of %s", run_id, len(codes), self.cluster.queue,
                     self.cluster.redis_url)
            self._wait(run_id, codes, on_site_done)
        except KeyboardInterrupt:
            self.close(run_id, "interrupted", {"kind": "stopped_by_operator"})
            self._cancel(run_id, codes)
            raise
        except ClusterUnavailable as gone:
            self.close(run_id, "interrupted", gone.reason)
            raise
        self.close(run_id, "completed")  # (each job recorded its site's disappeared pages)
        try:
            self.redis.delete(self.run_key(run_id))
        except RedisError:
            pass
        return run_id

    def _wait(self, run_id: int, codes: list[str], on_site_done) -> None:
        done: set[str] = set()
        redis_gone_since: float | None = None
        said: float | None = None       # when (into the outage) it was last logged
        reset_at: float | None = None   # when Redis was found emptied (restarted)
        while True:
            states = self.sites(run_id)   # one read of the store a round
            for code, (status, _attempt) in states.items():
                if code not in done and status in FINISHED:
                    done.add(code)
                    if on_site_done:
                        on_site_done(code, status)
            if len(done) == len(codes):
                return
            try:
                if not self.redis.exists(self.run_key(run_id)):
                    log.warning("crawl %s: Redis has lost the run's jobs (restarted?); sites not done are "
                                "enqueued again after %.0f s", run_id, self.cluster.lease_seconds)
                    self.redis.set(self.run_key(run_id), "1")
                    reset_at = time.monotonic()
                if reset_at is None or time.monotonic() - reset_at >= self.cluster.lease_seconds:
                    self._recover(run_id, states, [c for c in codes if c not in done], done, on_site_done)
                redis_gone_since = None
            except RedisError as error:
                if redis_gone_since is None:
                    redis_gone_since, said = time.monotonic(), None
                gone = time.monotonic() - redis_gone_since
                if said is None or gone - said >= 30:  # once, then every half minute
                    log.warning("crawl %s: Redis unreachable for %.0f s (the run is interrupted after %.0f s): %s",
                                run_id, gone, self.cluster.redis_outage, error)
                    said = gone
                if gone >= self.cluster.redis_outage:
                    raise ClusterUnavailable({"kind": "redis_gone", "url": self.cluster.redis_url,
                                              "seconds": round(gone), "error": str(error)}) from error
            time.sleep(self.poll)

    def _recover(self, run_id: int, states: dict[str, tuple[str, int]], pending: list[str], done: set[str],
                 on_site_done) -> None:
        """Let RQ find abandoned jobs (a worker that died: retried while it has retries), then
        enqueue again each site whose job has ended, or vanished, without finishing it."""
        self.queue.started_job_registry.cleanup()
        jobs = Job.fetch_many([job_id(self.cluster.queue, run_id, code) for code in pending], connection=self.redis)
        for code, job in zip(pending, jobs):
            status, attempt = states[code]
            if status in FINISHED:
                continue
            job_status = job.get_status(refresh=False) if job is not None else None
            if job is not None and job_status not in ENDED:
                continue  # queued, scheduled, deferred or running
            if attempt >= self.cluster.attempts:
                error = _last_error(job)
                reason = ({"kind": "attempts_used_because", "attempts": attempt, "error": error} if error
                          else {"kind": "attempts_used", "attempts": attempt})
                log.error("crawl %s: %s: %s", run_id, code, reason_text(reason))
                self.give_up(run_id, code, reason)
                done.add(code)
                if on_site_done:
                    on_site_done(code, "interrupted")
                continue
            log.warning("crawl %s: site %s (attempt %d) %s; enqueued again", run_id, code, attempt,
                        "unknown to Redis" if job is None else f"job {job_status}")
            self.enqueue(run_id, code)

    def _cancel(self, run_id: int, codes: list[str]) -> None:
        try:
            ids = [job_id(self.cluster.queue, run_id, code) for code in codes]
            for job in Job.fetch_many(ids, connection=self.redis):
                if job is not None and job.get_status(refresh=False) == JobStatus.QUEUED:
                    job.cancel()
        except RedisError:
            pass


def _last_error(job: Job | None) -> str:
    if job is None:
        return ""
    try:
        result = job.latest_result()
        text = (result.exc_string or "") if result else ""
    except Exception:  # noqa: BLE001 - a reason is a courtesy; never fail the night for it
        text = ""
    last = text.strip().splitlines()[-1] if text.strip() else ""
    return last[:300]
