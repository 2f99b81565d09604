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
from collections.abc import Set
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.store.models import Agency, AgencyVersion, utcnow
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
    """Read and validate the whole file; raise RegistryError listing every problem."""
    name = str(path)
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

    reader = csv.DictReader(io.StringIO(nfc(text)))
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
            problems.append((line + 1, _("{name}:{line}: (file): {error}").format(
                name=name, line=line + 1, error=error)))
            break
        line_start, line = line + 1, reader.line_num
        values = {k: (v or "").strip() for k, v in record.items() if k}
        if not any(values.values()):
            continue

        def bad(fieldname: str, message: str, line_start: int = line_start) -> None:
            problems.append((line_start, _("{file}:{line}: {field}: {message}").format(
                file=name, line=line_start, field=fieldname, message=message)))

        unreadable = False
        for fieldname, value in values.items():
            if len(value) > MAX_FIELD:
                bad(fieldname, _("{n} characters; at most {most}").format(n=len(value), most=MAX_FIELD))
                unreadable = True
            elif _CONTROL.search(value):
                bad(fieldname, _("contains a control character"))
                unreadable = True
        if unreadable:  # the file is refused anyway; its other checks would only echo this one
            continue

        code = values.get("code", "")
        if not code:
            bad("code", _("empty code"))
        elif not _CODE.match(code):
            bad("code", _("'{code}' may use only letters, digits, '.', '_' and '-'").format(code=code))
        elif code in first_line:
            bad("code", _("duplicate code '{code}' (first on line {line})").format(code=code, line=first_line[code]))
        else:
            first_line[code] = line_start
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
        max_pages = None
        if values.get("max_pages"):
            try:
                max_pages = int(values["max_pages"])
                if max_pages < 1:
                    raise ValueError
            except ValueError:
                bad("max_pages", _("'{max_pages}' is not a whole number above 0").format(
                    max_pages=values['max_pages']))
        render = (values.get("render") or "html").lower()
        if render not in ("html", "js"):
            bad("render", _("unknown render '{render}' (use html | js)").format(
                render=values.get('render')))
        obey_raw = (values.get("obey_robots") or "yes").lower()
        if obey_raw not in _YES:
            bad("obey_robots", _("'{obey_robots}' is not yes or no").format(
                obey_robots=values.get('obey_robots')))
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
            problems.append((row.line, _("{name}:{line}: parent_code: unknown parent "
                                         "'{parent_code}' (not in this file nor already registered)").format(
                name=name, line=row.line, parent_code=row.parent_code)))
        elif row.parent_code and row.parent_code == row.code:
            problems.append((row.line, _("{name}:{line}: parent_code: "
                                         "an agency cannot be its own parent").format(name=name, line=row.line)))
    if problems:
        raise RegistryError([message for _, message in sorted(problems, key=lambda p: p[0])])
    if not rows:
        raise RegistryError([_("{name}: no agencies in the file").format(name=name)])
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
        raise LifecycleError(_("unknown agency '{code}' (see `minhbach agencies list`)").format(code=code))
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
        raise LifecycleError(_("'{into}' is not active; activate it before merging others into it").format(
            into=into))
    merged = []
    for code in codes:
        if code == into:
            raise LifecycleError(_("'{code}' cannot replace itself").format(code=code))
        agency = _get(session, code)
        agency.active, agency.replaced_by = False, into
        agency.lifecycle_note = note or _("merged into {name}").format(name=target.name)
        _record(session, agency, f"minhbach agencies merge --into {into}")
        merged.append(agency)
    session.commit()
    return merged
