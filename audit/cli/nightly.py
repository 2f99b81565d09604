"""`minhbach nightly` (the unattended night: crawl, audit, folder, changes, notifications,
retention) and `minhbach gc` (retention alone)."""
from __future__ import annotations

import logging
import sys

import click

from minhbach.audit.cli.common import App, console, fail, hold_lock, pass_app
from minhbach.audit.words.i18n import _
from minhbach.audit.words.names import site_status_name


def _log_to(path) -> logging.Handler:
    """Everything minhbach logs (INFO and up) and Scrapy's warnings and errors, into the night's log."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger("minhbach").setLevel(logging.INFO)
    return handler


@click.command(help=_("The unattended night: crawl every active agency, audit with the rubric in force, "
                      "write the night's folder, compare with the previous audit, notify, apply retention. "
                      "Exit codes: 0 done, 1 failed (see the log), 2 bad input, 3 another run holds the lock, "
                      "4 nothing collected (the crawler could not reach the network), 130 interrupted."))
@click.option("--date", "night", type=click.DateTime(["%Y-%m-%d"]), help=_("The night's audit date (default: today)."))
@click.option("--allow-private", is_flag=True, default=None,
              help=_("Allow private/loopback addresses (only for sites you run yourself)."))
@click.option("--rubric", help=_("Rubric id (default: as for `minhbach audit`: the dashboard's choice, the settings "
                                 "file, else the rubric in force on the night's date)."))
@click.option("--distributed/--local", default=None,
              help=_("Crawl through the workers (`minhbach worker`) and audit each site as its crawl ends; default: "
                     "`[cluster] distributed` in the settings, else on this machine."))
@pass_app
def nightly(app: App, night, allow_private, rubric, distributed) -> None:
    from minhbach.audit.cli.crawling import cluster_or_none
    from minhbach.audit.clock import night_of, now_in, today_in
    from minhbach.audit.judge.choice import rubric_for_audit
    from minhbach.audit.judge.rubric import RubricError
    from minhbach.audit.ops.nightly import (
        EXIT_FAILED,
        EXIT_INTERRUPTED,
        EXIT_OFFLINE,
        NightInterrupted,
        log_path,
        run_night,
    )
    from minhbach.audit.ops.options import crawl_options
    from minhbach.audit.words.reasons import reason_text

    zone = app.settings.timezone
    day = night.date() if night else night_of(now_in(zone), zone)   # 01:00 is the night of the day before
    if day > today_in(zone):
        fail(_("--date {day} is in the future; a night can only be judged up to today").format(day=day.isoformat()))
    settings = app.settings
    options = crawl_options(settings, allow_private=allow_private)
    with app.sessions() as session:  # the store opens (and upgrades) before the lock: its errors are one line
        rubric_id = rubric_for_audit(session, rubric, day, settings.default_rubric)
    cluster = cluster_or_none(app, distributed)
    log_file = log_path(settings, day)
    handler = _log_to(log_file)
    lock = hold_lock(app, "nightly")
    try:
        result = run_night(day, options, rubric_id, settings, app.store, cluster)
    except RubricError as error:
        fail("; ".join(error.problems))
    except NightInterrupted as stopped:
        click.echo(_("{reason}; the run is marked interrupted and the next nightly starts afresh (log: {log})").format(
            reason=stopped, log=log_file), err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:  # noqa: BLE001 - the log has the traceback; the operator gets one line
        click.echo(_("error: night {day} failed: {kind}: {error} (log: {log})").format(
            day=day, kind=type(error).__name__, error=error, log=log_file), err=True)
        sys.exit(EXIT_FAILED)
    finally:
        lock.release()
        logging.getLogger().removeHandler(handler)
    if result.collection_failure:  # the operator's alarm, in one line; the agencies were told nothing
        click.echo(_("error: night {day} collected nothing: {why}; the agencies were not told and the night is "
                     "not counted (log: {log})").format(day=f"{day:%d/%m/%Y}", log=log_file,
                                                        why=reason_text(result.collection_failure)), err=True)
        sys.exit(EXIT_OFFLINE)
    print_night(result, log_file)


def print_night(result, log_file) -> None:
    summary = result.summary()
    sites = ", ".join(f"{n} {site_status_name(s).lower()}"
                      for s, n in sorted(result.sites.items(), key=lambda kv: -kv[1]))
    pages = result.pages
    say = lambda text: console.print(text, highlight=False, soft_wrap=True)  # noqa: E731
    say("[bold]" + _("The night of {date}: done").format(date=f"{result.night:%d/%m/%Y}") + "[/] "
        + _("(crawl {crawl}, audit {audit})").format(crawl=result.crawl_run_id, audit=result.audit_id))
    say("  " + _("Crawl: {sites} sites ({states}); {fetched} pages downloaded, {unchanged} unchanged, "
                 "{gone} gone; {kb} KB").format(sites=sum(result.sites.values()), states=sites,
                                               fetched=pages["fetched"], unchanged=pages["unchanged"],
                                               gone=pages["disappeared"], kb=pages["bytes"] // 1024))
    say("  " + _("Rubric: {rubric}").format(rubric=result.rubric_id))
    if result.rubric_warning:
        say("  [bold yellow]" + result.rubric_warning + "[/]")
    from minhbach.audit.ops.nightly import NOT_GRADED, UNKNOWN
    from minhbach.audit.words.names import grade_label

    def grade(key: str) -> str:
        return grade_label(None if key == UNKNOWN else 0, "" if key in (UNKNOWN, NOT_GRADED) else key)

    say("  " + _("Grades: ") + ", ".join(f"{grade(g)} {n}" for g, n in result.grades.items()))
    changes = result.changes
    from minhbach.audit.words.reasons import reason_text

    for note in changes.notes:
        say("  [bold yellow]" + reason_text(note) + "[/]")
    if changes.previous_audit_id is None:
        say("  " + _("Changes: no earlier audit to compare with"))
    else:
        say("  " + _("Changes since audit {id}: {worse} rules worse, {better} better, {lost} sites newly unreachable, "
                     "{back} sites reachable again").format(
            id=changes.previous_audit_id, worse=len(changes.regressions), better=len(changes.improvements),
            lost=len(changes.lost), back=len(changes.recovered)))
        for row in changes.regressions[:10]:
            say("    " + _("worse: {code} {rule} ({before} → {after})").format(
                code=row["agency_code"], rule=row["rule_code"], before=row["before"], after=row["after"]))
    say("  " + _("Notices: ") + ("; ".join(result.sent) if result.sent else _("none sent (nothing got worse)")))
    kept = summary["retention"]
    say("  " + _("Retention: pages of {runs} old crawls dropped, {bodies} stored copies ({kb} KB)").format(
        runs=len(kept["runs_pruned"]), bodies=kept["bodies_removed"], kb=kept["bytes_removed"] // 1024))
    say("  " + _("Results: {folder}").format(folder=result.folder))
    say("  " + _("Log: {file}").format(file=log_file))


@click.command(help=_("Apply the retention policy now: drop the crawled pages of nights it does not keep, then the "
                      "stored copies no kept page and no finding refers to. Findings and scores are never removed."))
@click.option("--dry-run", is_flag=True, help=_("Only say what would be removed."))
@pass_app
def gc(app: App, dry_run) -> None:
    from minhbach.audit.clock import today_in
    from minhbach.audit.ops.retention import Policy, collect

    lock = hold_lock(app, "gc")
    try:
        with app.sessions() as session:
            result = collect(session, app.store.bodies, Policy.from_settings(app.settings),
                             today_in(app.settings.timezone),
                             dry_run=dry_run)
    finally:
        lock.release()
    message = (_("Would drop {pages} pages of the crawls: {runs}; {bodies} stored copies ({kb} KB). Audit results "
                 "and evidence are kept.") if dry_run else
               _("Dropped {pages} pages of the crawls: {runs}; {bodies} stored copies ({kb} KB). Audit results "
                 "and evidence are kept."))
    console.print(message.format(pages=result.pages, runs=", ".join(map(str, result.runs_pruned)) or _("none"),
                                 bodies=len(result.bodies), kb=result.bytes // 1024), highlight=False)
