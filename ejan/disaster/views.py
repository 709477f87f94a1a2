"""Disaster mode's pages: parse, call a service, render. The rules are in events, reports, checkins, archive."""
from __future__ import annotations

import secrets

from flask import Blueprint, Response, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from ..dbutil import as_id
from ..errors import Invalid, NotFound
from ..forms import ConfirmForm
from ..images import send_image
from ..members.models import DISTRICTS
from ..mobile import per_page, render
from ..request_size import takes_uploads
from ..geo.bbox import parse_bbox
from ..geo.position import carrier_position, position_link
from ..urls import page_after, page_number
from . import archive, checkins, events, reports, screen
from .forms import CheckInForm, NoticeForm, ReportForm, SearchForm, StartEventForm, TriageForm

bp = Blueprint("disaster", __name__, url_prefix="/disaster")


def _token() -> str:
    return secrets.token_urlsafe(16)


def _active():
    """The active event, or NotFound: the pages of disaster mode exist only while it is on."""
    event = events.active_event()
    if event is None:
        raise NotFound(_("現在、災害情報の配信はありません。"))
    return event


@bp.get("/")
def index():
    summary = events.active_summary()
    if summary is None:
        return render("disaster/none.html")
    return screen.respond(summary)


# --- damage reports ---------------------------------------------------------------------------------------

def _filters() -> dict:
    hours = request.args.get("hours", type=int)
    return {"category": request.args.get("category") or None, "district": request.args.get("district") or None,
            "hours": hours if hours in reports.HOURS else None}


@bp.get("/reports")
def report_list():
    event = _active()
    filters = _filters()
    page = reports.reports_of(current_user, event, **filters, page=page_number(), per_page=per_page(),
                              after=page_after())
    return render("disaster/reports.html", event=event, page=page, filters=filters, districts=DISTRICTS,
                  filter_args={k: v for k, v in filters.items() if v})


@bp.get("/reports.geojson")
def report_geojson():
    """The map's report layer (feature.py declares it): the same ?bbox= as /api/pins.geojson."""
    event = _active()
    try:
        bbox = parse_bbox(request.args.get("bbox"))
    except Invalid as error:
        response = jsonify({"error": error.message})
        response.status_code = 400
        return response
    body = reports.geojson(current_user, event, bbox=bbox)
    for feature in body["features"]:
        feature["properties"]["url"] = url_for("disaster.report_show", report_id=feature["id"])
    response = jsonify(body)
    response.mimetype = "application/geo+json"
    response.headers["Cache-Control"] = "private, no-store"  # what a viewer may see is theirs
    return response


@bp.route("/reports/new", methods=["GET", "POST"])
@login_required
@takes_uploads
def report_new():
    event = _active()
    form = ReportForm()
    if request.method == "GET":
        form.submit_token.data = _token()
        position = carrier_position(request.args)  # a phone's GPS link comes back here
        if position is not None:
            form.lat.data, form.lon.data = f"{position[0]:.6f}", f"{position[1]:.6f}"
    if form.validate_on_submit():
        photo = form.photo.data.stream if form.photo.data and form.photo.data.filename else None
        try:
            report = reports.create_report(current_user, event, category=form.category.data, body=form.body.data,
                                           lat=form.lat.data or None, lon=form.lon.data or None,
                                           district=form.district.data or None, address=form.address.data or "",
                                           photo=photo, submit_token=form.submit_token.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("レポートを送りました。市の職員が確認します。"))
            return redirect(url_for("disaster.report_show", report_id=report.id))
    return render("disaster/report_form.html", event=event, form=form,
                  gps_link=position_link(request.device.carrier, url_for("disaster.report_new", _external=True)),
                  map_frame=url_for("maps.frame", place=1, category="shelter", lat=form.lat.data or None,
                                    lon=form.lon.data or None))


@bp.get("/reports/<int:report_id>")
def report_show(report_id: int):
    report = reports.get_report(current_user, report_id)
    return render("disaster/report.html", report=report, photo=reports.photo_visible(current_user, report),
                  triage_form=TriageForm() if current_user.is_authenticated and current_user.is_admin else None)


@bp.get("/reports/<int:report_id>/photo/<variant>")
@login_required
def report_photo(report_id: int, variant: str):
    report = reports.get_report(current_user, report_id)
    if not reports.photo_visible(current_user, report):
        raise NotFound()
    return send_image(report.image_key, variant)


# --- safety check-in -----------------------------------------------------------------------------------------

def _shelter_choices():
    from ..maps import services as maps

    return [SelectChoice("", _("選んでください"))] + [
        SelectChoice(str(pin.id), pin.title) for pin in maps.shelters_page(1, 300).items]


@bp.route("/checkin", methods=["GET", "POST"])
@login_required
def checkin():
    event = _active()
    form = CheckInForm()
    form.shelter_id.choices = _shelter_choices()
    mine = checkins.mine(current_user, event.id)
    if request.method == "GET" and mine and not request.args.get("family"):
        own = mine[0] if not mine[0].person else None
        if own is not None:
            form.status.data, form.comment.data, form.visibility.data = own.status, own.comment, own.visibility
            form.shelter_id.data = str(own.shelter_id or "")
    if form.validate_on_submit():
        try:
            checkins.check_in(current_user, event, status=form.status.data, comment=form.comment.data or "",
                              visibility=form.visibility.data, shelter_id=as_id(form.shelter_id.data or ""),
                              person=form.person.data or "")
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("安否を登録しました。"))
            return redirect(url_for("disaster.checkin"))
    return render("disaster/checkin.html", event=event, form=form, mine=mine, remove_form=ConfirmForm())


@bp.post("/checkin/<int:checkin_id>/remove")
@login_required
def checkin_remove(checkin_id: int):
    if ConfirmForm().validate_on_submit():
        checkins.remove_proxy(current_user, _active(), checkin_id)
    return redirect(url_for("disaster.checkin"))


@bp.get("/search")
@login_required
def search():
    event = _active()
    form = SearchForm(request.args)
    page = checkins.search(current_user, event, form.q.data or "", page_number(), per_page())
    return render("disaster/search.html", event=event, form=form, page=page, q=(form.q.data or "")[:40])


@bp.get("/shelters")
def shelters():
    from ..maps import services as maps
    from ..maps.categories import shelter_status_label

    return render("disaster/shelters.html", page=maps.shelters_page(page_number(), per_page()),
                  counts=maps.shelter_counts(), shelter_status_label=shelter_status_label)


# --- the city's side: the switch, notices, triage, safety, archive ------------------------------------------

@bp.get("/admin")
@login_required
def admin():
    page = archive.events_page(current_user, page_number(), per_page())
    event = events.active_event()
    return render("disaster/admin.html", page=page, event=event, form=ConfirmForm(),
                  unverified=reports.unverified_count(event) if event else 0)


@bp.route("/admin/start", methods=["GET", "POST"])
@login_required
def admin_start():
    archive.events_page(current_user, 1, 1)  # admins only, before anything is shown
    form = StartEventForm()
    if request.method == "GET":
        form.submit_token.data = _token()
    if form.validate_on_submit():
        try:
            event = events.start_event(form.title.data, form.kind.data, form.districts.data or [], form.texts(),
                                       by=current_user, drill=form.drill.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("訓練を開始しました。") if event.drill else _("災害モードを開始しました。"))
            return redirect(url_for("disaster.admin"))
    return render("disaster/admin_start.html", form=form)


@bp.post("/admin/end")
@login_required
def admin_end():
    if ConfirmForm().validate_on_submit():
        event = events.active_event()
        if event is not None:
            events.end_event(current_user, event)
            flash(_("災害モードを終了しました。"))
    return redirect(url_for("disaster.admin"))


@bp.post("/admin/confirm")
@login_required
def admin_confirm():
    if ConfirmForm().validate_on_submit():
        events.confirm_event(current_user, _active())
    return redirect(url_for("disaster.admin"))


@bp.route("/admin/notice", methods=["GET", "POST"])
@login_required
def admin_notice():
    archive.events_page(current_user, 1, 1)  # admins only
    event = _active()
    form = NoticeForm()
    if request.method == "GET":
        form.submit_token.data = _token()
    if form.validate_on_submit():
        try:
            events.post_notice(event, form.texts(), by=current_user, submit_token=form.submit_token.data or None)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("お知らせを配信しました。"))
            return redirect(url_for("disaster.admin"))
    return render("disaster/admin_notice.html", form=form, event=event)


@bp.get("/admin/triage")
@login_required
def admin_triage():
    event = _active()
    page = reports.triage_queue(current_user, event, page_number(), per_page())
    return render("disaster/admin_triage.html", event=event, page=page, form=TriageForm())


@bp.post("/admin/reports/<int:report_id>/status")
@login_required
def admin_report_status(report_id: int):
    form = TriageForm()
    if form.validate_on_submit():
        try:
            reports.triage(current_user, report_id, form.status.data)
        except Invalid as error:
            flash(error.message)
    if request.args.get("back") == "report":
        return redirect(url_for("disaster.report_show", report_id=report_id))
    return redirect(url_for("disaster.admin_triage"))


@bp.get("/admin/safety")
@login_required
def admin_safety():
    event = _active()
    return render("disaster/admin_safety.html", event=event,
                  districts=checkins.district_counts(current_user, event),
                  rescue=checkins.needing_rescue(current_user, event, page_number(), per_page()))


@bp.get("/admin/events/<int:event_id>")
@login_required
def admin_event(event_id: int):
    return render("disaster/admin_event.html", form=ConfirmForm(), **archive.summary(current_user, event_id))


@bp.get("/admin/events/<int:event_id>/reports.csv")
@login_required
def admin_event_csv(event_id: int):
    rows = archive.reports_csv(current_user, event_id)
    return Response(rows, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=disaster-{event_id}-reports.csv"})


@bp.post("/admin/events/<int:event_id>/delete")
@login_required
def admin_event_delete(event_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            archive.remove_drill(current_user, event_id)
        except Invalid as error:
            flash(error.message)
            return redirect(url_for("disaster.admin_event", event_id=event_id))
        flash(_("訓練の記録を削除しました。"))
    return redirect(url_for("disaster.admin"))
