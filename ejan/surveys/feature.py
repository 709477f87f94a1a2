"""Surveys: moderators ask their community, the city asks its residents; answers from PCs and keitai."""
import click
from flask import Flask
from flask_babel import lazy_gettext as _l

from ..features import Feature, MonthlyCount
from ..navigation import NavLink
from .models import Response
from .views import bp


def setup(app: Flask) -> None:
    # Community pages show a tab for each feature that lists something per community, without the
    # communities templates knowing the feature (they loop over `community_tabs`).
    app.jinja_env.globals.setdefault("community_tabs", []).append(("surveys.community", _l("アンケート")))

    from ..tasks import on_beat

    # A survey scheduled to open later is announced within a few minutes of its time, by the one beat.
    on_beat("ejan.surveys.announce_due", "ejan.surveys.announce_due", 300)

    @app.cli.command("announce-surveys")
    def announce_surveys() -> None:
        """Send "survey opened" for scheduled surveys whose time has come (beat does it every 5 minutes)."""
        from .builder import announce_due

        click.echo(f"{announce_due()} surveys announced")


feature = Feature(
    name="surveys",
    blueprints=(bp,),
    tasks=("ejan.surveys.tasks",),
    receivers=("ejan.surveys.leaving",),  # its part of 退会
    # Not in the keitai footer: it is on every page, and the busiest keitai pages sit close to 10 KB.
    # Phones reach surveys from the "survey opened" notice and mail, and from the community menu.
    nav=(NavLink("surveys.index", _l("アンケート"), order=35, key=None, keitai=False),),
    notifications={
        "survey_opened": _l("アンケート「%(subject)s」が始まりました。ご協力をお願いします"),
        "survey_reminder": _l("アンケート「%(subject)s」への回答をお願いします（締切が近づいています）"),
    },
    admin_links=(NavLink("surveys.new", _l("市のアンケートを作る"), order=60),),
    monthly=(MonthlyCount("survey_responses", _l("アンケート回答"), Response.created_at, order=60),),
    setup=setup,
)
