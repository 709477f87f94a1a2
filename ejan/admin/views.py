"""/admin: the administration's pages, for PCs and keitai alike. Parse, call one service, render."""
from __future__ import annotations

import secrets

from flask import Blueprint, Response, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..charts import svg_bar_chart, text_bar
from ..dbutil import as_id
from ..errors import Invalid
from ..forms import ConfirmForm
from ..mobile import per_page, render
from ..reports.views import tsuho_page, tsuho_queue_page
from ..urls import page_number
from . import announcements, audit, members, stats
from .forms import AnnouncementForm, AuditFilterForm, MemberSearchForm, ReasonForm, RoleForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("")
@login_required
def index():
    audit.require_admin(current_user)
    return render("admin/index.html", links=current_app.extensions.get("ejan.admin_links", []))


# --- the audit log ---------------------------------------------------------------------------------

@bp.get("/audit")
@login_required
def audit_log():
    form = AuditFilterForm(request.args)
    page = audit.entries(current_user, action=(form.action.data or "").strip() or None,
                         actor_id=as_id(form.actor.data), target_kind=(form.target_kind.data or "").strip() or None,
                         target_id=as_id(form.target_id.data), page=page_number(), per_page=per_page())
    filters = {k: v for k, v in request.args.items() if k in ("action", "actor", "target_kind", "target_id") and v}
    return render("admin/audit.html", page=page, form=form, filters=filters)


# --- members ---------------------------------------------------------------------------------------

@bp.get("/members")
@login_required
def member_search():
    form = MemberSearchForm(request.args)
    page = members.search(current_user, form.q.data or "", form.district.data or None, form.status.data or None,
                          page=page_number(), per_page=per_page())
    filters = {k: v for k, v in request.args.items() if k in ("q", "district", "status") and v}
    return render("admin/members.html", page=page, form=form, filters=filters)


def _member_page(member_id: int, reason_form=None, role_form=None, status: int = 200):
    found = members.overview(current_user, member_id)
    role_form = role_form or RoleForm(formdata=None, data={"role": found["member"].role})
    return render("admin/member.html", **found, reason_form=reason_form or ReasonForm(formdata=None),
                  role_form=role_form, status=status)


@bp.get("/members/<int:member_id>")
@login_required
def member(member_id: int):
    return _member_page(member_id)


@bp.post("/members/<int:member_id>/<any(suspend, reinstate):action>")
@login_required
def member_status(member_id: int, action: str):
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            if action == "suspend":
                changed = members.suspend(current_user, member_id, form.reason.data)
                flash(_("利用停止にしました。") if changed else _("すでに利用停止中です。"))
            else:
                changed = members.reinstate(current_user, member_id, form.reason.data)
                flash(_("利用停止を解除しました。") if changed else _("すでに利用中です。"))
        except Invalid as error:
            form.add_error(error)
        else:
            return redirect(url_for("admin.member", member_id=member_id))
    return _member_page(member_id, reason_form=form, status=400)


@bp.post("/members/<int:member_id>/role")
@login_required
def member_role(member_id: int):
    form = RoleForm()
    if form.validate_on_submit():
        try:
            changed = members.set_role(current_user, member_id, form.role.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("役割を変えました。") if changed else _("役割は変わっていません。"))
            return redirect(url_for("admin.member", member_id=member_id))
    return _member_page(member_id, role_form=form, status=400)


# --- the 通報 queue ---------------------------------------------------------------------------------

@bp.get("/tsuho")
@login_required
def tsuho_queue():
    return tsuho_queue_page("admin.tsuho_queue", "admin.tsuho", None)


@bp.route("/tsuho/<int:tsuho_id>", methods=["GET", "POST"])
@login_required
def tsuho(tsuho_id: int):
    return tsuho_page(tsuho_id, "admin.tsuho_queue", "admin.tsuho", None)


# --- announcements ---------------------------------------------------------------------------------

@bp.route("/announcements", methods=["GET", "POST"])
@login_required
def announcement_list():
    audit.require_admin(current_user)
    form = AnnouncementForm()
    if form.validate_on_submit(lambda: announcements.check(form.title.data, form.body.data, form.starts_on.data,
                                                           form.ends_on.data)):
        try:
            announcements.create(current_user, title=form.title.data, body=form.body.data,
                                 starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                 broadcast=form.broadcast.data, submit_token=form.submit_token.data or None)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("お知らせを掲載しました。"))
            return redirect(url_for("admin.announcement_list"))
    if not form.submit_token.data:
        form.submit_token.data = secrets.token_urlsafe(16)
    page = announcements.all_of(current_user, page_number(), per_page())
    return render("admin/announcements.html", form=form, page=page, end_form=ConfirmForm(),
                  status=400 if form.errors else 200)


@bp.post("/announcements/<int:announcement_id>/end")
@login_required
def announcement_end(announcement_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            announcements.end_now(current_user, announcement_id)
        except Invalid as error:
            flash(str(error))
        else:
            flash(_("お知らせの掲載を終えました。"))
    return redirect(url_for("admin.announcement_list"))


# --- statistics --------------------------------------------------------------------------------------

@bp.get("/stats")
@login_required
def statistics():
    figures = stats.for_admin(current_user)
    charts = {c.name: svg_bar_chart(stats.bars(figures, c.name), str(c.label), percent=False, css_class="stats-chart")
              for c in figures.columns} if not request.device.is_keitai else {}
    return render("admin/stats.html", stats=figures, charts=charts, bars=stats.bars, text_bar=text_bar)


@bp.get("/stats.csv")
@login_required
def statistics_csv():
    figures = stats.for_admin(current_user)
    return Response(stats.as_csv(figures), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=ejan-statistics.csv"})
