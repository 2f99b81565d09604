"""The agency registry: a CSV file officers can edit, validated whole before anything is stored.

Columns (header names, any order):
  required  code, name, level, province, parent_code, portal_url
  optional  extra_hosts, max_pages, render, obey_robots, notes

- level: tinh | so | huyen | xa | khac
- parent_code: empty, or the code of another agency in the file or already registered
- portal_url: http(s) URL of the home page
- extra_hosts: other hosts of the same site, separated by spaces, commas or semicolons
- max_pages: page cap for this site (default: the crawl setting)
- render: html (default) | js (recorded now; rendering comes later)
- obey_robots: yes (default) | no, only when the site's owner authorised the audit
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.store.models import Agency, AgencyVersion, utcnow
from minhbach.rules.text import nfc

LEVELS = ("tinh", "so", "huyen", "xa", "khac")
REQUIRED = ("code", "name", "level", "province", "parent_code", "portal_url")
OPTIONAL = ("extra_hosts", "max_pages", "render", "obey_robots", "notes")
MAX_FIELD = 2000  # characters in one cell: a name, a URL, a note
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$")
_YES = {"yes": True, "co": True, "có": True, "true": True, "1": True,
        "no": False, "khong": False, "không": False, "false": False, "0": False}


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
        parts.port  # raises on a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url


def parse_registry(path: Path, known_codes: set[str] = frozenset()) -> list[AgencyRow]:
    """Read and validate the whole file; raise RegistryError listing every problem."""
    name = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise RegistryError([f"{name}: file not found"])
    except IsADirectoryError:
        raise RegistryError([f"{name}: is a folder; give the CSV file inside it"])
    except PermissionError:
        raise RegistryError([f"{name}: cannot be read (permission denied)"])
    except UnicodeDecodeError as exc:
        raise RegistryError([f"{name}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8"])
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise RegistryError([f"{name}:{line}: (file): contains a NUL byte; this is not a text CSV file"])

    reader = csv.DictReader(io.StringIO(nfc(text)))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as error:
        raise RegistryError([f"{name}:1: header: {error}"])
    reader.fieldnames = header
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    if repeated:
        raise RegistryError([f"{name}:1: header: column(s) {', '.join(repeated)} appear more than once"])
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RegistryError([f"{name}:1: header: missing column(s) {', '.join(missing)}"])
    unknown = [c for c in header if c and c not in REQUIRED + OPTIONAL]
    if unknown:
        raise RegistryError([f"{name}:1: header: unknown column(s) {', '.join(unknown)}"])

    problems: list[tuple[int, str]] = []  # (line, message), sorted by line at the end
    rows: list[AgencyRow] = []
    first_line: dict[str, int] = {}
    line = 1
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as error:  # e.g. a field over the csv module's 128 KiB limit: stop here
            problems.append((line + 1, f"{name}:{line + 1}: (file): {error}"))
            break
        line_start, line = line + 1, reader.line_num
        values = {k: (v or "").strip() for k, v in record.items() if k}
        if not any(values.values()):
            continue

        def bad(fieldname: str, message: str) -> None:
            problems.append((line_start, f"{name}:{line_start}: {fieldname}: {message}"))

        unreadable = False
        for fieldname, value in values.items():
            if len(value) > MAX_FIELD:
                bad(fieldname, f"{len(value)} characters; at most {MAX_FIELD}")
                unreadable = True
            elif _CONTROL.search(value):
                bad(fieldname, "contains a control character")
                unreadable = True
        if unreadable:  # the file is refused anyway; its other checks would only echo this one
            continue

        code = values.get("code", "")
        if not code:
            bad("code", "empty code")
        elif not _CODE.match(code):
            bad("code", f"'{code}' may use only letters, digits, '.', '_' and '-'")
        elif code in first_line:
            bad("code", f"duplicate code '{code}' (first on line {first_line[code]})")
        else:
            first_line[code] = line_start
        if not values.get("name"):
            bad("name", "empty name")
        level = values.get("level", "").lower()
        if level not in LEVELS:
            bad("level", f"unknown level '{values.get('level', '')}' (use {' | '.join(LEVELS)})")
        if not values.get("province"):
            bad("province", "empty province")
        url = values.get("portal_url", "")
        if not _check_url(url):
            bad("portal_url", f"bad URL '{url}' (needs http:// or https:// and a host)")
        hosts = split_hosts(values.get("extra_hosts", ""))
        for host in hosts:
            if not _HOST.match(host):
                bad("extra_hosts", f"bad host '{host}'")
        max_pages = None
        if values.get("max_pages"):
            try:
                max_pages = int(values["max_pages"])
                if max_pages < 1:
                    raise ValueError
            except ValueError:
                bad("max_pages", f"'{values['max_pages']}' is not a whole number above 0")
        render = (values.get("render") or "html").lower()
        if render not in ("html", "js"):
            bad("render", f"unknown render '{values.get('render')}' (use html | js)")
        obey_raw = (values.get("obey_robots") or "yes").lower()
        if obey_raw not in _YES:
            bad("obey_robots", f"'{values.get('obey_robots')}' is not yes or no")
        rows.append(
            AgencyRow(
                code=code,
                name=values.get("name", ""),
                level=level,
                province=values.get("province", ""),
                parent_code=values.get("parent_code") or None,
                portal_url=url,
                extra_hosts=" ".join(hosts),
                max_pages=max_pages,
                render=render,
                obey_robots=_YES.get(obey_raw, True),
                notes=values.get("notes", ""),
                line=line_start,
            )
        )

    codes = {row.code for row in rows} | set(known_codes)
    for row in rows:
        if row.parent_code and row.parent_code not in codes:
            problems.append((row.line, f"{name}:{row.line}: parent_code: unknown parent "
                             f"'{row.parent_code}' (not in this file nor already registered)"))
        elif row.parent_code and row.parent_code == row.code:
            problems.append((row.line, f"{name}:{row.line}: parent_code: "
                             "an agency cannot be its own parent"))
    if problems:
        raise RegistryError([message for _, message in sorted(problems, key=lambda p: p[0])])
    if not rows:
        raise RegistryError([f"{name}: no agencies in the file"])
    return rows


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def import_registry(session: Session, path: Path, source: str | None = None) -> ImportResult:
    """Validate `path` whole, then add or update agencies in one transaction; `source` is what
    the history records as the origin of the change (default: the file)."""
    known = set(session.scalars(select(Agency.code)))
    rows = parse_registry(path, known)
    existing = {a.code: a for a in session.scalars(select(Agency))}
    result = ImportResult()
    for row in rows:
        data = row.data()
        agency = existing.get(row.code)
        if agency is None:
            agency = Agency(**data, version=1)
            session.add(agency)
            session.flush()
            result.added.append(row.code)
        elif agency_data(agency) == data:
            result.unchanged.append(row.code)
            continue
        else:
            for key, value in data.items():
                setattr(agency, key, value)
            agency.version += 1
            agency.updated_at = utcnow()
            result.updated.append(row.code)
        session.add(
            AgencyVersion(agency_id=agency.id, version=agency.version, data=data,
                          source_file=source or str(path))
        )
    session.commit()
    return result


def agency_data(agency: Agency) -> dict:
    return {key: getattr(agency, key) for key in AgencyRow.__dataclass_fields__ if key != "line"}


# -- lifecycle: agencies stop, start again, or are merged into another ----------------------

class LifecycleError(ValueError):
    pass


def _record(session: Session, agency: Agency, source: str) -> None:
    """A lifecycle change is a new version of the agency, with its state kept in agency_versions."""
    agency.version += 1
    agency.updated_at = utcnow()
    data = {**agency_data(agency), "active": agency.active, "replaced_by": agency.replaced_by,
            "lifecycle_note": agency.lifecycle_note}
    session.add(AgencyVersion(agency_id=agency.id, version=agency.version, data=data, source_file=source))


def _get(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise LifecycleError(f"unknown agency '{code}' (see `minhbach agencies list`)")
    return agency


def set_active(session: Session, code: str, active: bool, note: str = "") -> Agency:
    """Stop crawling an agency (its audits stay), or start again."""
    agency = _get(session, code)
    if agency.active == active and not note:
        return agency
    agency.active = active
    agency.lifecycle_note = note
    if active:
        agency.replaced_by = None
    _record(session, agency, "minhbach agencies " + ("activate" if active else "deactivate"))
    session.commit()
    return agency


def merge(session: Session, into: str, codes: list[str], note: str = "") -> list[Agency]:
    """Record that `into` replaced the agencies `codes` (a merger): they stop being crawled and
    point to it; nothing of their history is removed."""
    target = _get(session, into)
    if not target.active:
        raise LifecycleError(f"'{into}' is not active; activate it before merging others into it")
    merged = []
    for code in codes:
        if code == into:
            raise LifecycleError(f"'{code}' cannot replace itself")
        agency = _get(session, code)
        agency.active, agency.replaced_by = False, into
        agency.lifecycle_note = note or f"sáp nhập vào {target.name}"
        _record(session, agency, f"minhbach agencies merge --into {into}")
        merged.append(agency)
    session.commit()
    return merged
