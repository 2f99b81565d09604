"""The cluster's settings (`[cluster]`, MINHBACH_REDIS_URL over it) and the checks a command
makes before it sends work to the workers."""
from __future__ import annotations

from dataclasses import dataclass

from minhbach.audit.config import Settings
from minhbach.audit.extras import require
from minhbach.audit.words.i18n import _

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class ClusterError(RuntimeError):
    """The cluster cannot take the work: one line for the operator."""


@dataclass(frozen=True)
class ClusterSettings:
    redis_url: str = DEFAULT_REDIS_URL
    queue: str = "minhbach"
    distributed: bool = False     # nightly crawls through the workers without --distributed
    concurrency: int = 4          # sites one `minhbach worker` crawls at a time
    lease_seconds: float = 60.0   # a lost worker's hosts and job are free again after this
    attempts: int = 3             # times a site is started before the night gives up on it
    redis_outage: float = 300.0   # seconds without Redis before a night is marked interrupted

    @classmethod
    def from_settings(cls, settings: Settings) -> ClusterSettings:
        return cls(**settings.cluster.model_dump())

    @property
    def prefix(self) -> str:
        """Our own Redis keys (leases, runs), beside RQ's, one namespace per queue."""
        return f"minhbach:{self.queue}:"

    def connect(self):
        from redis import Redis

        # timeouts: a Redis that is gone must be an error the caller sees, not a hang
        return Redis.from_url(self.redis_url, socket_connect_timeout=5, socket_timeout=30,
                              health_check_interval=10)

    def reachable(self):
        """A connection to Redis that answered, or ClusterError saying why not."""
        try:
            redis = self.connect()
            redis.ping()
        except Exception as error:  # noqa: BLE001 - any failure to reach Redis is one line
            raise ClusterError(_("cannot reach Redis at {url} (the workers' queue): {error}").format(
                url=self.redis_url, error=error)) from None
        return redis


def require_shared_database(store) -> None:
    """Workers on several machines write into one database: not an SQLite file."""
    if store.is_sqlite:
        raise ClusterError(_("workers on several machines share one database: set database_url to PostgreSQL "
                             "(an SQLite file cannot be shared)"))


def cluster_for(settings: Settings, store, distributed: bool | None) -> tuple[ClusterSettings | None, str]:
    """(the cluster, when the crawl goes through the workers: the flag, else `[cluster]
    distributed`; a note for the operator, or ""). Redis must answer and the store be shared."""
    cluster = ClusterSettings.from_settings(settings)
    if not (cluster.distributed if distributed is None else distributed):
        return None, ""
    require("cluster", "--distributed")
    require_shared_database(store)
    redis = cluster.reachable()
    from rq import Queue, Worker

    if Worker.all(queue=Queue(cluster.queue, connection=redis)):  # (drops workers whose heartbeat expired)
        return cluster, ""
    return cluster, _("note: no worker is listening on queue {queue} yet; the sites wait on it until `minhbach "
                      "worker` starts on a machine that reaches {url}").format(queue=cluster.queue,
                                                                               url=cluster.redis_url)
