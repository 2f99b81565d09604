"""`minhbach serve` (the dashboard and the API), `minhbach users` and `minhbach tokens`."""
from __future__ import annotations

import sys

import click
from rich.table import Table

from minhbach.audit.cli.common import App, console, fail, pass_app
from minhbach.audit.extras import require
from minhbach.audit.words.i18n import _
from minhbach.audit.words.names import role_name


@click.command(help=_("Serve the officers' dashboard and the JSON API (/api/v1)."))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--secure-cookies", is_flag=True, help=_("Send the session cookie only over HTTPS (behind a TLS proxy)."))
@pass_app
def serve(app: App, host, port, secure_cookies) -> None:
    require("web", "minhbach serve")
    import uvicorn

    from minhbach.audit.web.app import create_app

    dashboard = create_app(app.settings, app.store, secure_cookies=secure_cookies)
    console.print(_("Dashboard: {url} (Ctrl-C to stop)").format(url=f"http://{host}:{port}/"), highlight=False)
    # the client's address is read by the app, from the proxies the settings trust (web/security.py)
    uvicorn.run(dashboard, host=host, port=port, log_level="warning", proxy_headers=False)


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt(_("Password"), hide_input=True, confirmation_prompt=_("Repeat the password"))


@click.group(help=_("Dashboard accounts: admin, inspector, or agency (sees its own agency and its children)."))
def users() -> None:
    require("web", "minhbach users")


@users.command("add", help=_("Add an account; the password is asked twice (or read with --password-stdin)."))
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "inspector", "agency"]), required=True)
@click.option("--agency", "agency_code", metavar="CODE", help=_("The agency of an agency account."))
@click.option("--password-stdin", is_flag=True, help=_("Read the password from standard input."))
@pass_app
def users_add(app: App, username, role, agency_code, password_stdin) -> None:
    from minhbach.audit.people.accounts import AccountError, add_user

    with app.sessions() as session:
        try:
            add_user(session, username, _password(password_stdin), role, agency_code)
        except AccountError as error:
            fail(str(error))
    console.print(_("Account {name} added.").format(name=username), highlight=False)


@users.command("list", help=_("Show the accounts."))
@pass_app
def users_list(app: App) -> None:
    from sqlalchemy import select

    from minhbach.audit.store.models import User

    with app.sessions() as session:
        rows = list(session.scalars(select(User).order_by(User.username)))
    table = Table(title=_("Accounts"))
    for header in (_("User name"), _("Role"), _("Agency"), _("Status"), _("Added at")):
        table.add_column(header)
    for user in rows:
        state = _("active") if user.active else _("disabled")
        table.add_row(user.username, role_name(user.role), user.agency_code or "", state,
                      f"{user.created_at:%d/%m/%Y %H:%M}")
    console.print(table)


@users.command("disable", help=_("Disable an account (it can no longer log in)."))
@click.argument("username")
@pass_app
def users_disable(app: App, username) -> None:
    from minhbach.audit.people.accounts import AccountError, set_active

    with app.sessions() as session:
        try:
            set_active(session, username, False)
        except AccountError as error:
            fail(str(error))
    console.print(_("Account {name} disabled.").format(name=username), highlight=False)


@users.command("passwd", help=_("Set a new password for an account."))
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help=_("Read the password from standard input."))
@pass_app
def users_passwd(app: App, username, password_stdin) -> None:
    from minhbach.audit.people.accounts import AccountError, set_password

    with app.sessions() as session:
        try:
            set_password(session, username, _password(password_stdin))
        except AccountError as error:
            fail(str(error))
    console.print(_("Password of {name} changed.").format(name=username), highlight=False)


@users.command("sign-out", help=_("End every dashboard session of an account (a lost laptop, a copied cookie)."))
@click.argument("username")
@pass_app
def users_sign_out(app: App, username) -> None:
    from minhbach.audit.people.accounts import AccountError, sign_out_everywhere

    with app.sessions() as session:
        try:
            ended = sign_out_everywhere(session, username)
        except AccountError as error:
            fail(str(error))
    console.print(_("Sessions of {name} ended: {n}.").format(name=username, n=ended), highlight=False)


@click.group(help=_("Bearer tokens for the JSON API (/api/v1)."))
def tokens() -> None:
    require("web", "minhbach tokens")


@tokens.command("add", help=_("Make a token and print it once; it reads what an account of its role would."))
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "inspector", "agency"]), default="inspector", show_default=True)
@click.option("--agency", "agency_code", metavar="CODE", help=_("The agency of an agency token."))
@pass_app
def tokens_add(app: App, name, role, agency_code) -> None:
    from minhbach.audit.people.accounts import AccountError, add_token

    with app.sessions() as session:
        try:
            token = add_token(session, name, role, agency_code)
        except AccountError as error:
            fail(str(error))
    click.echo(token)
    click.echo(_("Keep this token now: minhbach keeps only its hash. Use: Authorization: Bearer <token>"), err=True)


@tokens.command("revoke", help=_("Revoke a token."))
@click.argument("name")
@pass_app
def tokens_revoke(app: App, name) -> None:
    from minhbach.audit.people.accounts import AccountError, revoke_token

    with app.sessions() as session:
        try:
            revoke_token(session, name)
        except AccountError as error:
            fail(str(error))
    console.print(_("Token {name} revoked.").format(name=name), highlight=False)
