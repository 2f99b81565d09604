"""The agency registry file: read whole and checked whole before anything is stored; every
problem is one line naming the file, the line and the field.

Columns (header names, any order):
  required  code, name, level, province, parent_code, portal_url
  optional  extra_hosts, max_pages, render, obey_robots, notes

- level: tinh | so | huyen | xa | khac (rules/levels.py)
- parent_code: empty, or the code of another agency in the file or already registered
- portal_url: http(s) URL of the home page
- extra_hosts: other hosts of the same site, separated by spaces, commas or semicolons
- max_pages: page cap for this site (default: the crawl setting)
- render: html (default) | js (its pages are drawn by script: rendered in Debian's chromium)
- obey_robots: yes (default) | no, only when the site's owner authorised the audit
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Set
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from minhbach.audit.words.i18n import _
from minhbach.rules.levels import ALL_LEVELS as LEVELS
from minhbach.rules.text import nfc

REQUIRED = ("code", "name", "level", "province", "parent_code", "portal_url")
OPTIONAL = ("extra_hosts", "max_pages", "render", "obey_robots", "notes")
MAX_FIELD = 2000  # characters in one cell: a name, a URL, a note
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$")
_YES = {"yes": True, "co": True, "có": True, "true": True, "1": True,
        "no": False, "khong": False, "không": False, "false": False, "0": False}

Bad = Callable[[str, str], None]   # (field, message): one problem of the row being read


class RegistryError(Exception):
    """A registry file that cannot be imported; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str
    level: str
    province: str
    parent_code: str | None
    portal_url: str
    extra_hosts: str = ""
    max_pages: int | None = None
    render: str = "html"
    obey_robots: bool = True
    notes: str = ""
    line: int = field(default=0, compare=False)

    def data(self) -> dict:
        values = asdict(self)
        values.pop("line")
        return values


def split_hosts(value: str) -> list[str]:
    return [h for h in re.split(r"[\s,;]+", value.strip().lower()) if h]


def _check_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url


def parse_registry(path: Path, known_codes: Set[str] = frozenset()) -> list[AgencyRow]:
    """Read and check the whole file; raise RegistryError listing every problem."""
    name = str(path)
    reader = _reader(name, _text(path, name))
    problems: list[tuple[int, str]] = []   # (line, message), sorted by line at the end
    rows: list[AgencyRow] = []
    first_line: dict[str, int] = {}
    for line, values in _records(name, reader, problems):
        def bad(fieldname: str, message: str, line: int = line) -> None:
            problems.append((line, _("{file}:{line}: {field}: {message}").format(
                file=name, line=line, field=fieldname, message=message)))

        if _unreadable(values, bad):  # the file is refused anyway; its other checks would only echo this
            continue
        code = values.get("code", "")
        if code and _CODE.match(code) and code in first_line:
            bad("code", _("duplicate code '{code}' (first on line {line})").format(code=code, line=first_line[code]))
        elif code:
            first_line.setdefault(code, line)
        rows.append(_row(values, line, bad))
    problems += _parent_problems(name, rows, {row.code for row in rows} | set(known_codes))
    if problems:
        raise RegistryError([message for _, message in sorted(problems, key=lambda p: p[0])])
    if not rows:
        raise RegistryError([_("{name}: no agencies in the file").format(name=name)])
    return rows


def _text(path: Path, name: str) -> str:
    """The file as NFC text, or RegistryError saying why it cannot be read."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise RegistryError([_("{name}: file not found").format(name=name)]) from None
    except IsADirectoryError:
        raise RegistryError([_("{name}: is a folder; give the CSV file inside it").format(name=name)]) from None
    except PermissionError:
        raise RegistryError([_("{name}: cannot be read (permission denied)").format(name=name)]) from None
    except UnicodeDecodeError as exc:
        raise RegistryError([_("{name}: not UTF-8 text (byte {start}); save the CSV as UTF-8").format(
            name=name, start=exc.start)]) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise RegistryError([_("{name}:{line}: (file): contains a NUL byte; this is not a text CSV file").format(
            name=name, line=line)])
    return nfc(text)


def _reader(name: str, text: str) -> csv.DictReader:
    """A reader over the file's rows, its header checked (repeated, missing, unknown columns)."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as error:
        raise RegistryError([_("{name}:1: header: {error}").format(name=name, error=error)]) from None
    reader.fieldnames = header
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    if repeated:
        raise RegistryError([_("{name}:1: header: column(s) {repeated} appear more than once").format(
            name=name, repeated=', '.join(repeated))])
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RegistryError([_("{name}:1: header: missing column(s) {missing}").format(
            name=name, missing=', '.join(missing))])
    unknown = [c for c in header if c and c not in REQUIRED + OPTIONAL]
    if unknown:
        raise RegistryError([_("{name}:1: header: unknown column(s) {unknown}").format(
            name=name, unknown=', '.join(unknown))])
    return reader


def _records(name: str, reader: csv.DictReader, problems: list) -> Iterator[tuple[int, dict[str, str]]]:
    """(line the record starts on, its stripped values) for every record that is not empty."""
    line = 1
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except csv.Error as error:  # e.g. a field over the csv module's 128 KiB limit: stop here
            problems.append((line + 1, _("{name}:{line}: (file): {error}").format(
                name=name, line=line + 1, error=error)))
            return
        start, line = line + 1, reader.line_num
        values = {k: (v or "").strip() for k, v in record.items() if k}
        if any(values.values()):
            yield start, values


def _unreadable(values: dict[str, str], bad: Bad) -> bool:
    """Cells too long or with control characters: said, and the row checked no further."""
    unreadable = False
    for fieldname, value in values.items():
        if len(value) > MAX_FIELD:
            bad(fieldname, _("{n} characters; at most {most}").format(n=len(value), most=MAX_FIELD))
            unreadable = True
        elif _CONTROL.search(value):
            bad(fieldname, _("contains a control character"))
            unreadable = True
    return unreadable


def _row(values: dict[str, str], line: int, bad: Bad) -> AgencyRow:
    """One registry row, every field checked (each problem said through `bad`)."""
    code = values.get("code", "")
    if not code:
        bad("code", _("empty code"))
    elif not _CODE.match(code):
        bad("code", _("'{code}' may use only letters, digits, '.', '_' and '-'").format(code=code))
    if not values.get("name"):
        bad("name", _("empty name"))
    level = values.get("level", "").lower()
    if level not in LEVELS:
        bad("level", _("unknown level '{level}' (use {levels})").format(
            level=values.get('level', ''), levels=' | '.join(LEVELS)))
    if not values.get("province"):
        bad("province", _("empty province"))
    url = values.get("portal_url", "")
    if not _check_url(url):
        bad("portal_url", _("bad URL '{url}' (needs http:// or https:// and a host)").format(url=url))
    hosts = split_hosts(values.get("extra_hosts", ""))
    for host in hosts:
        if not _HOST.match(host):
            bad("extra_hosts", _("bad host '{host}'").format(host=host))
    max_pages = _max_pages(values.get("max_pages", ""), bad)
    render = (values.get("render") or "html").lower()
    if render not in ("html", "js"):
        bad("render", _("unknown render '{render}' (use html | js)").format(render=values.get('render')))
    obey_raw = (values.get("obey_robots") or "yes").lower()
    if obey_raw not in _YES:
        bad("obey_robots", _("'{obey_robots}' is not yes or no").format(obey_robots=values.get('obey_robots')))
    return AgencyRow(code=code, name=values.get("name", ""), level=level, province=values.get("province", ""),
                     parent_code=values.get("parent_code") or None, portal_url=url, extra_hosts=" ".join(hosts),
                     max_pages=max_pages, render=render,
                     obey_robots=_YES.get(obey_raw, True), notes=values.get("notes", ""), line=line)


def _max_pages(raw: str, bad: Bad) -> int | None:
    if not raw:
        return None
    try:
        value = int(raw)
        if value >= 1:
            return value
    except ValueError:
        pass
    bad("max_pages", _("'{max_pages}' is not a whole number above 0").format(max_pages=raw))
    return None


def _parent_problems(name: str, rows: list[AgencyRow], codes: set[str]) -> list[tuple[int, str]]:
    """Parents that are neither in the file nor registered, and agencies that are their own."""
    problems = []
    for row in rows:
        if row.parent_code and row.parent_code not in codes:
            problems.append((row.line, _("{name}:{line}: parent_code: unknown parent "
                                         "'{parent_code}' (not in this file nor already registered)").format(
                name=name, line=row.line, parent_code=row.parent_code)))
        elif row.parent_code and row.parent_code == row.code:
            problems.append((row.line, _("{name}:{line}: parent_code: "
                                         "an agency cannot be its own parent").format(name=name, line=row.line)))
    return problems
