"""`minhbach crawl` and `minhbach runs`: crawl the registered portals, list past runs."""
from __future__ import annotations

import sys

import click
from rich.table import Table
from sqlalchemy import func, select

from minhbach.audit.cli.common import App, console, fail, hold_lock, pass_app
from minhbach.audit.words.i18n import N_, _
from minhbach.audit.words.names import run_status_name, site_status_name
from minhbach.audit.words.reasons import reason_text


def run_with_progress(app: App, codes, options, cluster=None) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from minhbach.audit.crawl.runs import crawl_agencies

    # on the workers, pages are counted where they are crawled: this process counts sites
    pages = [] if cluster is not None else [TextColumn(_("pages: {n}").format(n="{task.fields[pages]}"))]
    progress = Progress(SpinnerColumn(), TextColumn("[bold]" + _("Crawling") + "[/]"), BarColumn(),
                        MofNCompleteColumn(), *pages, TimeElapsedColumn(), console=app.console, transient=False)
    state = {}

    def on_start(run_id, n_sites):
        state["task"] = progress.add_task("crawl", total=n_sites, pages=0)

    def on_page(_code):
        progress.update(state["task"], advance=0, pages=progress.tasks[0].fields["pages"] + 1)

    def on_site_done(*_site):
        progress.update(state["task"], advance=1)

    with progress:
        if cluster is not None:  # the workers crawl; this process waits and counts sites
            from minhbach.audit.ops.cluster.coordinator import Coordinator

            return Coordinator(cluster, app.store, options).crawl(
                codes or None, on_start=on_start, on_site_done=on_site_done)
        run_id = crawl_agencies(codes or None, options, app.store, on_page=on_page, on_site_done=on_site_done,
                                on_start=on_start)
    return run_id


def cluster_or_none(app: App, distributed: bool | None):
    """The cluster when this crawl goes through the workers (its note printed), else None."""
    from minhbach.audit.ops.cluster.settings import cluster_for

    cluster, note = cluster_for(app.settings, app.store, distributed)
    if note:
        click.echo(note, err=True)
    return cluster


NUMBER_HEADERS = {"pages": N_("Pages"), "documents": N_("Documents"), "kilobytes": N_("KB"), "errors": N_("Errors")}


def print_crawl_summary(app: App, run_id: int) -> list[dict]:
    from minhbach.audit.reports.crawl_table import crawl_summary

    with app.sessions() as session:
        rows = crawl_summary(session, run_id)
    table = Table(title=_("Crawl results – run {id}").format(id=run_id))
    # Codes and numbers never wrap; names and reasons share what is left. Under 100 columns the
    # documents, kilobytes and errors make room for the reason (they are in the CSV).
    narrow = console.width < 100
    table.add_column(_("Code"), no_wrap=True)
    table.add_column(_("Agency"), min_width=12, ratio=2, overflow="fold")
    table.add_column(_("Status"), max_width=11)
    numbers = ("pages",) if narrow else ("pages", "documents", "kilobytes", "errors")
    for key in numbers:
        table.add_column(_(NUMBER_HEADERS[key]), justify="right", no_wrap=True)
    table.add_column(_("Reason / note"), min_width=16, ratio=3, overflow="fold")
    for row in rows:
        style = None if row["status"] == "ok" else "yellow"
        table.add_row(row["code"], row["name"], site_status_name(row["status"]), *(str(row[key]) for key in numbers),
                      row["reason"],
                      style=style)
    console.print(table)
    return rows


@click.command(help=_("Crawl agency portals (all registered agencies unless --agency is given)."))
@click.option("--agency", "agency_codes", multiple=True, metavar="CODE", help=_("Only this agency (repeatable)."))
@click.option("--page-cap", type=click.IntRange(min=1), help=_("Most pages fetched per site (default 300)."))
@click.option("--time-budget", "site_time_budget", type=click.FloatRange(min=1),
              help=_("Seconds each site may spend downloading (default 900); requests in flight are cut at it."))
@click.option("--download-timeout", type=click.FloatRange(min=1), help=_("Seconds one request may take (default 30)."))
@click.option("--depth", "depth_cap", type=click.IntRange(min=0),
              help=_("Most links followed from the home page (default 8)."))
@click.option("--contact-url", help=_("URL in the User-Agent where site owners can reach the operator."))
@click.option("--allow-private", is_flag=True, default=None,
              help=_("Allow private/loopback/link-local addresses (only for sites you run yourself)."))
@click.option("--allow-private-host", "allowed_private_hosts", multiple=True, metavar="HOST[:PORT]",
              help=_("Allow one private host (repeatable)."))
@click.option("--concurrency", "concurrent_requests", type=click.IntRange(min=1),
              help=_("Requests in flight overall (default 32)."))
@click.option("--resolve", "resolve", multiple=True, metavar="HOST=ADDRESS",
              help=_("Answer HOST with ADDRESS instead of asking DNS (repeatable), as curl --resolve."))
@click.option("--no-dns", is_flag=True, default=None,
              help=_("Look up no names in DNS: only --resolve pins and IP addresses (closed test networks)."))
@click.option("--ca-file", type=click.Path(exists=True, dir_okay=False),
              help=_("Extra CA certificates (PEM) to trust when checking HTTPS certificates."))
@click.option("--full", "incremental", flag_value=False, default=None,
              help=_("Download every page again (default: ask the server whether pages an earlier "
                     "crawl stored have changed, and read the unchanged ones from the store)."))
@click.option("--no-js", "render_js", flag_value="off", default=None,
              help=_("Render no page in the browser, not even those of sites registered render=js "
                     "(default: they are rendered in Debian's chromium when it is installed)."))
@click.option("--distributed/--local", default=None,
              help=_("Crawl through the workers (`minhbach worker` on any number of machines, sharing Redis and "
                     "PostgreSQL) and wait for them; default: `[cluster] distributed` in the settings, else here."))
@pass_app
def crawl(app: App, agency_codes, allowed_private_hosts, resolve, distributed, **kwargs) -> None:
    from minhbach.crawler.resolver import parse_pins

    try:
        parse_pins(resolve)
    except ValueError as error:
        fail(str(error))
    contact = kwargs.get("contact_url")
    if contact is not None and not contact.startswith(("http://", "https://", "mailto:")):
        fail(_("--contact-url {url!r}: give an http(s):// or mailto: address where site owners reach you").format(
            url=contact))
    from minhbach.audit.ops.options import crawl_options

    options = crawl_options(app.settings, allowed_private_hosts=tuple(allowed_private_hosts) or None,
                            resolve=tuple(resolve) or None, **kwargs)
    cluster = cluster_or_none(app, distributed)
    lock = hold_lock(app, "crawl")  # never beside a nightly or a gc in the same store
    from minhbach.audit.ops.cluster.coordinator import ClusterUnavailable

    try:
        run_id = run_with_progress(app, list(agency_codes), options, cluster)
    except ValueError as error:
        fail(str(error))
    except ClusterUnavailable as gone:
        fail(_("the crawl was interrupted: {reason}").format(reason=gone), code=130)
    finally:
        lock.release()
    print_crawl_summary(app, run_id)
    if run_status(app, run_id) == "interrupted":  # Ctrl-C: the store is consistent, the run marked so
        click.echo(_("Crawl {id} was stopped half-way (Ctrl-C); run `minhbach crawl` again, "
                     "or `minhbach audit --run {id} --allow-partial`.").format(id=run_id), err=True)
        sys.exit(130)


def run_status(app: App, run_id: int) -> str:
    from minhbach.audit.store.models import CrawlRun

    with app.sessions() as session:
        return session.get(CrawlRun, run_id).status


@click.command(help=_("List crawl runs and audits, or show one run's sites with --run."))
@click.option("--run", "run_id", type=int, help=_("Show the sites of this run."))
@pass_app
def runs(app: App, run_id: int | None) -> None:
    from minhbach.audit.store.models import CrawlRun, SiteCrawl

    if run_id is not None:
        print_crawl_summary(app, run_id)
        return
    with app.sessions() as session:
        rows = session.execute(
            select(CrawlRun, func.count(SiteCrawl.id), func.coalesce(func.sum(SiteCrawl.pages_fetched), 0))
            .outerjoin(SiteCrawl, SiteCrawl.run_id == CrawlRun.id).group_by(CrawlRun.id)
            .order_by(CrawlRun.id.desc())
        ).all()
    table = Table(title=_("All crawls"))
    for header in (_("Run"), _("Status"), _("Started"), _("Finished"), _("Sites"), _("Pages")):
        table.add_column(header, overflow="fold")
    for run, n_sites, n_pages in rows:
        status = run_status_name(run.status) + (f"\n{reason_text(run.reason)}" if run.reason else "")  # why it stopped
        table.add_row(str(run.id), status, f"{run.started_at:%Y-%m-%d %H:%M}",
                      f"{run.finished_at:%Y-%m-%d %H:%M}" if run.finished_at else "", str(n_sites), str(n_pages))
    console.print(table)
    print_audits(app)


def print_audits(app: App) -> None:
    """The audits, so that no id has to be guessed for report, export or diff."""
    from minhbach.audit.store.models import AuditRun

    with app.sessions() as session:
        audits = list(session.scalars(select(AuditRun).order_by(AuditRun.id.desc())))
    if not audits:
        return
    table = Table(title=_("All audits"))
    for header in (_("Audit"), _("Audit date"), _("Rubric"), _("Crawl"), _("Done at")):
        table.add_column(header)
    for audit in audits:
        table.add_row(str(audit.id), f"{audit.audit_date:%d/%m/%Y}", f"{audit.rubric_id} ({audit.rubric_version})",
                      str(audit.crawl_run_id), f"{audit.created_at:%Y-%m-%d %H:%M}")
    console.print(table)
