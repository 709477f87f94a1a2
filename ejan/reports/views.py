from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import Invalid
from ..mobile import render
from ..urls import page_number
from ..mobile import per_page
from . import moderation, services
from .forms import TsuhoActionForm, TsuhoForm
from .models import OPEN, RESOLVED
from .targets import kinds as tsuho_kinds

bp = Blueprint("reports", __name__)


@bp.route("/tsuho/<kind>/<int:target_id>", methods=["GET", "POST"])
@login_required
def new(kind: str, target_id: int):
    """通報 form: one page for every kind of thing, for PC and keitai alike."""
    target = services.target(current_user, kind, target_id)
    back = url_for(target.endpoint, **target.args)
    form = TsuhoForm()
    if form.validate_on_submit(lambda: services.check_report(form.reason.data, form.detail.data)):
        try:
            _tsuho, created = services.report(current_user, kind, target_id, reason=form.reason.data,
                                              detail=form.detail.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("通報を受け付けました。管理者が確認します。") if created
                  else _("この通報はすでに受け付けています。"))
            return redirect(back)
    already = services.already_reported(current_user, target.kind, target.id) is not None
    return render("reports/new.html", form=form, target=target, back=back, already=already,
                  status=400 if form.errors else 200)


# --- working the queue: admins under /admin (ejan/admin/views.py), a community's runners here -----------

def tsuho_queue_page(endpoint: str, detail_endpoint: str, scope: int | None, **url_args):
    """The queue, for admins (community_id None) or one community's runners; the reports feature's page shares it."""
    status = RESOLVED if request.args.get("status") == RESOLVED else OPEN
    kind = request.args.get("kind") if request.args.get("kind") in tsuho_kinds() else None
    page = moderation.queue(current_user, community_id=scope, status=status, kind=kind,
                            page=page_number(), per_page=per_page())
    return render("reports/queue.html", page=page, showing=status, kind=kind, kinds=tsuho_kinds(),
                  endpoint=endpoint, detail_endpoint=detail_endpoint, url_args=url_args,
                  community_id=scope)


def tsuho_page(tsuho_id: int, back_endpoint: str, action_endpoint: str, scope: int | None, **url_args):
    """One 通報 and what may be done about it; scope: the community whose runners work it, None for admins."""
    tsuho = moderation.get(current_user, tsuho_id, community_id=scope)
    form = TsuhoActionForm()
    if form.validate_on_submit():
        try:
            moderation.act(current_user, tsuho_id, form.outcome.data, form.note.data, community_id=scope)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("対応を記録し、通報した人に知らせました。"))
            return redirect(url_for(back_endpoint, **url_args))
    outcomes = moderation.outcomes_for(current_user, tsuho)
    form.outcome.choices = [c for c in form.outcome.choices if c.value in outcomes]
    return render("reports/moderate.html", tsuho=tsuho, target=moderation.target_of(current_user, tsuho), form=form,
                  outcomes=outcomes, back_endpoint=back_endpoint, action_endpoint=action_endpoint, url_args=url_args,
                  status=400 if form.errors else 200)


@bp.get("/communities/<int:community_id>/tsuho")
@login_required
def community_queue(community_id: int):
    """The 通報 about things written in this community, for its owner and moderators."""
    return tsuho_queue_page("reports.community_queue", "reports.community_tsuho", community_id,
                            community_id=community_id)


@bp.route("/communities/<int:community_id>/tsuho/<int:tsuho_id>", methods=["GET", "POST"])
@login_required
def community_tsuho(community_id: int, tsuho_id: int):
    return tsuho_page(tsuho_id, "reports.community_queue", "reports.community_tsuho", community_id,
                      community_id=community_id)
