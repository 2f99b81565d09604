"""The `minhbach` command line: one group, its commands gathered from `minhbach.audit.cli`
(a module per command group)."""
from __future__ import annotations

import os
from pathlib import Path

import click

from minhbach.audit.cli.agencies import agencies
from minhbach.audit.cli.auditing import audit, export, report
from minhbach.audit.cli.changes import diff, history
from minhbach.audit.cli.cluster import worker, workers
from minhbach.audit.cli.common import App, fail
from minhbach.audit.cli.crawling import crawl, runs
from minhbach.audit.cli.db import db
from minhbach.audit.cli.demo import demo
from minhbach.audit.cli.monthly import monthly
from minhbach.audit.cli.nightly import gc, nightly
from minhbach.audit.cli.rules import rubrics_command, rules_command
from minhbach.audit.cli.web import serve, tokens, users
from minhbach.audit.words.i18n import _, use_for_libraries


class OneLineErrors(click.Group):
    """Problems of the machine, not of minhbach (an unreachable or corrupt database, a data
    folder that cannot be written) end in one line and exit code 2, not a traceback."""

    def main(self, *args, **kwargs):
        # Everything minhbach writes (the database and its WAL, stored pages, reports, logs, the
        # web secret) is its owner's alone from the moment it exists; share a folder on purpose.
        os.umask(0o077)
        use_for_libraries()  # click's own words ("Usage:", "Missing option") in the same language
        return super().main(*args, **kwargs)

    def invoke(self, ctx):
        from sqlalchemy.exc import DBAPIError, OperationalError

        from minhbach.audit.config import ConfigError
        from minhbach.audit.extras import MissingExtra
        from minhbach.audit.ops.cluster.settings import ClusterError
        from minhbach.audit.store.db import SchemaError

        try:
            return super().invoke(ctx)
        except (ConfigError, SchemaError, ClusterError, MissingExtra) as error:
            fail(str(error))
        except (OperationalError, DBAPIError) as error:
            reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
            fail(_("cannot use the database ({database}): {reason}").format(
                database=database_label(ctx.find_object(App)), reason=reason))
        except PermissionError as error:
            fail(_("{file}: permission denied").format(file=error.filename))
        except OSError as error:
            if error.filename is None:
                raise
            fail(f"{error.filename}: {error.strerror}")


def database_label(app: App | None) -> str:
    """The configured database, without a password."""
    from sqlalchemy.engine import make_url

    if app is None:   # no App in the click context: nothing configured to name
        return "MINHBACH_DATABASE_URL"
    try:
        return make_url(app.settings.store_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - the label is only for the message
        return "MINHBACH_DATABASE_URL"


@click.group(cls=OneLineErrors, help=_("Crawl Vietnamese government portals and audit what they publish."))
@click.version_option(package_name="minhbach", help=_("Show the version and exit."))
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help=_("Settings file (TOML; see data/minhbach.example.toml). Default: MINHBACH_CONFIG, "
                     "else minhbach.toml in the data folder."))
@click.pass_context
def main(ctx: click.Context, config_file: Path | None) -> None:
    ctx.obj = App(config_file)


for command in (agencies, crawl, runs, audit, report, export, history, diff, nightly, monthly, gc, serve, users,
                tokens, rules_command, rubrics_command, demo, worker, workers, db):
    main.add_command(command)


if __name__ == "__main__":
    main()
