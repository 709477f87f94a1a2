"""What disaster mode adds to every page and every mail: the one-line banner and the notice in the
reader's language. Registered by the feature's setup, so the base templates need one include each."""
from __future__ import annotations

from flask import Flask

from .. import i18n
from . import events


def notice_text(texts: dict) -> dict:
    """A notice's {"title", "body"} in the reader's language (the request's or the mail's), else Japanese."""
    chosen = texts.get(i18n.current().code) or {}
    return chosen if chosen.get("title") and chosen.get("body") else texts[i18n.DEFAULT]


def _banner() -> dict:
    try:
        return {"disaster_now": events.active_summary()}
    except Exception:  # no tables yet (a fresh install before `flask db upgrade`): no banner
        return {"disaster_now": None}


def init_app(app: Flask) -> None:
    app.add_template_global(notice_text)
    app.context_processor(_banner)
