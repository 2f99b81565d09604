"""One unattended night: crawl every active agency (incrementally), audit with the rubric in
force, write the night's folder, compare with the previous audit, notify, apply retention.

The caller holds the night lock (see locks.py) and handles the terminal; this module only does
the work, logging each step to the night's log file. A night killed at any moment leaves its
row 'running'; the next night, holding the lock, marks it interrupted and does a whole night.

A night whose crawler could not reach the network (ops/offline.py) is marked `offline`: its crawl
run carries the reason (judge/collection.py), its audit is kept but never compared, the operators
get one alarm, the agencies nothing, and the command exits 4.
"""
from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from minhbach.audit.config import Settings
from minhbach.audit.crawl.runs import crawl_agencies
from minhbach.audit.files import write_atomically
from minhbach.audit.judge.changes import baseline, compare, diff_records
from minhbach.audit.judge.collection import OFFLINE
from minhbach.audit.ops.locks import EXIT_LOCKED  # noqa: F401 - exit 3: another run holds the lock
from minhbach.audit.ops.notify import NightChanges, alert_operators, notify
from minhbach.audit.ops.offline import collection_failure
from minhbach.audit.ops.retention import Collection, Policy, collect
from minhbach.audit.reports.exports import write_audit_file, write_changes
from minhbach.audit.store.db import Store
from minhbach.audit.store.models import AuditRun, CrawlRun, NightlyRun, Score, SiteCrawl, utcnow
from minhbach.audit.words.i18n import _
from minhbach.audit.words.reasons import reason_text
from minhbach.crawler.settings import CrawlOptions

log = logging.getLogger("minhbach.nightly")

# Exit codes, as the README documents them.
EXIT_OK = 0            # the night completed (sites that could not be reached are a normal night)
EXIT_FAILED = 1        # the night failed: see its log file
EXIT_USAGE = 2         # a bad option, settings file or database: one line says which
EXIT_OFFLINE = 4       # nothing collected: the crawler could not reach the network (the operators' alarm)
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C or SIGTERM: the run is marked interrupted

class NightInterrupted(RuntimeError):
    pass


@dataclass
class NightResult:
    nightly_id: int
    night: date
    folder: Path
    crawl_run_id: int | None = None
    audit_id: int | None = None
    changes: NightChanges | None = None
    sent: list[str] = field(default_factory=list)
    collection: Collection | None = None
    sites: dict[str, int] = field(default_factory=dict)      # crawl status -> sites
    pages: dict[str, int] = field(default_factory=dict)      # fetched, unchanged, bytes
    grades: dict[str, int] = field(default_factory=dict)
    rubric_id: str = ""
    rubric_warning: str = ""   # set when the rubric judged a night outside its dates
    interrupted_reason: dict | None = None  # why the night stopped, as a code (words/reasons.py)
    csv_dialect: str = "comma"  # [report] csv_dialect: how the folder's CSV files are written
    collection_failure: dict | None = None  # set when the crawler could not reach the network (ops/offline.py)
    monthly_frozen: dict | None = None  # the month before, frozen by this night

    def summary(self) -> dict:
        changes = self.changes
        return {
            "night": self.night.isoformat(), "crawl_run": self.crawl_run_id, "audit": self.audit_id,
            "rubric": self.rubric_id, "outside_rubric_dates": bool(self.rubric_warning),
            "interrupted_reason": self.interrupted_reason, "collection_failure": self.collection_failure,
            "notes": changes.notes if changes else [], "monthly_frozen": self.monthly_frozen,
            "previous_audit": changes.previous_audit_id if changes else None,
            "sites": self.sites, "pages": self.pages, "grades": self.grades,
            "regressions": len(changes.regressions) if changes else 0,
            "improvements": len(changes.improvements) if changes else 0,
            "unreachable_new": [s.agency_code for s in changes.lost] if changes else [],
            "recovered": [s.agency_code for s in changes.recovered] if changes else [],
            "notifications": self.sent,
            "retention": {"runs_pruned": self.collection.runs_pruned, "pages_removed": self.collection.pages,
                          "bodies_removed": len(self.collection.bodies), "bytes_removed": self.collection.bytes}
            if self.collection else None,
            "folder": str(self.folder),
        }


def log_path(settings: Settings, night: date) -> Path:
    return settings.logs_dir / f"nightly-{night.isoformat()}.log"


def close_abandoned_nights(sessions) -> list[int]:
    """Nights left 'running' by a process that died (the caller holds the lock, so none is alive)."""
    with sessions.begin() as session:
        abandoned = list(session.scalars(select(NightlyRun).where(NightlyRun.status == "running")))
        for night in abandoned:
            night.status, night.finished_at = "interrupted", utcnow()
            log.warning("night %s (run %s, process %s on %s) had stopped before finishing; marked interrupted",
                        night.night, night.id, night.pid, night.hostname)
    return [n.id for n in abandoned]


def run_night(night: date, options: CrawlOptions, rubric_id: str, settings: Settings, store: Store,
              cluster=None) -> NightResult:
    """The night; with `cluster` (a ClusterSettings) the crawl goes through the workers and each
    site is audited as soon as its crawl ends."""
    from minhbach.audit.judge.auditor import run_audit
    from minhbach.audit.judge.rubric import audit_warning, load_rubric

    rubric = load_rubric(rubric_id)  # a bad rubric stops the night before any crawling
    sessions = store.sessions
    close_abandoned_nights(sessions)
    folder = settings.nightly_dir / night.isoformat()
    with sessions.begin() as session:
        row = NightlyRun(night=night, pid=os.getpid(), hostname=socket.gethostname(), output_dir=str(folder))
        session.add(row)
        session.flush()
        result = NightResult(row.id, night, folder, csv_dialect=settings.report.csv_dialect)
    log.info("night %s: run %s started (rubric %s, output %s)", night, result.nightly_id, rubric.id, folder)
    try:
        if cluster is not None:
            _crawl_and_audit_on_workers(result, store, options, cluster, rubric)
        else:
            _crawl(result, store, options)
        _check_collection(result, store, settings)
        with sessions() as session:
            if result.audit_id is None:
                result.audit_id = run_audit(session, store.bodies, rubric, night,
                                            result.crawl_run_id)
            log.info("audit %s of crawl %s done", result.audit_id, result.crawl_run_id)
            audit = session.get(AuditRun, result.audit_id)
            assert audit is not None  # written just now, above or by the workers' builder
            result.rubric_id, result.rubric_warning = audit.rubric_id, audit_warning(audit)
            if result.rubric_warning:
                log.warning("%s", result.rubric_warning)
            result.grades = _grades(session, audit)
            if result.collection_failure:
                result.changes = NightChanges(night, audit.id, None)   # compared with nothing
            else:
                _compare(result, session, audit)
            _write_folder(result, session, audit)
        assert result.changes is not None  # set just above
        if result.collection_failure:
            result.sent = alert_operators(night, result.audit_id, result.collection_failure, settings.notify,
                                          settings.web.base_url)
            _finish(sessions, result, OFFLINE, EXIT_OFFLINE)   # nothing is dropped on a night that saw nothing
            return result
        result.sent = notify(result.changes, settings.notify, settings.web.base_url)
        _freeze_last_month(result, store, settings)
        with sessions() as session:
            result.collection = collect(session, store.bodies, Policy.from_settings(settings), night)
        log.info("retention: pages of %d crawl(s) removed (%d pages), %d stored copies (%d bytes)",
                 len(result.collection.runs_pruned), result.collection.pages, len(result.collection.bodies),
                 result.collection.bytes)
    except (NightInterrupted, KeyboardInterrupt):
        _finish(sessions, result, "interrupted", EXIT_INTERRUPTED)
        message = _("night {night} interrupted").format(night=night)
        raise NightInterrupted(f"{message}: {reason_text(result.interrupted_reason)}" if result.interrupted_reason
                               else message) from None
    except BaseException:
        log.exception("night %s failed", night)
        _finish(sessions, result, "failed", EXIT_FAILED)
        raise
    _finish(sessions, result, "completed", EXIT_OK)
    return result


def _started(result: NightResult, sessions):
    def started(run_id, n_sites):
        result.crawl_run_id = run_id
        with sessions.begin() as session:
            session.get(NightlyRun, result.nightly_id).crawl_run_id = run_id
        log.info("crawl %s of %d active agencies started", run_id, n_sites)
    return started


def _freeze_last_month(result: NightResult, store: Store, settings: Settings) -> None:
    """The first counted night dated in a month freezes the month before (reports/monthly/lifecycle.py):
    the month as of the night's own date, so a night run late or again is dated as it was."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from minhbach.audit.reports.monthly.lifecycle import freeze_closed_month

    noon = datetime.combine(result.night, time(12), ZoneInfo(settings.timezone))
    with store.sessions() as session:
        try:
            report = freeze_closed_month(session, settings, noon)
        except Exception:  # noqa: BLE001 - the night's audit stands; the log says why the month was not frozen
            log.exception("the monthly report of the month before %s could not be frozen", result.night)
            return
        if report is not None:
            result.monthly_frozen = {"month": report.month, "version": report.version, "id": report.id}
            log.info("monthly report of %s frozen (version %s)", report.month, report.version)


def _check_collection(result: NightResult, store: Store, settings: Settings) -> None:
    """Mark the crawl run a collection failure when the night reached nothing (ops/offline.py)."""
    assert result.crawl_run_id is not None  # the crawl has run
    with store.sessions.begin() as session:
        failure = collection_failure(session, result.crawl_run_id, settings.nightly.offline_share,
                                     list(settings.nightly.probe_urls))
        if failure is None:
            return
        run = session.get(CrawlRun, result.crawl_run_id)
        assert run is not None  # the night's own crawl, just finished
        run.status, run.reason = OFFLINE, failure
    result.collection_failure = failure
    log.error("crawl %s is a collection failure: %s", result.crawl_run_id, reason_text(failure))


def _crawl(result: NightResult, store: Store, options: CrawlOptions) -> None:
    def site_done(site):
        log.info("site %s: %s%s", site.code, site.status, f" ({reason_text(site.reason)})" if site.reason else "")

    crawl_agencies(None, options, store, on_site_done=site_done, on_start=_started(result, store.sessions))
    _count_crawl(result, store.sessions)


def _crawl_and_audit_on_workers(result: NightResult, store: Store, options: CrawlOptions, cluster, rubric) -> None:
    """The crawl through the workers (audit/ops/cluster/); each site is judged as soon as its crawl
    ends, in one transaction committed when the last one is: the audit appears whole or not at all."""
    from minhbach.audit.judge.auditor import AuditBuilder
    from minhbach.audit.ops.cluster.coordinator import ClusterUnavailable, Coordinator

    sessions = store.sessions
    audit_session = sessions()
    builder: list[AuditBuilder] = []
    started = _started(result, sessions)

    def on_start(run_id, n_sites):
        started(run_id, n_sites)
        run = audit_session.get(CrawlRun, run_id)
        assert run is not None  # the coordinator has just created it
        builder.append(AuditBuilder(audit_session, store.bodies, rubric, result.night, run))

    def site_done(code, status):
        log.info("site %s: %s; audited", code, status)
        builder[0].add_agency(code)

    try:
        Coordinator(cluster, store, options).crawl(None, on_start=on_start, on_site_done=site_done)
        audit_session.commit()
        result.audit_id = builder[0].audit_run.id
    except ClusterUnavailable as gone:
        audit_session.rollback()
        result.interrupted_reason = gone.reason
        log.error("crawl %s interrupted: %s", result.crawl_run_id, gone)
        raise NightInterrupted(_("crawl {crawl_run_id} was interrupted: {reason}").format(
            crawl_run_id=result.crawl_run_id, reason=gone)) from None
    except BaseException:
        audit_session.rollback()
        raise
    finally:
        audit_session.close()
    _count_crawl(result, sessions)


def _count_crawl(result: NightResult, sessions) -> None:
    with sessions() as session:
        run = session.get(CrawlRun, result.crawl_run_id)
        counts = session.execute(select(SiteCrawl.status, func.count()).where(SiteCrawl.run_id == run.id)
                                 .group_by(SiteCrawl.status)).all()
        totals = session.execute(select(func.sum(SiteCrawl.pages_fetched), func.sum(SiteCrawl.pages_unchanged),
                                        func.sum(SiteCrawl.bytes_fetched), func.sum(SiteCrawl.pages_disappeared))
                                 .where(SiteCrawl.run_id == run.id)).one()
        status = run.status
    result.sites = {s: n for s, n in counts}
    # int(): PostgreSQL sums integers as numeric (Decimal), which JSON cannot hold
    result.pages = {"fetched": int(totals[0] or 0), "unchanged": int(totals[1] or 0), "bytes": int(totals[2] or 0),
                    "disappeared": int(totals[3] or 0)}
    log.info("crawl %s %s: sites %s, pages %s", result.crawl_run_id, status, result.sites, result.pages)
    if status == "interrupted":
        raise NightInterrupted(_("crawl {crawl_run_id} was interrupted").format(
            crawl_run_id=result.crawl_run_id))


UNKNOWN, NOT_GRADED = "unknown", "not_graded"   # the summary's keys beside the rubric's band names


def _grades(session, audit: AuditRun) -> dict[str, int]:
    grades = session.execute(select(Score.grade, Score.total).where(Score.audit_run_id == audit.id)).all()
    counts: dict[str, int] = {}
    for grade, total in grades:
        key = UNKNOWN if total is None else grade or NOT_GRADED
        counts[key] = counts.get(key, 0) + 1
    return counts


def _compare(result: NightResult, session, audit: AuditRun) -> None:
    before = baseline(session, audit)
    if before is None:
        result.changes = NightChanges(result.night, audit.id, None)
        log.info("no earlier audit: nothing to compare")
        return
    comparison = compare(session, before, audit)
    result.changes = NightChanges(result.night, audit.id, before.id, comparison.rows, comparison.sites,
                                  comparison.notes)
    for note in comparison.notes:
        log.warning("compared with audit %s: %s", before.id, reason_text(note))
    log.info("compared with audit %s: %d regressions, %d improvements, %d sites lost, %d recovered",
             before.id, len(result.changes.regressions), len(result.changes.improvements),
             len(result.changes.lost), len(result.changes.recovered))


def _write_folder(result: NightResult, session, audit: AuditRun) -> None:
    folder = result.folder
    for fmt in ("csv", "json"):
        write_audit_file(session, audit, fmt, False, folder / f"scores.{fmt}", result.csv_dialect)
        write_audit_file(session, audit, fmt, True, folder / f"findings.{fmt}", result.csv_dialect)
    changes = result.changes
    assert changes is not None  # _compare runs first
    records = diff_records(changes.rows, changes.sites)
    write_changes(folder / "changes.csv", records, result.csv_dialect)
    write_atomically(folder / "changes.json",
                     lambda handle: handle.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n"))
    log.info("wrote %s", folder)


def _finish(sessions, result: NightResult, status: str, exit_code: int) -> None:
    summary = result.summary()
    with sessions.begin() as session:
        row = session.get(NightlyRun, result.nightly_id)
        row.status, row.exit_code, row.finished_at = status, exit_code, utcnow()
        row.audit_run_id, row.summary = result.audit_id, summary
    if status in ("completed", OFFLINE):
        write_atomically(result.folder / "summary.json",
                         lambda handle: handle.write(json.dumps(summary, ensure_ascii=False, indent=1) + "\n"))
    log.info("night %s %s (exit %d)", result.night, status, exit_code)
