"""The words people read, in their language.

Messages are written in English in the code (gettext's convention) and read in Vietnamese from
the catalogue data/locale/vi/LC_MESSAGES/minhbach.po; English is the second catalogue. The
language is MINHBACH_LANG ("vi", the default, or "en"), read at every call so that one process
(a test, the dashboard) follows the setting it runs under. `make catalogues` extracts the
messages with Babel, updates both catalogues and compiles them; tests/test_i18n.py fails when a
message has no Vietnamese or a compiled catalogue is out of date.
"""
from __future__ import annotations

import contextlib
import functools
import gettext
import os
from contextvars import ContextVar
from importlib.resources import files
from pathlib import Path

DOMAIN = "minhbach"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LOCALE_DIR = Path(str(files("minhbach.data") / "locale"))
_forced: ContextVar[str | None] = ContextVar("minhbach_language", default=None)


def language() -> str:
    """MINHBACH_LANG as a catalogue name: "en", "en_US.UTF-8" and "EN" are English; anything
    else, or nothing, is Vietnamese."""
    forced = _forced.get()
    if forced:
        return forced
    wanted = os.environ.get("MINHBACH_LANG", "").strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return wanted if wanted in LANGUAGES else DEFAULT_LANGUAGE


@functools.cache
def catalogue(lang: str) -> gettext.NullTranslations:
    # English falls back to the messages themselves when a text is not in its catalogue
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=lang == "en")


def _(message: str) -> str:
    return catalogue(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue(language()).ngettext(singular, plural, n)


@contextlib.contextmanager
def in_language(lang: str):
    """Words in `lang` inside the block, whatever MINHBACH_LANG says (the monthly report is an
    official Vietnamese document)."""
    token = _forced.set(lang)
    try:
        yield
    finally:
        _forced.reset(token)


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is defined (a table of names); it is translated
    where it is shown, with `_`."""
    return message


def use_for_libraries() -> None:
    """Click writes its own messages ("Usage:", "Missing option") through the standard gettext
    domain: point that domain at ours, in the chosen language, before a command runs."""
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = language()
