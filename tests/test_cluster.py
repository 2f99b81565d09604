"""Workers on several machines (audit/ops/cluster/), on this machine's real Redis and PostgreSQL:
two workers crawl a loopback farm as one machine would, no host ever gets more than two
requests at once from the whole cluster, robots.txt's Crawl-delay holds across workers, a
worker killed with SIGKILL mid-site loses nothing, and a Redis restarted mid-night is survived.

Each worker is a `minhbach worker` process with a data folder of its own (two machines) and
the same database and stored-bodies folder (the shared store)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Integer, create_engine, func, select

from minhbach.audit.words.reasons import reason_text
from tests.support.cluster_farm import Farm
from tests.support.paths import ROOT
from tests.support.services import unavailable

pytestmark = pytest.mark.slow

REDIS_URL = os.environ.get("MINHBACH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_problem(url: str) -> str | None:
    from redis import Redis

    try:
        Redis.from_url(url, socket_connect_timeout=2).ping()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not here"
        return f"{type(error).__name__}: {error}"


@pytest.fixture
def redis_url():
    problem = _redis_problem(REDIS_URL)
    if problem:
        unavailable(f"Redis not reachable at {REDIS_URL} ({problem})",
                    elsewhere="; set MINHBACH_TEST_REDIS_URL to run these tests")
    return REDIS_URL


class Cluster:
    """A coordinator's and workers' settings on one queue of their own; workers as child
    processes, each in a session of its own so a SIGKILL can take the whole 'machine'."""

    def __init__(self, root: Path, database_url: str, redis_url: str, lease_seconds: float = 3,
                 redis_outage: float = 300):
        self.root, self.database_url, self.redis_url = root, database_url, redis_url
        self.queue = f"test-{uuid.uuid4().hex[:10]}"
        self.config = root / "minhbach.toml"
        self.config.write_text(
            f'[crawl]\nallow_private = true\ntime_budget = 120\n\n[store]\nbodies_dir = "{root / "shared-bodies"}"\n\n'
            f'[cluster]\nredis_url = "{redis_url}"\nqueue = "{self.queue}"\nlease_seconds = {lease_seconds}\n'
            f'redis_outage = {redis_outage}\n', encoding="utf-8")
        self.workers: list[subprocess.Popen] = []

    def env(self, machine: str) -> dict:
        env = dict(os.environ, MINHBACH_DATABASE_URL=self.database_url, MINHBACH_CONFIG=str(self.config),
                   MINHBACH_DATA_DIR=str(self.root / machine))
        env.pop("MINHBACH_REDIS_URL", None)
        env.pop("MINHBACH_BODIES_DIR", None)
        return env

    def cli(self, *args, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "minhbach.audit.cli", *args], capture_output=True, text=True,
                              env=self.env("coordinator"), timeout=timeout, cwd=ROOT)

    def start_workers(self, n: int, concurrency: int = 1) -> None:
        for _ in range(n):
            machine = f"worker-{len(self.workers)}"
            log = open(self.root / f"{machine}.log", "w")
            self.workers.append(subprocess.Popen(
                [sys.executable, "-m", "minhbach.audit.cli", "worker", "--concurrency", str(concurrency)],
                env=self.env(machine), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True))
        # as an operator does: the workers are up before the night starts
        from redis import Redis
        from rq import Queue, Worker

        queue = Queue(self.queue, connection=Redis.from_url(self.redis_url))
        expected = sum(1 for w in self.workers if w.args[3:4] == ["worker"]) * concurrency
        wait_for(lambda: len(Worker.all(queue=queue)) >= expected, 60, "the workers to listen")

    def spawn(self, *args) -> subprocess.Popen:
        """`minhbach ARGS` as the coordinator, in the background (stopped at the test's end)."""
        process = subprocess.Popen([sys.executable, "-m", "minhbach.audit.cli", *args], env=self.env("coordinator"),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                   start_new_session=True)
        self.workers.append(process)  # stopped like a worker
        return process

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-4000:] for path in sorted(self.root.glob("worker-*.log")))

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()

    def flush(self) -> None:
        from redis import Redis

        redis = Redis.from_url(self.redis_url)
        keys = [k for pattern in (f"rq:*{self.queue}*", f"minhbach:{self.queue}:*")
                for k in redis.scan_iter(match=pattern)]
        if keys:
            redis.delete(*keys)
        redis.srem("rq:queues", f"rq:queue:{self.queue}")  # RQ's list of queues


@pytest.fixture
def farm():
    made = []

    def make(*args, **kwargs) -> Farm:
        made.append(Farm(*args, **kwargs))
        return made[-1]

    yield make
    for f in made:
        f.close()


@pytest.fixture
def cluster(tmp_path, pg_url, redis_url):
    made = []

    def make(**kwargs) -> Cluster:
        made.append(Cluster(tmp_path, pg_url, kwargs.pop("redis", redis_url), **kwargs))
        return made[-1]

    yield make
    for c in made:
        c.stop()
        try:
            c.flush()
        except Exception:  # noqa: BLE001 - a private Redis may be gone already
            pass


def import_farm(c: Cluster, f: Farm, shared_hosts: tuple[int, ...] = ()) -> None:
    registry = c.root / "agencies.csv"
    registry.write_text(f.registry(shared_hosts), encoding="utf-8")
    result = c.cli("agencies", "import", str(registry))
    assert result.returncode == 0, result.stderr


def stored(database_url: str, run_id: int) -> dict[str, set]:
    """Per agency: (requested URL, HTTP status, SHA-256) of every page the run stored."""
    from minhbach.audit.store.models import Agency, Page, SiteCrawl

    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(select(Agency.code, Page.requested_url, Page.http_status, Page.sha256)
                            .join(SiteCrawl, Page.site_crawl_id == SiteCrawl.id)
                            .join(Agency, SiteCrawl.agency_id == Agency.id)
                            .where(SiteCrawl.run_id == run_id)).all()
    engine.dispose()
    pages: dict[str, set] = {}
    for code, url, status, sha in rows:
        pages.setdefault(code, set()).add((url, status, sha))
    return pages


def duplicates(database_url: str) -> list:
    from minhbach.audit.store.models import Page

    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(select(Page.site_crawl_id, Page.requested_url, func.count())
                            .group_by(Page.site_crawl_id, Page.requested_url).having(func.count() > 1)).all()
    engine.dispose()
    return rows


def site_rows(database_url: str, run_id: int) -> dict[str, tuple]:
    from minhbach.audit.store.models import Agency, SiteCrawl

    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(select(Agency.code, SiteCrawl.status, SiteCrawl.attempt, SiteCrawl.pages_fetched,
                                   SiteCrawl.reason)
                            .join(Agency, SiteCrawl.agency_id == Agency.id).where(SiteCrawl.run_id == run_id)).all()
    engine.dispose()
    return {code: (status, attempt, pages, reason) for code, status, attempt, pages, reason in rows}


def scores(database_url: str, run_id: int) -> dict[str, tuple]:
    """Audit the run in this process (today, the rubric in force) and give each agency's score."""
    from datetime import date

    from sqlalchemy.orm import sessionmaker

    from minhbach.audit.judge.auditor import run_audit
    from minhbach.audit.judge.rubric import rubric_in_force
    from minhbach.audit.store.bodies import BodyStore
    from minhbach.audit.store.models import Agency, Score

    engine = create_engine(database_url)
    with sessionmaker(engine)() as session:
        import minhbach.audit.config as config

        day = date(2026, 11, 21)   # a fixed day: the same judgement whatever day the test runs
        audit_id = run_audit(session, BodyStore(config.load().bodies_dir), rubric_in_force(day), day, run_id)
        rows = session.execute(select(Agency.code, Score.total, Score.grade)
                               .join(Agency, Score.agency_id == Agency.id).where(Score.audit_run_id == audit_id)).all()
    engine.dispose()
    return {code: (total, grade) for code, total, grade in rows}


def latest_run(database_url: str) -> int:
    from minhbach.audit.store.models import CrawlRun

    engine = create_engine(database_url)
    with engine.connect() as conn:
        run_id = conn.scalar(select(func.max(CrawlRun.id)))
    engine.dispose()
    return run_id


def run_id_of(output: str) -> int:
    import re

    return int(re.search(r"(?:lượt|run) (\d+)", output).group(1))


def test_two_workers_crawl_the_farm_as_one_machine_does_politely(cluster, farm, monkeypatch):
    f = farm(5, pages=10, delay=0.05, crawl_delay_hosts=(1,), crawl_delay=0.4)
    c = cluster()
    # two servers with two agencies each (site-000 and site-000-b; site-001, with a Crawl-delay,
    # and site-001-b), next to each other on the queue: two workers would crawl both at once
    import_farm(c, f, shared_hosts=(0, 1))

    local = c.cli("crawl", "--local")
    assert local.returncode == 0, local.stderr
    local_run = run_id_of(local.stdout)
    for host in f.hosts:
        host.peak, host.starts = 0, []

    c.start_workers(2)
    distributed = c.cli("crawl", "--distributed", "--full")
    assert distributed.returncode == 0, distributed.stderr + c.logs()
    cluster_run = run_id_of(distributed.stdout)

    # the same pages, the same bytes, for every agency
    assert stored(c.database_url, cluster_run) == stored(c.database_url, local_run)
    assert len(stored(c.database_url, cluster_run)) == 7
    sites = site_rows(c.database_url, cluster_run)
    assert {status for status, *_ in sites.values()} == {"ok"}, sites
    assert {attempt for _, attempt, *_ in sites.values()} == {1}
    # no host ever had more than 2 requests in progress, counted by the servers themselves
    assert max(host.peak for host in f.hosts) <= 2, [(h.address, h.peak) for h in f.hosts]
    assert max(host.peak for host in f.hosts) == 2  # (the limit is used: the test can see a breach)
    # Crawl-delay 0.4 s on the second shared server: every two requests at least that far apart,
    # also from one agency's crawl to the other's (two workers, one after the other)
    starts = f.hosts[1].starts
    assert len(starts) >= 20
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # (measured where the server sees a request arrive: on a busy machine one arrival can lag
    # by tens of milliseconds and shorten the next gap; a breach would be a gap near 0)
    assert min(gaps) >= 0.4 * 0.75, sorted(gaps)[:5]
    # the stored bodies are in the shared folder, none in a worker's own data folder
    monkeypatch.setenv("MINHBACH_CONFIG", str(c.config))
    from minhbach.audit import config
    from minhbach.audit.store.bodies import BodyStore

    shared = BodyStore(config.load().bodies_dir)
    assert shared.root == c.root / "shared-bodies"
    for pages in stored(c.database_url, cluster_run).values():
        assert all(shared.has(sha) for _, _, sha in pages)
    assert not list((c.root / "worker-0").glob("bodies/**/*.gz"))
    # and the audit of either crawl says the same of every agency
    assert scores(c.database_url, cluster_run) == scores(c.database_url, local_run)

    # The next night, incremental, on the workers: unchanged pages are asked "changed since?"
    # (304, read from the shared store), and a page no longer linked is recorded once as gone
    f.hosts[2].pages -= 1
    again = c.cli("crawl", "--distributed")
    assert again.returncode == 0, again.stderr + c.logs()
    next_run = run_id_of(again.stdout)
    sites = site_rows(c.database_url, next_run)
    assert {status for status, *_ in sites.values()} == {"ok"}, sites
    from minhbach.audit.store.models import DisappearedPage, SiteCrawl

    engine = create_engine(c.database_url)
    with engine.connect() as conn:
        unchanged = conn.scalar(select(func.sum(SiteCrawl.pages_unchanged)).where(SiteCrawl.run_id == next_run))
        gone = conn.execute(select(DisappearedPage.url).join(SiteCrawl, DisappearedPage.site_crawl_id == SiteCrawl.id)
                            .where(SiteCrawl.run_id == next_run)).scalars().all()
    engine.dispose()
    assert unchanged >= 60
    assert gone == [f.url(2, "/tin/9")]


def ancestors(pid: int) -> list[int]:
    chain = []
    while pid > 1:
        stat = Path(f"/proc/{pid}/stat").read_text()
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        chain.append(pid)
    return chain


def descendants(root: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if root in ancestors(int(entry.name)):
                    found.append(int(entry.name))
            except (OSError, ValueError):
                pass
    return found


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_site_loses_nothing_and_the_night_completes(cluster, farm):
    from redis import Redis

    f = farm(3, pages=30, delay=0.15)
    c = cluster(lease_seconds=3)
    import_farm(c, f)
    c.start_workers(2)
    night = c.spawn("nightly", "--distributed", "--date", "2026-11-21")
    redis = Redis.from_url(c.redis_url)
    prefix = f"minhbach:{c.queue}:lease:"

    def a_site_half_crawled():
        for key in redis.scan_iter(match=prefix + "*"):
            holder = (redis.get(key) or b"").decode()
            host = key.decode().removeprefix(prefix)
            server = next(h for h in f.hosts if h.address == host)
            if holder and server.hits >= 8:
                return holder, host
        return None

    holder, host = wait_for(a_site_half_crawled, 60, "a site half crawled")
    listing = c.cli("workers")
    assert listing.returncode == 0, listing.stderr
    agency = holder.split()[1]
    assert agency in listing.stdout and host in listing.stdout
    worker_pid = int(holder.split()[0].rsplit(":", 1)[1])   # the RQ worker, as `minhbach workers` lists it
    assert str(worker_pid) in listing.stdout
    victim = next(w for w in c.workers if w.pid in ancestors(worker_pid))  # its pool: one machine
    assert victim is not night
    # the whole machine at once: the pool and its worker, the job RQ forked and its store
    # writer (RQ gives the job a process group of its own)
    groups = {os.getpgid(pid) for pid in descendants(victim.pid)} | {victim.pid}
    for group in groups:
        os.killpg(group, signal.SIGKILL)
    victim.wait()

    out, err = night.communicate(timeout=240)
    assert night.returncode == 0, err + c.logs()
    run_id = latest_run(c.database_url)
    sites = site_rows(c.database_url, run_id)
    assert {status for status, *_ in sites.values()} == {"ok"}, sites
    assert sites[agency][1] == 2, sites                       # started again, once
    assert {pages for _, _, pages, _ in sites.values()} == {31}  # home + 29 news + budget page, each once
    assert duplicates(c.database_url) == []
    pages = stored(c.database_url, run_id)
    assert all(len(urls) == 31 for urls in pages.values())
    assert all(h.peak <= 2 for h in f.hosts)
    # the night audited every site as its crawl ended, and wrote its folder
    log = next((c.root / "coordinator" / "logs").glob("nightly-*.log")).read_text(encoding="utf-8")
    assert all(f"site {code}: ok; audited" in log for code in sites), log
    assert log.index("audited") < log.index(f"crawl {run_id} completed")
    assert (c.root / "coordinator" / "nightly").glob("*/scores.csv")
    from minhbach.audit.store.models import AuditRun, Score

    engine = create_engine(c.database_url)
    with engine.connect() as conn:
        audit_id = conn.scalar(select(AuditRun.id).where(AuditRun.crawl_run_id == run_id))
        totals = conn.execute(select(Score.total).where(Score.audit_run_id == audit_id)).scalars().all()
    engine.dispose()
    assert len(totals) == 3 and all(total is not None for total in totals)


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own, to restart at will (it keeps nothing on disk)."""
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server is not installed (Debian package redis-server)", in_ci=".ci/run installs it")
    # on a socket file of its own: no port to choose, hand over or collide with
    path = Path(tempfile.mkdtemp(prefix="redis-")) / "redis.sock"   # (a socket path must be short)

    class Server:
        url = f"unix://{path}?db=0"
        process = None

        def start(self):
            self.process = subprocess.Popen([binary, "--port", "0", "--unixsocket", str(path), "--save", "",
                                             "--appendonly", "no", "--dir", str(tmp_path)],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(lambda: _redis_problem(self.url) is None, 10, "redis-server to start")

        def kill(self):
            self.process.kill()
            self.process.wait()

    server = Server()
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


def test_redis_restarted_mid_night_the_crawl_completes(cluster, farm, private_redis):
    f = farm(4, pages=25, delay=0.12)
    c = cluster(redis=private_redis.url, lease_seconds=3)
    import_farm(c, f)
    c.start_workers(2)
    crawl = c.spawn("crawl", "--distributed")
    wait_for(lambda: sum(h.hits for h in f.hosts) >= 15, 60, "the crawl under way")
    private_redis.kill()          # every queue, job, lease and worker registration is gone
    time.sleep(2)
    private_redis.start()
    out, err = crawl.communicate(timeout=300)
    assert crawl.returncode == 0, err + c.logs()
    run_id = run_id_of(out)
    sites = site_rows(c.database_url, run_id)
    assert {status for status, *_ in sites.values()} == {"ok"}, sites
    assert {pages for _, _, pages, _ in sites.values()} == {26}
    assert duplicates(c.database_url) == []
    assert all(h.peak <= 2 for h in f.hosts)
    # the workers came back: both listed again by the restarted Redis
    listing = []
    listed = lambda: listing.append(c.cli("workers")) or listing[-1].stdout.count(socket.gethostname()) >= 2  # noqa: E731
    try:
        wait_for(listed, 30, "both workers listed again")
    except AssertionError:
        raise AssertionError(listing[-1].stdout + listing[-1].stderr + c.logs()) from None


def test_redis_gone_too_long_marks_the_crawl_interrupted_with_its_reason(cluster, farm, private_redis):
    f = farm(3, pages=40, delay=0.15)
    c = cluster(redis=private_redis.url, lease_seconds=2, redis_outage=4)
    import_farm(c, f)
    c.start_workers(1)
    crawl = c.spawn("crawl", "--distributed")
    wait_for(lambda: sum(h.hits for h in f.hosts) >= 5, 60, "the crawl under way")
    private_redis.kill()
    out, err = crawl.communicate(timeout=120)
    assert crawl.returncode == 130, out + err
    last = err.strip().splitlines()[-1]   # (above it, the one warning when Redis went away)
    assert "Redis" in last and private_redis.url in last and len(err.strip().splitlines()) == 2, err
    from minhbach.audit.store.models import CrawlRun

    engine = create_engine(c.database_url)
    with engine.connect() as conn:
        status, reason = conn.execute(select(CrawlRun.status, CrawlRun.reason).order_by(CrawlRun.id.desc())).first()
    engine.dispose()
    assert status == "interrupted" and reason["kind"] == "redis_gone" and "Redis" in reason_text(reason)
    listing = c.cli("runs")   # and the operator reads why
    assert "Redis" in listing.stdout and private_redis.url.split("//")[1].split("/")[0] in listing.stdout.replace("\n", "")
    sites = site_rows(c.database_url, 1)
    # every site is either done or marked interrupted with the reason: nothing left 'running'
    assert all(s in ("ok", "interrupted") for s, *_ in sites.values()), sites
    assert all(s == "ok" or "Redis" in reason_text(reason) for s, _, _, reason in sites.values())


def test_without_redis_or_with_sqlite_the_commands_say_so_in_one_line(tmp_path, redis_url, pg_url, english):
    from tests.support.cli import run_cli

    closed = socket.socket()   # bound, never listening: Redis refuses, as when it is down
    closed.bind(("127.0.0.1", 0))
    env = {"MINHBACH_DATA_DIR": str(tmp_path / "data"),
           "MINHBACH_REDIS_URL": f"redis://127.0.0.1:{closed.getsockname()[1]}/0", "MINHBACH_DATABASE_URL": pg_url}
    for args in (["crawl", "--distributed"], ["worker"], ["workers"], ["nightly", "--distributed"]):
        result = run_cli(*args, env=env)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().startswith("error: cannot reach Redis at redis://127.0.0.1:"), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    env = {"MINHBACH_DATA_DIR": str(tmp_path / "data"), "MINHBACH_REDIS_URL": redis_url}   # an SQLite store
    for args in (["worker"], ["crawl", "--distributed"], ["nightly", "--distributed"]):
        result = run_cli(*args, env=env)
        assert result.returncode == 2 and "set database_url to PostgreSQL" in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_a_portal_drawn_by_javascript_is_rendered_on_a_worker(cluster):
    """The demo's Sở Tài chính (a script-drawn portal) and the unreachable Sở Giáo dục, on a
    worker: the one rendered in its job's own browser, the other unknown with its reason."""
    from datetime import date

    from minhbach.audit.ops.demo.server import serve_demo
    from minhbach.audit.registry.agencies import parse_registry
    from minhbach.audit.store.models import Page, SiteCrawl
    from tests.support.services import needs_chromium

    needs_chromium("rendering the demo's Sở Tài chính")
    registry_file = ROOT / "data" / "demo" / "agencies.csv"
    province = serve_demo(parse_registry(registry_file), date(2026, 11, 21))
    c = cluster()
    (c.root / "two.csv").write_text(province.registry(("ubnd-hs", "stc-hs", "sgddt-hs")), encoding="utf-8")
    try:
        assert c.cli("agencies", "import", str(c.root / "two.csv")).returncode == 0
        c.start_workers(1)
        result = c.cli("crawl", "--distributed", "--agency", "stc-hs", "--agency", "sgddt-hs")
        assert result.returncode == 0, result.stderr + c.logs()
    finally:
        province.stop()
    engine = create_engine(c.database_url)
    with engine.connect() as conn:
        rows = {row.site_crawl_id: row for row in conn.execute(
            select(Page.site_crawl_id, func.count().label("pages"), func.sum(func.cast(Page.rendered, Integer))
                   .label("rendered")).group_by(Page.site_crawl_id))}
        sites = conn.execute(select(SiteCrawl.id, SiteCrawl.status, SiteCrawl.reason)).all()
    engine.dispose()
    by_status = {status: (site_id, reason) for site_id, status, reason in sites}
    rendered = rows[by_status["ok"][0]]
    assert rendered.pages >= 20 and rendered.rendered == rendered.pages
    assert "từ chối kết nối" in reason_text(by_status["unreachable"][1])


def test_a_superseded_attempt_writes_nothing_and_a_closed_run_starts_nothing(tmp_path, pg_url):
    """The fence itself, without workers: a batch of attempt 1 arriving after attempt 2 began is
    dropped; attempt 2 began by removing what attempt 1 had stored; a job whose run is closed
    (its coordinator died) does not start."""
    from sqlalchemy import update

    from minhbach.audit.crawl.runs import start_run
    from minhbach.audit.crawl.writer import StoreWriter
    from minhbach.audit.ops.cluster.jobs import start_attempt
    from minhbach.audit.registry.agencies import import_registry
    from minhbach.audit.store.db import open_store
    from minhbach.audit.store.models import CrawlRun, Page, SiteCrawl
    from minhbach.crawler.items import PageItem
    from minhbach.crawler.settings import CrawlOptions

    registry = tmp_path / "one.csv"
    registry.write_text("code,name,level,province,parent_code,portal_url\n"
                        "so-a,Sở A,so,Hòa Sơn,,http://127.0.0.1:9/\n", encoding="utf-8")
    sessions = open_store(pg_url)
    with sessions.begin() as session:
        import_registry(session, registry)
    run_id, _ = start_run(sessions, None, CrawlOptions())
    with sessions() as session:
        site_id = session.scalar(select(SiteCrawl.id))

    def page(path: str) -> PageItem:
        return PageItem("so-a", f"http://127.0.0.1:9{path}", f"http://127.0.0.1:9{path}", 200, "text/html",
                        f"<p>{path}</p>".encode())

    def stored_urls() -> list[str]:
        with sessions() as session:
            return sorted(session.scalars(select(Page.requested_url).where(Page.site_crawl_id == site_id)))

    assert start_attempt(sessions, site_id, "vm:1") == 1
    first = StoreWriter(pg_url, tmp_path / "bodies", {"so-a": site_id}, attempts={site_id: 1})
    first.write([page("/a")])
    assert stored_urls() == ["http://127.0.0.1:9/a"]
    assert start_attempt(sessions, site_id, "vm:2") == 2          # another worker starts the site again
    assert stored_urls() == []                                     # attempt 1's page is gone
    first.write([page("/b")])                                      # the lost worker's late batch
    assert stored_urls() == [] and first.superseded == {site_id}
    second = StoreWriter(pg_url, tmp_path / "bodies", {"so-a": site_id}, attempts={site_id: 2})
    second.write([page("/a"), page("/b")])
    assert stored_urls() == ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"]
    with sessions.begin() as session:
        session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(status="interrupted"))
    assert start_attempt(sessions, site_id, "vm:3") is None        # the run is over: nothing starts
