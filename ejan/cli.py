"""`flask ejan …`: the commands a city administrator runs on the server."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .extensions import db
from .urls import absolute_url
from .members import services as members
from .members.models import ROLE_ADMIN, Member

ejan_cli = AppGroup("ejan", help="e-じゃん掛川 administration.")


@ejan_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--nickname", prompt=True, default="掛川市役所")
@click.password_option()
def create_admin(email: str, nickname: str, password: str) -> None:
    """Create an administrator (the root of the invite tree)."""
    member = members.create_member(email, nickname, password, role=ROLE_ADMIN)
    click.echo(f"administrator {member.email} created (id {member.id})")


@ejan_cli.command("invite")
@click.argument("email")
@click.option("--by", "inviter_email", help="inviting member's e-mail (default: the first administrator)")
@click.option("--message", default="")
def invite(email: str, inviter_email: str | None, message: str) -> None:
    """Invite EMAIL; prints the registration link."""
    query = db.select(Member)
    query = query.where(Member.email == members.normalize_email(inviter_email)) if inviter_email \
        else query.where(Member.role == ROLE_ADMIN).order_by(Member.id)
    inviter = db.session.scalars(query.limit(1)).first()
    if inviter is None:
        raise click.ClickException("no inviting member: run `flask ejan create-admin` first")
    issued = members.invite(inviter, email, message)
    click.echo(absolute_url("members.join", token=issued.token))


@ejan_cli.command("demo")
def demo() -> None:
    """Load demo data: an administrator and about 30 residents with friendships."""
    from .demo import load

    admin_email, password = load()
    click.echo(f"demo data loaded; administrator: {admin_email} / {password}")


@ejan_cli.command("purge-sessions")
def purge_sessions() -> None:
    """Delete expired login sessions."""
    from .sessions import purge_expired

    count = purge_expired()
    db.session.commit()
    click.echo(f"{count} expired sessions removed")


@ejan_cli.command("check-config")
def check_config() -> None:
    """Report settings unsafe in production; exits non-zero when there is one."""
    from .ops.checks import unsafe_settings

    findings = unsafe_settings(current_app)
    for finding in findings:
        click.echo(f"UNSAFE {finding.name}: {finding.message}")
    if findings:
        raise click.exceptions.Exit(1)
    click.echo("no unsafe setting found")


@ejan_cli.command("backup")
@click.argument("directory", type=click.Path(file_okay=False))
def backup(directory: str) -> None:
    """Write a consistent snapshot (database and media) into DIRECTORY, which must be new or empty."""
    from . import backup as backups
    from .storage import store_at

    try:
        summary = backups.backup(db.engine, store_at(current_app.config["EJAN_MEDIA_DIR"]), directory)
    except backups.BackupError as error:
        raise click.ClickException(str(error))
    click.echo(f"backup written to {directory}: {sum(summary.tables.values())} rows in {len(summary.tables)} tables, "
               f"{summary.media} media files")


@ejan_cli.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="restore even over a database with members or a store with files")
def restore(directory: str, force: bool) -> None:
    """Bring back a backup made by `flask ejan backup` on an empty installation."""
    from . import backup as backups
    from .storage import store_at

    db.session.remove()
    try:
        summary = backups.restore(db.engine, store_at(current_app.config["EJAN_MEDIA_DIR"]), directory, force=force)
    except backups.BackupError as error:
        raise click.ClickException(str(error))
    click.echo(f"restored from {directory}: {sum(summary.tables.values())} rows in {len(summary.tables)} tables, "
               f"{summary.media} media files")
