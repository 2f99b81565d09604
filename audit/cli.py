"""The `minhbach` command line: one group, its commands gathered from `minhbach.audit.commands`
(a module per command group)."""
from __future__ import annotations

import click

from minhbach.audit.commands.agencies import agencies
from minhbach.audit.commands.auditing import audit, export, report
from minhbach.audit.commands.crawling import crawl, runs
from minhbach.audit.commands.demo import demo
from minhbach.audit.commands.rules import rules_command


@click.group(help="Crawl Vietnamese government portals and audit what they publish.")
@click.version_option(package_name="minhbach")
def main() -> None:
    pass


for command in (agencies, crawl, runs, audit, report, export, rules_command, demo):
    main.add_command(command)


if __name__ == "__main__":
    main()
