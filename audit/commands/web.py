"""`minhbach serve` (the dashboard and the API), `minhbach users` and `minhbach tokens`."""
from __future__ import annotations

import sys

import click
from rich.table import Table

from minhbach.audit.commands.common import console, fail, sessions


@click.command(help="Serve the officers' dashboard and the JSON API (/api/v1).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--secure-cookies", is_flag=True, help="Send the session cookie only over HTTPS (behind a TLS proxy).")
def serve(host, port, secure_cookies) -> None:
    import uvicorn

    from minhbach.audit.web.app import create_app

    sessions()
    console.print(f"Bảng điều khiển: http://{host}:{port}/ (Ctrl-C để dừng)", highlight=False)
    uvicorn.run(create_app(secure_cookies=secure_cookies), host=host, port=port, log_level="warning")


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")


@click.group(help="Dashboard accounts: admin, inspector, or agency (sees its own agency and its children).")
def users() -> None:
    pass


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "inspector", "agency"]), required=True)
@click.option("--agency", "agency_code", metavar="CODE", help="The agency of an agency account.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(username, role, agency_code, password_stdin) -> None:
    from minhbach.audit.accounts import AccountError, add_user

    with sessions()() as session:
        try:
            add_user(session, username, _password(password_stdin), role, agency_code)
        except AccountError as error:
            fail(str(error))
    console.print(f"Đã tạo tài khoản {username}.", highlight=False)


@users.command("list")
def users_list() -> None:
    from sqlalchemy import select

    from minhbach.audit.accounts import ROLES
    from minhbach.audit.store.models import User

    with sessions()() as session:
        rows = list(session.scalars(select(User).order_by(User.username)))
    table = Table(title="Tài khoản")
    for header in ("Tên đăng nhập", "Vai trò", "Cơ quan", "Trạng thái", "Tạo lúc"):
        table.add_column(header)
    for user in rows:
        table.add_row(user.username, ROLES[user.role], user.agency_code or "", "hoạt động" if user.active else "đã khóa",
                      f"{user.created_at:%d/%m/%Y %H:%M}")
    console.print(table)


@users.command("disable")
@click.argument("username")
def users_disable(username) -> None:
    from minhbach.audit.accounts import AccountError, set_active

    with sessions()() as session:
        try:
            set_active(session, username, False)
        except AccountError as error:
            fail(str(error))
    console.print(f"Đã khóa tài khoản {username}.", highlight=False)


@users.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_passwd(username, password_stdin) -> None:
    from minhbach.audit.accounts import AccountError, set_password

    with sessions()() as session:
        try:
            set_password(session, username, _password(password_stdin))
        except AccountError as error:
            fail(str(error))
    console.print(f"Đã đổi mật khẩu của {username}.", highlight=False)


@click.group(help="Bearer tokens for the JSON API (/api/v1).")
def tokens() -> None:
    pass


@tokens.command("add")
@click.argument("name")
def tokens_add(name) -> None:
    from minhbach.audit.accounts import AccountError, add_token

    with sessions()() as session:
        try:
            token = add_token(session, name)
        except AccountError as error:
            fail(str(error))
    click.echo(token)
    click.echo("Lưu mã này ngay: minhbach chỉ giữ bản băm của nó. Dùng: Authorization: Bearer <mã>", err=True)


@tokens.command("revoke")
@click.argument("name")
def tokens_revoke(name) -> None:
    from minhbach.audit.accounts import AccountError, revoke_token

    with sessions()() as session:
        try:
            revoke_token(session, name)
        except AccountError as error:
            fail(str(error))
    console.print(f"Đã thu hồi mã {name}.", highlight=False)
