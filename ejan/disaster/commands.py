"""`flask ejan disaster-purge`: delete the safety check-ins whose retention time has passed (cron, daily)."""
import click

from . import checkins


@click.command("disaster-purge")
def purge() -> None:
    """Delete safety check-ins of events that ended longer ago than EJAN_DISASTER_CHECKIN_DAYS."""
    click.echo(f"{checkins.purge_expired()} safety check-ins deleted")
