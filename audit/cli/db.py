"""`minhbach db status` and `minhbach db upgrade`: the store's schema, explicitly."""
from __future__ import annotations

import click

from minhbach.audit.cli.common import App, console, pass_app
from minhbach.audit.words.i18n import _


@click.group(help=_("The database's schema: its revision, and its upgrade to this minhbach's."))
def db() -> None:
    pass


@db.command("status", help=_("Say which schema revision the database has and which this minhbach needs."))
@pass_app
def db_status(app: App) -> None:
    from minhbach.audit.store.db import current_revision, head_revision

    settings = app.settings
    settings.ensure_data_dir()
    revision = current_revision(settings.store_url)
    console.print(_("{database}: schema {revision}; this minhbach needs {head}").format(
        database=_label(settings.store_url), revision=revision or _("(empty)"), head=head_revision()),
        highlight=False)


@db.command("upgrade", help=_("Upgrade the database's schema to this minhbach's (nothing to do when it is current)."))
@pass_app
def db_upgrade(app: App) -> None:
    from minhbach.audit.store.db import current_revision, head_revision, upgrade

    settings = app.settings
    settings.ensure_data_dir()
    before = current_revision(settings.store_url)
    upgrade(settings.store_url)
    console.print(_("Schema {before} → {head}").format(before=before or _("(empty)"), head=head_revision())
                  if before != head_revision() else _("The schema is current ({head}).").format(head=head_revision()),
                  highlight=False)


def _label(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
