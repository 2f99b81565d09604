"""The cluster's settings: `[cluster]` in the settings file, MINHBACH_REDIS_URL over it."""
from __future__ import annotations

import os
from dataclasses import dataclass

from minhbach.audit import config

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


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
    def load(cls) -> "ClusterSettings":
        settings = config.load_settings()
        values = {key.split(".", 1)[1]: value for key, value in settings.items() if key.startswith("cluster.")}
        if os.environ.get("MINHBACH_REDIS_URL"):
            values["redis_url"] = os.environ["MINHBACH_REDIS_URL"]
        return cls(**values)

    @property
    def prefix(self) -> str:
        """Our own Redis keys (leases, runs), beside RQ's, one namespace per queue."""
        return f"minhbach:{self.queue}:"

    def connect(self):
        from redis import Redis

        # timeouts: a Redis that is gone must be an error the caller sees, not a hang
        return Redis.from_url(self.redis_url, socket_connect_timeout=5, socket_timeout=30,
                              health_check_interval=10)
