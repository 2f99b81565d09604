"""The optional parts of minhbach, and the one line a command says when it needs one that is not
installed. A small deployment (crawl, audit, CSV) needs none of them; `make demo` and
`make test` install them all (`pip install 'minhbach[all]'`)."""
from __future__ import annotations

from importlib.util import find_spec

from minhbach.audit.words.i18n import _

# part -> the modules it brings (as pyproject.toml's [project.optional-dependencies] installs them)
EXTRAS = {
    "web": ("fastapi", "uvicorn", "multipart", "itsdangerous", "argon2", "nh3"),   # the dashboard, accounts
    "reports": ("pandas",),                                                         # workbooks, roll-ups
    "render": ("scrapy_playwright", "playwright"),                                  # portals drawn by script
    "cluster": ("rq", "redis"),                                                     # workers on several machines
    "postgres": ("psycopg",),                                                       # a PostgreSQL store
}


class MissingExtra(RuntimeError):
    """A command needs an optional part that is not installed: one line for the operator."""


def installed(extra: str) -> bool:
    return all(find_spec(module) is not None for module in EXTRAS[extra])


def require(extra: str, what: str) -> None:
    """Stop with one line when `what` (a command, a setting) needs a part that is not installed."""
    if not installed(extra):
        raise MissingExtra(_("{what} needs the '{extra}' part of minhbach: pip install 'minhbach[{extra}]'").format(
            what=what, extra=extra))
