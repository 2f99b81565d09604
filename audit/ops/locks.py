"""The night's lock: two nightly runs (or a nightly and a `gc`) never overlap.

On SQLite a file lock in the data folder (the kernel drops it when the holder dies, however it
dies); on PostgreSQL an advisory lock held by a connection for the night (the server drops it
when the connection goes). Either way the holder is named: process, machine and since when.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import Connection, text

from minhbach.audit.words.i18n import _

# pg_advisory_lock takes a 64-bit key: this one is "minhbach" read as a number.
ADVISORY_KEY = int.from_bytes(b"minhbach", "big") & 0x7FFF_FFFF_FFFF_FFFF


EXIT_LOCKED = 3  # a command that finds the lock held exits with this code


class LockHeld(RuntimeError):
    """Another run holds the lock; the message says who and since when."""


def _holder() -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "since": datetime.now(UTC).astimezone().isoformat(timespec="seconds")}


def describe(holder: dict | None) -> str:
    if not holder:
        return _("another minhbach nightly or gc holds the lock")
    return _("another minhbach {job} is running (process {pid} on {host}, since {since})").format(
        job=holder.get("job", "nightly"), pid=holder.get("pid"), host=holder.get("host"), since=holder.get("since"))


def _from_application_name(name: str | None) -> dict | None:
    parts = (name or "").split(" ")
    if len(parts) != 4 or parts[0] != "minhbach" or "@" not in parts[2]:
        return None
    pid, host = parts[2].split("@", 1)
    return {"job": parts[1], "pid": pid, "host": host, "since": parts[3].replace("T", " ")}


class NightLock:
    def __init__(self, database_url: str, data_dir: Path, job: str = "nightly"):
        self.database_url, self.data_dir, self.job = database_url, Path(data_dir), job
        self._file: TextIO | None = None
        self._connection: Connection | None = None

    @property
    def path(self) -> Path:
        return self.data_dir / "nightly.lock"

    def acquire(self) -> None:
        holder = {**_holder(), "job": self.job}
        if self.database_url.startswith("postgresql"):
            self._acquire_advisory(holder)
        self._acquire_file(holder)

    def _acquire_file(self, holder: dict) -> None:
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            try:
                held_by = json.loads(handle.read() or "null")
            except ValueError:
                held_by = None
            handle.close()
            self.release()
            raise LockHeld(describe(held_by)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(holder))
        handle.flush()
        self._file = handle

    def _acquire_advisory(self, holder: dict) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        # A connection of its own, really closed at the end (a pooled one would keep the lock).
        connection = create_engine(self.database_url, poolclass=NullPool).connect()
        got = connection.execute(text("select pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
        if not got:
            # The holder named itself in its session's application_name (see below).
            name = connection.execute(text(
                "select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid "
                "where l.locktype = 'advisory' and l.objid = :low and l.granted limit 1"),
                {"low": ADVISORY_KEY & 0xFFFF_FFFF}).scalar()
            connection.close()
            raise LockHeld(describe(_from_application_name(name)))
        # PostgreSQL keeps 63 bytes of it: enough for the short form of the holder.
        short = f"minhbach {holder['job']} {holder['pid']}@{holder['host'][:16]} {holder['since'][:16]}"
        connection.execute(text("select set_config('application_name', :name, false)"), {"name": short})
        connection.commit()  # the lock is the session's, not the transaction's
        self._connection = connection

    def release(self) -> None:
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            try:
                self._connection.execute(text("select pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> NightLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
