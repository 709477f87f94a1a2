"""What a notification says: each feature declares the wording of its kinds (features.Feature.notifications)."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext

from ..text import honorific


def notification_text(notification) -> str:
    wording = current_app.extensions["ejan.notification_wording"].get(notification.kind)
    # A member is addressed (「佐藤 さん」); the site itself is not.
    who = honorific(notification.actor.nickname) if notification.actor else current_app.config["EJAN_SITE_NAME"]
    if wording is None:  # a kind whose feature is no longer installed: still say who it was from
        return gettext("%(who)sからのお知らせ", who=who)
    return str(wording) % {"who": who, "subject": notification.subject}


def init_app(app) -> None:
    app.add_template_global(notification_text)
