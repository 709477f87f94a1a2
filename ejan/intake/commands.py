"""`flask ejan jma-ingest`, `mail-ingest` and `mail-receiver`: intake from a shell, a replayed feed, an MTA."""
from __future__ import annotations

import sys
import time

import click
from flask import current_app

from . import mailin, telegrams


@click.command("jma-ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def jma_ingest(files: tuple[str, ...]) -> None:
    """Read JMA telegrams from FILES, in the order given; one line per file: FILE ACTION: REASON."""
    for name in files:
        try:
            with open(name, "rb") as handle:
                data = handle.read(current_app.config["EJAN_JMA_MAX_BYTES"] + 1)
        except OSError as error:
            click.echo(f"{name} refused: cannot read the file ({error.strerror or error})")
            continue
        if len(data) > current_app.config["EJAN_JMA_MAX_BYTES"]:
            click.echo(f"{name} refused: larger than EJAN_JMA_MAX_BYTES")
            continue
        click.echo(f"{name} {telegrams.receive(data, source=name).line}")


@click.command("mail-ingest")
@click.option("--sender", default=None, help="the envelope sender, when the MTA passes it (e.g. Postfix ${sender})")
def mail_ingest(sender: str | None) -> None:
    """Take one report mail from standard input. Prints ACTION: REASON; exits 1 when refused."""
    limit = current_app.config["EJAN_REPORT_MAIL_MAX_BYTES"]
    raw = sys.stdin.buffer.read(limit + 1)
    if len(raw) > limit:
        click.echo("refused: message larger than EJAN_REPORT_MAIL_MAX_BYTES")
        sys.exit(1)
    outcome = mailin.accept(raw, sender)
    click.echo(f"{outcome.action}: {outcome.reason}")
    if outcome.action == mailin.REFUSED:
        sys.exit(1)


@click.command("mail-receiver")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8025, show_default=True, type=int)
@click.option("--lmtp", is_flag=True, help="speak LMTP (for Postfix/Exim delivering over lmtp:) instead of SMTP")
def mail_receiver(host: str, port: int, lmtp: bool) -> None:
    """Run the report mail receiver until interrupted."""
    from .receiver import controller

    server = controller(current_app._get_current_object(), host, port, lmtp=lmtp)
    server.start()
    click.echo(f"receiving report mail ({'LMTP' if lmtp else 'SMTP'}) on {host}:{port}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
