"""The store of one command: its engine and sessions, its stored bodies, and a schema at the
newest migration.

A command opens the store once (`Store.open`). Opening reads the schema's revision (one small
query); a new database is created, an older one is upgraded when the settings allow it
(`[store] auto_upgrade`, the default), or refused in one line naming `minhbach db upgrade`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from minhbach.audit.extras import require
from minhbach.audit.store.bodies import BodyStore
from minhbach.audit.words.i18n import _

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class SchemaError(RuntimeError):
    """The database's schema cannot be used as it is (one line for the operator)."""


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the crawler's writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def current_revision(url: str) -> str | None:
    """The schema's revision (None: a database minhbach has not set up)."""
    with engine_for(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    cfg = alembic_config(url)
    with engine_for(url).begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def session_factory(url: str) -> sessionmaker[Session]:
    """Sessions on a store whose schema someone else has checked (the crawl's writer process)."""
    return sessionmaker(engine_for(url), expire_on_commit=False)


def ready(url: str, auto_upgrade: bool = True) -> None:
    """The schema at the newest revision: checked with one query; created or upgraded when behind."""
    revision = current_revision(url)
    if revision == head_revision():
        return
    if revision is not None and not auto_upgrade:
        raise SchemaError(_("the database is at schema {revision}, this minhbach needs {head}: run "
                            "`minhbach db upgrade`").format(revision=revision, head=head_revision()))
    upgrade(url)


def open_store(url: str, auto_upgrade: bool = True) -> sessionmaker[Session]:
    """A session factory on `url`, its schema ready."""
    ready(url, auto_upgrade)
    return session_factory(url)


@dataclass(frozen=True)
class Store:
    """One command's store: where it is, its sessions and its stored bodies."""

    url: str
    sessions: sessionmaker[Session]
    bodies: BodyStore

    @classmethod
    def open(cls, settings, check: bool = True) -> Store:
        settings.ensure_data_dir()
        url = settings.store_url
        if make_url(url).get_backend_name() == "postgresql":
            require("postgres", _("a PostgreSQL database"))
        sessions = open_store(url, settings.store.auto_upgrade) if check else session_factory(url)
        return cls(url, sessions, BodyStore(settings.bodies_dir))

    @property
    def label(self) -> str:
        """The database, without a password."""
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.url).get_backend_name() == "sqlite"
