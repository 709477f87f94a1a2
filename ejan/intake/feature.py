"""Disaster intake: JMA telegrams switch disaster mode on by themselves; residents mail reports from phones."""
from flask import Flask

from flask_babel import lazy_gettext as _l

from ..features import Feature
from ..navigation import NavLink
from .views import action_label, bp


def _setup(app: Flask) -> None:
    from ..cli import ejan_cli
    from .commands import jma_ingest, mail_ingest, mail_receiver

    for command in (jma_ingest, mail_ingest, mail_receiver):
        ejan_cli.add_command(command)
    app.add_template_global(action_label, "intake_action_label")


feature = Feature(name="intake", blueprints=(bp,), setup=_setup,
                  admin_links=(NavLink("intake.telegram_log", _l("気象庁電文の記録"), order=25),))
