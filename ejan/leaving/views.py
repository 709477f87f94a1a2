"""退会 pages: the rule and what will happen, then the password again; the same URL for PCs and keitai."""
from flask import Blueprint, redirect, session, url_for
from flask_login import current_user, login_required, logout_user

from ..errors import Invalid
from ..mobile import render
from . import services
from .forms import LeaveForm

bp = Blueprint("leaving", __name__)


@bp.route("/leave", methods=["GET", "POST"])
@login_required
def leave():
    notes = services.notes_for(current_user)
    form = LeaveForm()
    if services.may_leave(notes) and form.validate_on_submit():
        try:
            services.leave(current_user, form.password.data)
        except Invalid as error:
            form.password.errors = [*form.password.errors, error.message]
        else:
            logout_user()
            session.clear()
            return redirect(url_for("leaving.done"))
    return render("leaving/confirm.html", form=form, notes=notes, may_leave=services.may_leave(notes))


@bp.get("/leave/done")
def done():
    return render("leaving/done.html")
