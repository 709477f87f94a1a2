from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import Invalid
from ..extensions import csrf
from ..forms import ConfirmForm
from ..mobile import per_page, render
from ..urls import page_number
from . import admin, bounces, delivery, keitai, preferences, services
from .forms import KeitaiForm
from .kinds import CHANNELS, KEITAI, PC

bp = Blueprint("notify", __name__)


@bp.get("/notifications")
@login_required
def index():
    page = services.notifications_for(current_user, page_number(), per_page())
    response = render("notify/index.html", page=page)
    services.mark_all_read(current_user)
    return response


# --- preferences ---------------------------------------------------------------------------------

def _settings_page(form=None, keitai_form=None, status=200):
    member = current_user
    addresses = {PC: member.email, KEITAI: member.keitai_email}
    return render("notify/preferences.html", status=status, rows=preferences.choices_for(member),
                  channels=CHANNELS, form=form or ConfirmForm(), keitai_form=keitai_form or KeitaiForm(),
                  keitai_state=keitai.state_of(member), addresses=addresses,
                  bounced=bounces.state_of(addresses.values()), bounce_limit=bounces.limit())


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def preferences_page():
    form = ConfirmForm()
    if request.method == "POST":
        if form.validate_on_submit():
            preferences.save(current_user, request.form)
            flash(_("お知らせの設定を保存しました。"))
            return redirect(url_for("notify.preferences_page"))
        return _settings_page(form=form, status=400)
    return _settings_page()


@bp.post("/notifications/settings/keitai")
@login_required
def keitai_register():
    form = KeitaiForm()
    if form.validate_on_submit():
        try:
            address = keitai.register(current_user, form.address.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("%(address)s に確認メールを送りました。メールのリンクを開くと登録が終わります。", address=address))
            return redirect(url_for("notify.preferences_page"))
    return _settings_page(keitai_form=form, status=400)


@bp.post("/notifications/settings/keitai/remove")
@login_required
def keitai_remove():
    if ConfirmForm().validate_on_submit():
        keitai.remove(current_user)
        flash(_("携帯メールアドレスの登録を取り消しました。"))
    return redirect(url_for("notify.preferences_page"))


@bp.post("/notifications/settings/<any(pc, keitai):channel>/resume")
@login_required
def resume(channel: str):
    """The member fixed their mailbox: mail to that address may be tried again."""
    if ConfirmForm().validate_on_submit():
        address = current_user.email if channel == PC else current_user.keitai_email
        if address:
            bounces.forgive(address)
            flash(_("メールの送信を再開します。"))
    return redirect(url_for("notify.preferences_page"))


@bp.get("/notifications/keitai/<token>")
def keitai_confirm(token: str):
    row = keitai.confirm(token)
    return render("notify/keitai_confirmed.html", address=row.address)


# --- one-click unsubscribe (RFC 8058): no login, the signed token is the proof ------------------

@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail clients POST `List-Unsubscribe=One-Click` with no form of ours; the token is signed
def unsubscribe(token: str):
    found = delivery.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    member_id, kind, channel = found
    done = False
    if request.method == "POST":
        done = preferences.set_mode(member_id, kind, channel, "off")
        if not done:
            abort(404)
    return render("notify/unsubscribe.html", kind=kind, channel=channel, token=token, done=done)


# --- admins --------------------------------------------------------------------------------------

@bp.get("/notifications/admin/broadcasts")
@login_required
def admin_broadcasts():
    page = admin.broadcasts(current_user, page_number(), per_page())
    return render("notify/admin_broadcasts.html", page=page,
                  progress={b.id: delivery.progress(b.id) for b in page.items})


@bp.get("/notifications/admin/broadcasts/<int:broadcast_id>")
@login_required
def admin_broadcast(broadcast_id: int):
    found = admin.broadcast(current_user, broadcast_id)
    return render("notify/admin_broadcast.html", broadcast=found, progress=delivery.progress(found.id),
                  in_site=delivery.reached_in_site(found.id), form=ConfirmForm(),
                  failed=admin.failed_deliveries(current_user, found.id, page_number(), per_page()))


@bp.post("/notifications/admin/broadcasts/<int:broadcast_id>/retry")
@login_required
def admin_retry(broadcast_id: int):
    if ConfirmForm().validate_on_submit():
        queued = admin.retry_failed(current_user, broadcast_id)
        flash(_("失敗した配信を再送に回しました（%(count)d件の処理）。", count=queued))
    return redirect(url_for("notify.admin_broadcast", broadcast_id=broadcast_id))


@bp.get("/notifications/admin/bounces")
@login_required
def admin_bounces():
    return render("notify/admin_bounces.html", page=admin.bounced(current_user, page_number(), per_page()),
                  limit=bounces.limit())
