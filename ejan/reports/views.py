from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import Invalid
from ..mobile import render
from . import services
from .forms import TsuhoForm

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
