from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user

from .. import i18n
from ..dbutil import scalars_at_once
from ..forms import ConfirmForm
from ..communities import directory, events
from ..diary import services as diary
from ..friends import services as friends
from ..members import services as members
from ..members.forms import LoginForm
from ..mobile import carry, render, without_session
from ..notify import services as notify
from ..urls import local_path, web_address

bp = Blueprint("site", __name__)


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return render("site/welcome.html", form=LoginForm())
    # The header's two counts in one statement: the home page is the one every member opens most.
    unread, incoming = scalars_at_once(notify.unread_count_query(current_user),
                                       friends.incoming_count_query(current_user))
    return render(
        "site/home.html",
        unread=unread,
        incoming=incoming,
        friends_page=friends.friends_of(current_user, 1, 9),
        diary_page=diary.friends_feed(current_user, 1, 5),
        communities_page=directory.my_communities(current_user, 1, 5),
        events_page=events.upcoming_for(current_user, 1, 3),
        logout_form=ConfirmForm(),
    )


@bp.get("/terms")
def terms():
    """利用規約, for everyone (linked from every page's footer)."""
    return render("site/terms.html")


@bp.get("/privacy")
def privacy():
    """プライバシーポリシー: what is kept, for how long, who sees it, and the rule of 退会 (docs/leaving.md)."""
    config = current_app.config
    return render("site/privacy.html", session_days=config["EJAN_SESSION_DAYS"],
                  checkin_days=config["EJAN_DISASTER_CHECKIN_DAYS"], log_days=config["EJAN_LOG_DAYS"],
                  backup_days=config["EJAN_BACKUP_DAYS"])


@bp.get("/jump")
def jump():
    """A page between a keitai and another site, so our URL (and its session id) is not the Referer there."""
    url = web_address(request.args.get("url"))
    if url is None:
        abort(404)
    return render("site/jump.html", url=url)


@bp.get("/language/<code>")
def language(code: str):
    """The footer's language switcher: a logged-in member's choice goes into the profile, anyone's into a cookie.

    A GET, so a keitai can follow it as a plain link; the worst a forged link can do is change the
    language, which the same footer changes back.
    """
    code = i18n.valid(code)
    if code is None:
        abort(404)
    if current_user.is_authenticated:
        members.set_language(current_user, code)
    target = without_session(local_path(request.args.get("next")) or url_for("site.home", **{i18n.PARAM: None}))
    if request.device.is_keitai:
        target = i18n.with_language(target, code)  # a cookieless keitai carries it from here on
    return i18n.remember(redirect(carry(target)), code)
