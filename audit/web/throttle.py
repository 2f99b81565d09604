"""A limit on login attempts, checked before any password is hashed (each hash costs 64 MiB of
argon2 memory): failures are counted per user name, as the login reads it (trimmed, lower-case),
and per client address, so neither a list of names from one address nor one name from many
addresses gets far. Memory is bounded: at most MAX_KEYS keys are kept, the stalest dropped first,
and at most HASHES_AT_ONCE passwords are hashed at a time.

The counts live in the dashboard process: one `minhbach serve` behind the proxy. Several
processes would each allow the limit."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque

NAME_ATTEMPTS = 5        # failures allowed per user name...
ADDRESS_ATTEMPTS = 20    # ...and per client address...
WINDOW = 300.0           # ...in this many seconds
MAX_KEYS = 10_000
HASHES_AT_ONCE = 2


def login_name(typed: str) -> str:
    """The name an account is looked up by: what the throttle counts, too."""
    return typed.strip().lower()


class LoginThrottle:
    def __init__(self, name_attempts: int = NAME_ATTEMPTS, address_attempts: int = ADDRESS_ATTEMPTS,
                 window: float = WINDOW, max_keys: int = MAX_KEYS):
        self.limits = {"name": name_attempts, "address": address_attempts}
        self.window, self.max_keys = window, max_keys
        self.failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self.lock = threading.Lock()
        self.hashing = threading.BoundedSemaphore(HASHES_AT_ONCE)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        failures = self.failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0] < now - self.window:
            failures.popleft()
        if not failures:
            del self.failures[key]
        return failures

    def blocked(self, name: str, address: str) -> bool:
        now = time.monotonic()
        with self.lock:
            return any(len(self._recent((kind, value), now)) >= self.limits[kind]
                       for kind, value in (("name", name), ("address", address)))

    def failed(self, name: str, address: str) -> None:
        now = time.monotonic()
        with self.lock:
            for key in (("name", name), ("address", address)):
                self.failures.setdefault(key, deque()).append(now)
                self.failures.move_to_end(key)
            while len(self.failures) > self.max_keys:
                self.failures.popitem(last=False)

    def succeeded(self, name: str) -> None:
        """A right password clears the name's count (not the address's: others share it)."""
        with self.lock:
            self.failures.pop(("name", name), None)
