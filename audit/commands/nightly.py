"""`minhbach nightly` (the unattended night: crawl, audit, folder, changes, notifications,
retention) and `minhbach gc` (retention alone)."""
from __future__ import annotations

import logging
import sys
from datetime import date

import click

from minhbach.audit import config
from minhbach.audit.commands.common import console, fail, hold_lock, sessions


def _log_to(path) -> logging.Handler:
    """Everything minhbach logs (INFO and up) and Scrapy's warnings and errors, into the night's log."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger("minhbach").setLevel(logging.INFO)
    return handler


@click.command(help="The unattended night: crawl every active agency, audit with the rubric in force, "
                    "write the night's folder, compare with the previous audit, notify, apply retention. "
                    "Exit codes: 0 done, 1 failed (see the log), 2 bad input, 3 another run holds the lock, "
                    "130 interrupted.")
@click.option("--date", "night", type=click.DateTime(["%Y-%m-%d"]), help="The night's audit date (default: today).")
@click.option("--allow-private", is_flag=True, default=None,
              help="Allow private/loopback addresses (only for sites you run yourself).")
def nightly(night, allow_private) -> None:
    from minhbach.audit.commands.auditing import DEFAULT_RUBRIC
    from minhbach.audit.commands.crawling import crawl_options
    from minhbach.audit.nightly import EXIT_FAILED, EXIT_INTERRUPTED, NightInterrupted, log_path, run_night
    from minhbach.audit.rubric import RubricError

    day = night.date() if night else date.today()
    if day > date.today():
        fail(f"--date {day.isoformat()} is in the future; a night can only be judged up to today")
    settings = config.load_settings()
    options = crawl_options(allow_private=allow_private)
    rubric_id = settings.get("default_rubric", DEFAULT_RUBRIC)
    sessions()  # the store opens (and upgrades) before the lock, so its errors are one line
    log_file = log_path(day)
    handler = _log_to(log_file)
    lock = hold_lock("nightly")
    try:
        result = run_night(day, options, rubric_id, settings)
    except RubricError as error:
        fail("; ".join(error.problems))
    except NightInterrupted as stopped:
        click.echo(f"{stopped}; the run is marked interrupted and the next nightly starts afresh (log: {log_file})",
                   err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:  # noqa: BLE001 - the log has the traceback; the operator gets one line
        click.echo(f"error: night {day} failed: {type(error).__name__}: {error} (log: {log_file})", err=True)
        sys.exit(EXIT_FAILED)
    finally:
        lock.release()
        logging.getLogger().removeHandler(handler)
    print_night(result, log_file)


STATUS_VI = {"ok": "đã thu thập", "partial": "thu thập chưa đầy đủ", "unreachable": "không truy cập được",
             "blocked": "bị chặn", "interrupted": "bị gián đoạn"}


def print_night(result, log_file) -> None:
    summary = result.summary()
    sites = ", ".join(f"{n} {STATUS_VI.get(s, s)}" for s, n in sorted(result.sites.items(), key=lambda kv: -kv[1]))
    pages = result.pages
    console.print(f"[bold]Đêm {result.night:%d/%m/%Y}: hoàn tất[/] (lượt thu thập {result.crawl_run_id}, "
                  f"lượt đánh giá {result.audit_id})", highlight=False)
    console.print(f"  Thu thập: {sum(result.sites.values())} trang web ({sites}); {pages['fetched']} trang tải mới, "
                  f"{pages['unchanged']} trang không đổi, {pages['disappeared']} trang biến mất; "
                  f"{pages['bytes'] // 1024} KB", highlight=False)
    console.print("  Xếp loại: " + ", ".join(f"{g} {n}" for g, n in result.grades.items()), highlight=False)
    changes = result.changes
    if changes.previous_audit_id is None:
        console.print("  Thay đổi: chưa có lượt đánh giá trước để so sánh", highlight=False)
    else:
        console.print(f"  Thay đổi so với lượt {changes.previous_audit_id}: {len(changes.regressions)} tiêu chí giảm, "
                      f"{len(changes.improvements)} cải thiện, {len(changes.lost)} trang web mới không truy cập được, "
                      f"{len(changes.recovered)} trang web truy cập lại được", highlight=False)
        for row in changes.regressions[:10]:
            console.print(f"    giảm: {row['agency_code']} {row['rule_code']} ({row['before']} → {row['after']})",
                          highlight=False)
    console.print("  Thông báo: " + ("; ".join(result.sent) if result.sent else "không gửi (không có gì xấu đi)"),
                  highlight=False)
    kept = summary["retention"]
    console.print(f"  Lưu trữ: bỏ trang của {len(kept['runs_pruned'])} lượt thu thập cũ, {kept['bodies_removed']} "
                  f"bản lưu ({kept['bytes_removed'] // 1024} KB)", highlight=False)
    console.print(f"  Kết quả: {result.folder}", soft_wrap=True, highlight=False)
    console.print(f"  Nhật ký: {log_file}", soft_wrap=True, highlight=False)


@click.command(help="Apply the retention policy now: drop the crawled pages of nights it does not keep, then the "
                    "stored copies no kept page and no finding refers to. Findings and scores are never removed.")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
def gc(dry_run) -> None:
    from minhbach.audit.retention import Policy, collect
    from minhbach.audit.store.bodies import BodyStore

    session_factory = sessions()
    lock = hold_lock("gc")
    try:
        with session_factory() as session:
            result = collect(session, BodyStore(config.bodies_dir()), Policy.from_settings(config.load_settings()),
                             date.today(), dry_run=dry_run)
    finally:
        lock.release()
    verb = "Sẽ bỏ" if dry_run else "Đã bỏ"
    runs = ", ".join(map(str, result.runs_pruned)) or "không lượt nào"
    console.print(f"{verb} {result.pages} trang của các lượt thu thập: {runs}; {len(result.bodies)} bản lưu "
                  f"({result.bytes // 1024} KB). Kết quả đánh giá và bằng chứng được giữ nguyên.", highlight=False)
