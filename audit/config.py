"""Where minhbach keeps its data, how it finds the database, and the operator's settings.

Settings come from one TOML file (`data/minhbach.example.toml` documents every key), found as
`--config FILE`, else `MINHBACH_CONFIG`, else `minhbach.toml` in the data folder. Environment
variables override it:
- MINHBACH_DATA_DIR: data folder (SQLite file, raw bodies). Default: the user's data folder.
- MINHBACH_DATABASE_URL: any SQLAlchemy URL; PostgreSQL for many workers. Default: SQLite in
  the data folder.
Everything is read when needed (not at import), so tests can set the variables.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from minhbach.audit.words.i18n import N_, _


class ConfigError(ValueError):
    """One line: the file, the key and what is wrong with it."""


# key -> (kind, check, what a good value is). Kinds: str, int, float, bool, list.
def _positive(value) -> bool:
    return value > 0


def _url(value: str) -> bool:
    return value.startswith(("http://", "https://", "mailto:"))


def _address(value) -> bool:
    return isinstance(value, str) and value.count("@") == 1 and " " not in value.strip()


SCHEMA: dict[str, tuple[type, Any, str]] = {
    "data_dir": (str, None, N_("a folder")),
    "database_url": (str, None, N_("an SQLAlchemy URL such as postgresql+psycopg://user@host/minhbach")),
    "default_rubric": (str, None, N_("a rubric id, such as vp-qd26-2017")),
    "contact_url": (str, _url, N_("an http(s):// or mailto: address where site owners reach you")),
    "crawl.page_cap": (int, _positive, N_("a whole number above 0")),
    "crawl.time_budget": (float, _positive, N_("seconds, above 0")),
    "crawl.download_timeout": (float, _positive, N_("seconds, above 0")),
    "crawl.depth": (int, lambda v: v >= 0, N_("a whole number, 0 or more")),
    "crawl.concurrency": (int, _positive, N_("a whole number above 0")),
    "crawl.allow_private": (bool, None, N_("true or false")),
    "crawl.allow_private_hosts": (list, lambda v: all(isinstance(h, str) for h in v), N_("a list of HOST[:PORT]")),
    "crawl.sites_at_once": (int, _positive, N_("a whole number above 0")),
    "crawl.incremental": (bool, None, N_("true or false")),
    "crawl.render_js": (str, lambda v: v in ("auto", "off"), N_("auto or off")),
    "nightly.output_dir": (str, None, N_("a folder")),
    "store.bodies_dir": (str, None, N_("a folder (shared by every worker of a cluster)")),
    "cluster.redis_url": (str, lambda v: v.startswith(("redis://", "rediss://", "unix://")),
                          N_("a Redis URL such as redis://127.0.0.1:6379/0")),
    "cluster.queue": (str, lambda v: bool(v.strip()), N_("a queue name")),
    "cluster.distributed": (bool, None, N_("true or false")),
    "cluster.concurrency": (int, _positive, N_("a whole number above 0")),
    "cluster.lease_seconds": (float, lambda v: v >= 1, N_("seconds, 1 or more")),
    "cluster.attempts": (int, _positive, N_("a whole number above 0")),
    "cluster.redis_outage": (float, _positive, N_("seconds, above 0")),
    "notify.email_to": (list, lambda v: all(_address(a) for a in v), N_("a list of e-mail addresses")),
    "notify.agency_email": (dict, lambda v: all(isinstance(k, str) and isinstance(a, list)
                                                and all(_address(x) for x in a) for k, a in v.items()),
                            N_('a table of agency code = ["address", ...]')),
    "notify.email_from": (str, _address, N_("an e-mail address")),
    "notify.smtp_host": (str, None, N_("a host name or address")),
    "notify.smtp_port": (int, lambda v: 0 < v < 65536, N_("a port number, 1-65535")),
    "notify.smtp_starttls": (bool, None, N_("true or false")),
    "notify.smtp_username": (str, None, N_("a login name")),
    "notify.smtp_password": (str, None, N_("a password (or set MINHBACH_SMTP_PASSWORD)")),
    "notify.webhook_url": (str, lambda v: v == "" or v.startswith(("http://", "https://")), N_("an http(s):// address")),
    "notify.webhook_secret": (str, None, N_("a shared secret (or set MINHBACH_WEBHOOK_SECRET)")),
    "report.issuer": (str, None, N_("the reporting department, e.g. Sở Khoa học và Công nghệ")),
    "retention.nights": (int, lambda v: v >= 1, N_("a whole number, 1 or more")),
    "retention.weekly_months": (int, lambda v: v >= 0, N_("a whole number of months, 0 or more")),
    "retention.monthly": (bool, None, "true or false"),
}



def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "minhbach"


def config_path() -> Path | None:
    explicit = os.environ.get("MINHBACH_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    data = Path(os.environ.get("MINHBACH_DATA_DIR") or _default_data_dir()).expanduser()
    candidate = data / "minhbach.toml"
    return candidate if candidate.is_file() else None


def load_settings(path: Path | None = None) -> dict[str, Any]:
    """The settings file as flat keys ("crawl.page_cap"), checked; {} when there is none."""
    path = path or config_path()
    if path is None:
        return {}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(_("{path}: configuration file not found").format(path=path))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(_("{path}: cannot be read ({error})").format(path=path, error=error))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_("{path}: not valid TOML: {error}").format(path=path, error=error))
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                flat[f"{key}.{inner}"] = inner_value
        else:
            flat[key] = value
    for key, value in flat.items():
        if key not in SCHEMA:
            raise ConfigError(_("{path}: {key}: unknown key (see data/minhbach.example.toml)").format(
                path=path, key=key))
        kind, check, good = SCHEMA[key]
        typed = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            typed = True
        if not typed or (check is not None and not check(value)):
            raise ConfigError(_("{path}: {key}: {good}, not {value!r}").format(
                path=path, key=key, good=good, value=value))
    return flat


def setting(key: str, default: Any = None) -> Any:
    return load_settings().get(key, default)


def data_dir() -> Path:
    explicit = os.environ.get("MINHBACH_DATA_DIR") or setting("data_dir")
    path = Path(explicit).expanduser() if explicit else _default_data_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    return (os.environ.get("MINHBACH_DATABASE_URL") or setting("database_url")
            or f"sqlite:///{data_dir() / 'minhbach.sqlite'}")


def bodies_dir() -> Path:
    """The stored bodies: `data_dir/bodies`, or a folder every worker of a cluster mounts
    (MINHBACH_BODIES_DIR, else `[store] bodies_dir`)."""
    explicit = os.environ.get("MINHBACH_BODIES_DIR") or setting("store.bodies_dir")
    return Path(explicit).expanduser() if explicit else data_dir() / "bodies"
