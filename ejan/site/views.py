from flask import Blueprint, abort, request
from flask_login import current_user

from ..forms import ConfirmForm
from ..communities import services as communities
from ..diary import services as diary
from ..friends import services as friends
from ..members.forms import LoginForm
from ..mobile import render
from ..notify import services as notify
from ..urls import web_address

bp = Blueprint("site", __name__)


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return render("site/welcome.html", form=LoginForm())
    return render(
        "site/home.html",
        unread=notify.unread_count(current_user),
        incoming=friends.incoming_count(current_user),
        friends_page=friends.friends_of(current_user, 1, 9),
        diary_page=diary.friends_feed(current_user, 1, 5),
        communities_page=communities.my_communities(current_user, 1, 5),
        events_page=communities.upcoming_for(current_user, 1, 3),
        logout_form=ConfirmForm(),
    )


@bp.get("/jump")
def jump():
    """A page between a keitai and another site, so our URL (and its session id) is not the Referer there."""
    url = web_address(request.args.get("url"))
    if url is None:
        abort(404)
    return render("site/jump.html", url=url)
