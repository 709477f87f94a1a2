from flask import Blueprint
from flask_login import current_user, login_required

from ..mobile import per_page, render
from ..urls import page_number
from . import services

bp = Blueprint("notify", __name__)


@bp.get("/notifications")
@login_required
def index():
    page = services.notifications_for(current_user, page_number(), per_page())
    response = render("notify/index.html", page=page)
    services.mark_all_read(current_user)
    return response
