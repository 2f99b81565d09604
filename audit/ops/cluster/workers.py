"""`minhbach worker`: an RQ worker pool, and who is alive in the cluster (`minhbach workers`).

Each worker of the pool takes one site at a time from the queue and crawls it in a forked
process (RQ's work horse), so `--concurrency N` sites are crawled at once by one machine. The
worker class ties RQ's liveness to the lease: its heartbeats run every third of
`lease_seconds` and expire after it, so a lost worker's job is found abandoned (and retried
elsewhere) in about the time its host leases take to lapse. A Redis that restarts or goes away
for a while does not end a worker: it keeps its job, reconnects and registers again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.worker_pool import WorkerPool

from minhbach.audit.ops.cluster.leases import leases_held
from minhbach.audit.ops.cluster.settings import ClusterSettings

log = logging.getLogger(__name__)


class SiteWorker(Worker):
    def __init__(self, *args, **kwargs):
        from minhbach.audit.ops.cluster import jobs

        self.lease_seconds = (jobs.WORKER_SETTINGS.cluster.lease_seconds if jobs.WORKER_SETTINGS
                              else ClusterSettings().lease_seconds)
        kwargs.setdefault("job_monitoring_interval", max(1, int(self.lease_seconds / 3)))
        kwargs.setdefault("worker_ttl", max(2, int(self.lease_seconds)))
        super().__init__(*args, **kwargs)

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        """How long a running job stays 'started' without a heartbeat: the lease, not RQ's
        default of a minute more than the monitoring interval."""
        return max(2, int(self.lease_seconds))

    def heartbeat(self, timeout=None, pipeline=None):
        try:
            if not self.connection.sismember(self.redis_workers_keys, self.key):
                # Redis restarted empty: be listed among the workers again (a heartbeat since
                # may have left a key with nothing but its time in it)
                self.log.warning("worker %s: registering again (Redis lost its state)", self.name)
                self.connection.delete(self.key)
                self.register_birth()
        except RedisError:
            pass  # the heartbeat itself reports it
        super().heartbeat(timeout or self.worker_ttl, pipeline)

    def maintain_heartbeats(self, job, execution):
        try:
            super().maintain_heartbeats(job, execution)
        except RedisError as error:  # the job goes on; its lease keeper decides whether it may
            self.log.warning("worker %s: heartbeat failed (%s); the job goes on", self.name, error)


def run_workers(settings, concurrency: int, burst: bool = False) -> None:
    """Run `concurrency` workers on the cluster's queue until stopped (SIGINT/SIGTERM: each
    finishes its site first), or until the queue is empty with `burst`."""
    from minhbach.audit.ops.cluster import jobs  # loaded once here, not again in every forked job

    jobs.WORKER_SETTINGS = settings  # the forked workers and their jobs inherit them
    cluster = ClusterSettings.from_settings(settings)

    pool = WorkerPool([cluster.queue], connection=cluster.connect(), num_workers=concurrency,
                      worker_class=SiteWorker)
    pool.start(burst=burst, logging_level="INFO")


@dataclass
class LiveWorker:
    name: str
    hostname: str
    pid: int
    state: str
    agency: str
    waiting_for: list[str]   # hosts another worker holds, before its crawl can start
    since: datetime | None
    last_heartbeat: datetime | None


def live_workers(cluster: ClusterSettings) -> tuple[list[LiveWorker], list[tuple[str, str, str, float]]]:
    """The workers whose heartbeat has not expired, with the site each is crawling, and the
    host leases held now."""
    redis = cluster.connect()
    queue = Queue(cluster.queue, connection=redis)
    rows = []
    for worker in Worker.all(queue=queue):
        job = worker.get_current_job()
        agency = ""
        waiting: list[str] = []
        if job is not None:
            job.refresh()  # its meta, as the job process last saved it
            agency = job.meta.get("agency") or (job.args[1] if len(job.args) > 1 else "")
            waiting = job.meta.get("waiting_for") or []
        since = job.started_at if job is not None else None
        rows.append(LiveWorker(worker.name, worker.hostname or "", worker.pid or 0, str(worker.get_state()),
                               agency, waiting, _aware(since), _aware(worker.last_heartbeat)))
    rows.sort(key=lambda w: (w.hostname, w.pid))
    return rows, leases_held(redis, cluster.prefix)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
