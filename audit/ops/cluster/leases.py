"""Leases on hosts: while a worker crawls a site, it alone may send requests to the site's
hosts, so the crawler's per-host limit (2 requests at a time) and robots.txt's Crawl-delay hold
for the whole cluster, not only for one machine.

A lease is a Redis lock (redis-py's `Lock`: a key set only if absent, with an expiry, released
only by its holder) kept alive by a thread while the crawl runs. A worker that dies stops
renewing and its leases lapse after `seconds`. A worker that cannot renew in time (Redis gone,
the machine cut off) must assume another may now hold the host, and stops its crawl. When Redis
restarts empty, a live holder takes its keys again at the next renewal. On release, a host with
a Crawl-delay stays quiet for that delay, so the next holder's first request keeps the spacing.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable

from redis.exceptions import LockError, LockNotOwnedError, RedisError
from redis.lock import Lock

log = logging.getLogger(__name__)


class LeaseLost(RuntimeError):
    pass


class HostLeases:
    def __init__(self, redis, prefix: str, hosts: list[str], holder: str, seconds: float):
        self.redis, self.prefix, self.seconds = redis, prefix, seconds
        self.hosts = sorted({h.lower() for h in hosts if h})  # one order for everyone: no deadlock
        self.token = f"{holder} {uuid.uuid4().hex[:8]}"
        self.locks = [Lock(redis, self.key(host), timeout=seconds, sleep=0.2, thread_local=False)
                      for host in self.hosts]
        self._stop = threading.Event()
        self._keeper: threading.Thread | None = None

    def key(self, host: str) -> str:
        return f"{self.prefix}lease:{host}"

    def quiet_key(self, host: str) -> str:
        return f"{self.prefix}quiet:{host}"

    def acquire(self, give_up_after: float | None = None) -> None:
        """Wait for every host (in order), then wait out a Crawl-delay the last holder left."""
        deadline = None if give_up_after is None else time.monotonic() + give_up_after
        for host, lock in zip(self.hosts, self.locks):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not lock.acquire(blocking=True, blocking_timeout=left, token=self.token):
                self.release()
                raise LeaseLost(f"host {host} stayed leased by {self.holder_of(host)!r}")
        for host in self.hosts:
            quiet_ms = self.redis.pttl(self.quiet_key(host))
            if quiet_ms and quiet_ms > 0:
                time.sleep(quiet_ms / 1000)

    def holder_of(self, host: str) -> str:
        value = self.redis.get(self.key(host))
        return value.decode() if value else ""

    def keep(self, on_lost: Callable[[str], None]) -> None:
        """Renew every third of the lease; call `on_lost(reason)` once when it cannot be kept."""
        def renew():
            renewed = time.monotonic()
            while not self._stop.wait(self.seconds / 3):
                try:
                    for lock in self.locks:
                        try:
                            lock.reacquire()
                        except LockNotOwnedError:
                            # the key is gone (Redis restarted empty) or someone else's
                            if not lock.acquire(blocking=False, token=self.token):
                                on_lost(f"lease {lock.name} taken by another worker")
                                return
                    renewed = time.monotonic()
                except RedisError as error:
                    if time.monotonic() - renewed >= self.seconds * 0.9:
                        on_lost(f"lease not renewed for {self.seconds:.0f} s ({error})")
                        return
                    log.warning("lease renewal failed (%s); retrying", error)

        self._keeper = threading.Thread(target=renew, name="minhbach-lease-keeper", daemon=True)
        self._keeper.start()

    def release(self, quiet: dict[str, float] | None = None) -> None:
        self._stop.set()
        if self._keeper is not None:
            self._keeper.join(timeout=5)
        for host, lock in zip(self.hosts, self.locks):
            try:
                delay = (quiet or {}).get(host)
                if delay and lock.owned():
                    self.redis.set(self.quiet_key(host), "1", px=int(delay * 1000))
                lock.release()
            except (LockError, RedisError):
                pass  # not ours any more, or Redis is gone: the lease lapses by itself


def leases_held(redis, prefix: str) -> list[tuple[str, str, str, float]]:
    """(host, worker "machine:pid", site, seconds left) of every lease now held."""
    rows = []
    for key in redis.scan_iter(match=f"{prefix}lease:*", count=500):
        host = key.decode().removeprefix(f"{prefix}lease:")
        with redis.pipeline() as pipe:
            holder, ttl = pipe.get(key).pttl(key).execute()
        if holder:
            worker, site, *_ = holder.decode().split() + ["", ""]   # "{machine:pid} {site} {nonce}"
            rows.append((host, worker, site, max(0.0, (ttl or 0) / 1000)))
    return sorted(rows)
