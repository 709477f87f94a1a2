"""What disaster mode adds to the whole site: the disaster screen in place of the front page, the
one-line banner on every other page, and a notice in its reader's language.

Registered by the feature's setup (feature.py), so the site package knows nothing of disaster mode
and each base template needs one include line.

The screen must hold a surge on the city's worst day. Everything on it that is the same for every
reader (notices, shelter counts, verified reports) is kept a few seconds in the cache as plain
values; a logged-out reader's whole page is kept too, per template set, language and encoding, so a
crowd of readers costs a cache read each. A reader who brings no session at all gets that page with
no session cookie, and the page is marked for the micro-cache in front of Flask (ejan/microcache.py),
which answers the next such readers for SCREEN_SECONDS without entering the app. A member's page adds
their own part: their counts and own check-ins, one statement (checkins.for_screen). The first member's
page of a few seconds is also cut into a frame from which the next members' first loads are answered in
front of Flask (front.py, _framed); the micro-cache keeps each member's whole page for their own browser,
so a member reloading costs nothing until it runs out or they send a form.
"""
from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, make_response, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from .. import i18n, microcache, sessions
from ..caching import remembered
from ..members import access
from ..mobile import render, session_in_url
from ..mobile.render import page_charset, template_set
from . import checkins, events, front, reports
from .models import DisasterNotice
from .words import screen_words

SCREEN_SECONDS = 5
NOTICES_SHOWN = 3
REPORTS_SHOWN = 5
FRAGMENTS = ("top", "news")


def notice_text(texts: dict) -> dict:
    """A notice's {"title", "body"} in the reader's language (the request's or the mail's), else Japanese."""
    chosen = texts.get(i18n.current().code) or {}
    return chosen if chosen.get("title") and chosen.get("body") else texts[i18n.DEFAULT]


def report_layer_label() -> str:
    """The map layer's name for the reports, marked 訓練 in a drill like every other page."""
    summary = events.active_summary() or {}
    return (_("【訓練】") if summary.get("drill") else "") + _("まちかどレポート")


def shared_screen(event_id: int) -> dict:
    """The part of the screen that is the same for everyone, as plain values (it may live in Redis)."""
    def compute():
        from sqlalchemy import select

        from ..extensions import db
        from ..maps import services as maps

        event = events.event_for(event_id)
        notices = db.session.scalars(select(DisasterNotice).where(DisasterNotice.event_id == event.id)
                                     .order_by(DisasterNotice.posted_at.desc(), DisasterNotice.id.desc())
                                     .limit(NOTICES_SHOWN))
        return {
            "event": {"id": event.id, "title": event.title, "kind": event.kind, "drill": event.drill,
                      "districts": list(event.districts or ()), "started_at": event.started_at,
                      "confirmed": event.confirmed},
            "notices": [{"texts": n.texts, "posted_at": n.posted_at} for n in notices],
            "shelters": maps.shelter_counts(),
            "reports": [{"id": r.id, "category": r.category, "body": r.body[:140], "district": r.district,
                         "address": r.address, "created_at": r.created_at}
                        for r in reports.newest_verified(event, REPORTS_SHOWN)],
        }
    return remembered(f"disaster:screen:{event_id}", SCREEN_SECONDS, compute)


def show_screen(summary: dict, personal: Markup | None = None):
    """The disaster screen for this request's reader (with `personal`, that in place of the member's own part)."""
    shared = shared_screen(summary["id"])
    if personal is None and access.is_active(current_user):
        personal = Markup(personal_html(checkins.for_screen(current_user.id, summary["id"]), template_set(),
                                        url_for("disaster.checkin")))
    return render("disaster/screen.html", disaster_screen=True, **shared, screen_personal=personal,
                  **{f"screen_{part}": _fragment(part, shared) for part in FRAGMENTS})


def personal_html(own: dict, chosen_set: str, checkin_url: str) -> str:
    """An active member's own part of the screen (their counts and own check-ins: checkins.for_screen), in the
    language of the moment (the request's, or force_locale's in front of Flask, where there is no request:
    hence its URL as a value, and the template's environment without the app's context processors). Not kept:
    a browser reloading gets the page the micro-cache keeps for it, and a friend's check-in shows within the
    seconds the city's check-ins are kept (checkins.CITY_SECONDS)."""
    template = current_app.jinja_env.get_template(f"{chosen_set}/disaster/_screen_personal.html")
    words = screen_words(i18n.current().code)
    lines = {"friend_line": _status_line(own["friend_counts"], words["short"]),
             "community_line": _status_line(own["community_counts"], words["short"])}
    # Rendered with nothing but its values (shared=True): copying the environment's thirty globals into a new
    # context was a third of its cost, and it uses none of them.
    return str(template.make_module({"checkin_url": checkin_url, "words": words, **own, **lines},
                                    shared=True)).strip() + "\n"


def _status_line(counts: dict[str, int], short: dict[str, str]) -> Markup:
    """"無事 12, 避難所 3, 未確認 3": the same line in both template sets, made here at once (a loop of Jinja
    output per status was most of the part's cost)."""
    return escape(", ".join(f"{short[status]} {count}" for status, count in counts.items()))


def _fragment(part: str, shared: dict) -> Markup:
    """A part of the screen that is the same for every reader, as HTML kept a few seconds per template set and
    language: rendering it is most of the screen's own cost. Not for a cookieless keitai, whose links carry its
    session id (and maybe its language): its parts are rendered for it alone."""
    def compute():
        return render_template(f"{template_set()}/disaster/_screen_{part}.html", **shared).strip() + "\n"
    if session_in_url() or i18n.carried():
        return Markup(compute())
    key = ":".join(("disaster:fragment", str(shared["event"]["id"]), part, template_set(), i18n.current().code))
    return Markup(remembered(key, SCREEN_SECONDS, compute))


def _common_request() -> bool:
    return not (set(request.args) - {"view", i18n.PARAM} or session.get("_flashes"))


def _guest_page_key(summary: dict) -> str | None:
    """The cache key of a logged-out reader's page, or None when this request's page is not the common one."""
    if not _common_request() or session_in_url():
        return None  # a cookieless keitai's links carry its own session id
    return ":".join(("disaster:guest", str(summary["id"]), request.path, template_set(), i18n.current().code,
                     page_charset(),
                     request.args.get(i18n.PARAM, "")))


def _front_page():
    """Before the front page's own view: while an event is active, the disaster screen replaces it."""
    if request.endpoint != "site.home" or request.method != "GET":
        return None
    summary = events.active_summary()
    if summary is None:
        return None
    return respond(summary)


def respond(summary: dict):
    """The disaster screen at / or /disaster/: a logged-out reader's page comes whole from the cache."""
    if current_user.is_authenticated:
        key = front.frame_key(summary["id"]) if _framable() else None
        response = show_screen(summary) if key is None else _framed(summary, key)
        if _common_request() and not session_in_url():
            # Their browser reloading is answered in front of Flask for a few seconds, from a copy kept for
            # it alone; a check-in (a form) gives it a new key (microcache.WRITE_COOKIE).
            microcache.keep(SCREEN_SECONDS, member_id=current_user.id)
        return response
    sessionless = _brings_no_session() and _common_request()
    if sessionless:
        sessions.issue_none()  # before rendering: no link may carry a session id made for this reader
    key = _guest_page_key(summary)
    if key is None:
        return show_screen(summary)
    body, content_type = remembered(key, SCREEN_SECONDS, lambda: _page_bytes(show_screen(summary)))
    response = make_response(body)
    response.content_type = content_type
    if sessionless:
        microcache.keep(SCREEN_SECONDS)
    return response


def _framable() -> bool:
    """May this member's screen become the frame other members' screens are made from (front.py)? Not an
    admin's (it has their tools), nor one with a message flashed, nor a cookieless keitai's."""
    return (access.is_active(current_user) and not current_user.is_admin and not request.args
            and not session.get("_flashes") and not session_in_url() and not i18n.carried())


class _AnyMember:
    """current_user while a frame is rendered: a member with no name, no rights and an id found nowhere else
    on the page, cut out afterwards. What it does not have renders as nothing, so nothing of the member
    whose request built the frame can end up in it."""
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_admin = False
    status = access.STATUS_ACTIVE
    id = 9_007_199_254_740_881

    def get_id(self) -> str:
        return str(self.id)


def _framed(summary: dict, key) -> Response:
    """The member's screen, made from the frame this request cuts (and keeps for the members after them)."""
    member = current_user._get_current_object()
    checkin_url = url_for("disaster.checkin")
    values = {front.PERSONAL: personal_html(checkins.for_screen(member.id, summary["id"]), template_set(),
                                            checkin_url),
              front.MEMBER: str(member.id)}
    anyone = _AnyMember()
    mark = f"<!--{secrets.token_hex(8)}-->"
    g._login_user = anyone  # what Flask-Login's current_user reads
    try:
        response = show_screen(summary, personal=Markup(mark))
    finally:
        g._login_user = member
    encoding = request.device.encoding
    holes = {front.PERSONAL: mark.encode(), front.MEMBER: str(anyone.id).encode()}
    values = {name: value.encode(encoding, "ejan-geta") for name, value in values.items()}
    frame = front.keep(key, response.get_data(), holes, {"checkin_url": checkin_url}, SCREEN_SECONDS)
    response.set_data(frame.fill(values))
    return response


def _page_bytes(response) -> tuple[bytes, str]:
    return response.get_data(), response.content_type


def _brings_no_session() -> bool:
    return current_app.config["EJAN_SESSION_COOKIE"] not in request.cookies \
        and current_app.config["EJAN_SESSION_PARAM"] not in request.args


def _banner() -> dict:
    try:
        return {"disaster_now": events.active_summary()}
    except Exception:  # no tables yet (a fresh install before `flask db upgrade`): no banner
        current_app.logger.warning("disaster banner failed", exc_info=True)
        return {"disaster_now": None}


def init_app(app: Flask) -> None:
    from ..cli import ejan_cli
    from . import commands, words

    ejan_cli.add_command(commands.purge)
    words.init_app(app)
    app.add_template_global(notice_text)
    app.context_processor(_banner)
    app.before_request(_front_page)
    # Behind the micro-cache: a browser reloading gets its copy, a member's first load the frame.
    front.install(app, summary=events.active_summary, personal=personal_html, seconds=SCREEN_SECONDS)
    microcache.install(app)
