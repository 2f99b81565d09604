"""`minhbach worker` (crawl the sites the cluster's queue holds) and `minhbach workers` (who is
alive, what each crawls, which hosts are leased)."""
from __future__ import annotations

from datetime import UTC, datetime

import click
from rich.table import Table

from minhbach.audit.cli.common import App, console, pass_app
from minhbach.audit.extras import require
from minhbach.audit.words.i18n import _


def _cluster(app: App):
    """The cluster's settings, Redis answering (else one line, from ClusterError)."""
    from minhbach.audit.ops.cluster.settings import ClusterSettings

    cluster = ClusterSettings.from_settings(app.settings)
    cluster.reachable()
    return cluster


@click.command(help=_("Crawl sites from the cluster's queue (Redis) into the shared store (PostgreSQL), N at a "
                      "time, until stopped (SIGINT or SIGTERM: the sites in progress are finished first). Run it on "
                      "any number of machines; `minhbach nightly --distributed` fills the queue."))
@click.option("--concurrency", type=click.IntRange(min=1),
              help=_("Sites crawled at the same time on this machine (default: `[cluster] concurrency`, 4)."))
@click.option("--burst", is_flag=True, help=_("Stop when the queue is empty (for tests and benchmarks)."))
@pass_app
def worker(app: App, concurrency, burst) -> None:
    from minhbach.audit.ops.cluster.settings import require_shared_database
    from minhbach.audit.ops.cluster.workers import run_workers

    require("cluster", "minhbach worker")
    cluster = _cluster(app)
    require_shared_database(app.store)  # the store opens (its schema checked) before any job runs
    run_workers(app.settings, concurrency or cluster.concurrency, burst=burst)


def _state_name(state: str) -> str:
    names = {"idle": _("waiting"), "busy": _("crawling"), "started": _("starting"), "suspended": _("suspended")}
    return names.get(state.rsplit(".", 1)[-1].lower(), state)


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return ""
    seconds = max(0, int((datetime.now(UTC) - moment).total_seconds()))
    return _("{seconds} s ago").format(seconds=seconds) if seconds < 120 else \
        _("{minutes} min ago").format(minutes=seconds // 60)


@click.command(help=_("List the live workers of the cluster, the site each is crawling and the host leases held."))
@pass_app
def workers(app: App) -> None:
    require("cluster", "minhbach workers")
    from minhbach.audit.ops.cluster.workers import live_workers

    cluster = _cluster(app)
    rows, leases = live_workers(cluster)
    table = Table(title=_("Workers on queue {queue} ({url})").format(queue=cluster.queue, url=cluster.redis_url))
    # machine, PID and site never shrink; the state ("waiting for HOST") and the times wrap
    table.add_column(_("Machine"), no_wrap=True, min_width=max([len(r.hostname) for r in rows] + [4]))
    table.add_column(_("PID"), justify="right", no_wrap=True, min_width=max([len(str(r.pid)) for r in rows] + [3]))
    table.add_column(_("State"), overflow="fold", ratio=2)
    table.add_column(_("Site"), no_wrap=True, min_width=max([len(r.agency) for r in rows] + [4]))
    table.add_column(_("Since"), ratio=1)
    table.add_column(_("Heartbeat"), ratio=1)
    for row in rows:
        state = _("waiting for {hosts}").format(hosts=", ".join(row.waiting_for)) if row.waiting_for else \
            _state_name(row.state)
        table.add_row(row.hostname, str(row.pid), state, row.agency or "–", _ago(row.since) if row.agency else "",
                      _ago(row.last_heartbeat))
    console.print(table)
    if not rows:
        console.print(_("No live worker: start `minhbach worker` on a machine that reaches this Redis."))
    lease_table = Table(title=_("Host leases"))
    lease_table.add_column(_("Host"), no_wrap=True)
    lease_table.add_column(_("Site"), no_wrap=True)
    lease_table.add_column(_("Held by (machine:PID)"), overflow="fold")
    lease_table.add_column(_("Expires in"), justify="right", no_wrap=True)
    for host, holder, site, seconds in leases:
        lease_table.add_row(host, site, holder, _("{seconds:.0f} s").format(seconds=seconds))
    if leases:
        console.print(lease_table)
    else:
        console.print(_("No host is leased now."))
