"""The agency registry in the store: a file imported whole (registry/parse.py checks it first),
each change a new version of the agency kept in its history; agencies stop, start again, or
are merged into another (the 2025 mergers), their history kept."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from minhbach.audit.registry.parse import OPTIONAL, REQUIRED, AgencyRow, RegistryError, parse_registry
from minhbach.audit.store.models import Agency, AgencyVersion, utcnow
from minhbach.audit.words.i18n import _

__all__ = ["OPTIONAL", "REQUIRED", "AgencyRow", "RegistryError", "parse_registry", "import_registry",
           "agency_data", "set_active", "merge", "LifecycleError"]


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
        agency.lifecycle_note = note   # "merged into ..." is said where it is read (replaced_by)
        _record(session, agency, f"minhbach agencies merge --into {into}")
        merged.append(agency)
    session.commit()
    return merged
