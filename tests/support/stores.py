"""The store a test's environment names (MINHBACH_DATA_DIR, MINHBACH_DATABASE_URL), as a command
would open it."""
from __future__ import annotations

from minhbach.audit import config
from minhbach.audit.store.db import Store


def current_store() -> Store:
    return Store.open(config.load())


def current_sessions():
    return current_store().sessions
