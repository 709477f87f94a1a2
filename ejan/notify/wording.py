"""What a notification says: each feature declares the wording of its kinds (features.Feature.notifications)."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext

from .. import mail
from ..text import honorific
from .kinds import registry


def line_for(kind: str, actor_nickname: str | None, subject: str) -> str:
    """One line in the reader's language: the kind's wording with who did it and what it was about."""
    spec = registry().get(kind)
    # A member is addressed (「佐藤 さん」); the site itself is not.
    who = honorific(actor_nickname) if actor_nickname else current_app.config["EJAN_SITE_NAME"]
    if spec is None or spec.wording is None:
        if subject and (spec is not None or not actor_nickname):
            return subject  # an official notice: its title says it
        # a kind whose feature is no longer installed: still say who it was from
        return gettext("%(who)sからのお知らせ", who=who)
    return str(spec.wording) % {"who": who, "subject": subject}


def notification_text(notification) -> str:
    return line_for(notification.kind, notification.actor.nickname if notification.actor else None,
                    notification.subject)


def kind_label(kind: str) -> str:
    """What the preferences page calls a kind: its label, else its wording with blanks for who and what."""
    spec = registry()[kind]
    if spec.label is not None:
        return str(spec.label)
    return str(spec.wording) % {"who": "…", "subject": "…"}


def init_app(app) -> None:
    app.add_template_global(notification_text)
    app.add_template_global(kind_label)
    app.add_template_global(lambda: mail.message_domain(), "mail_domain")
