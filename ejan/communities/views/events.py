"""A community's events and the events of all my communities; attendance."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...clock import from_jst_fields, jst_fields
from ...errors import Invalid
from ...forms import ConfirmForm
from ...mobile import per_page, render
from ...urls import page_number
from .. import access, events as rules
from ..forms import EventForm
from .blueprint import bp
from .membership import members_only


def _event_start(form: EventForm):
    return from_jst_fields(form.date.data, form.time.data)


@bp.get("/communities/<int:community_id>/events")
@login_required
def community_events(community_id: int):
    community = access.get_community(current_user, community_id)
    role = access.role_of(current_user, community)
    if not access.can_read_topics(current_user, community, role):
        return members_only(community, role, "events")
    past = request.args.get("past") == "1"
    page = rules.events_of(current_user, community, past=past, page=page_number(), per_page=per_page())
    return render("communities/community_events.html", community=community, page=page, past=past,
                  role=role, going=rules.going_counts(page.items))


@bp.get("/events")
@login_required
def events():
    page = rules.upcoming_for(current_user, page_number(), per_page())
    return render("communities/events.html", page=page, going=rules.going_counts(page.items))


@bp.route("/communities/<int:community_id>/events/new", methods=["GET", "POST"])
@login_required
def new_event(community_id: int):
    community = rules.community_for_new_event(current_user, community_id)
    form = EventForm()
    if form.validate_on_submit(lambda: rules.check_event(form.title.data, _event_start(form), form.place.data,
                                                         form.description.data, new=True)):
        try:
            event = rules.create_event(current_user, community.id, title=form.title.data,
                                       starts_at=_event_start(form), place=form.place.data or "",
                                       description=form.description.data or "")
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("イベントを作りました。"))
            return redirect(url_for("communities.event", event_id=event.id))
    return render("communities/event_form.html", form=form, community=community, event=None)


@bp.get("/events/<int:event_id>")
@login_required
def event(event_id: int):
    found = rules.get_event(current_user, event_id)
    going, not_going = rules.attendance_of(found)
    role = access.role_of(current_user, found.community)
    return render("communities/event.html", event=found, community=found.community, going=going,
                  not_going=not_going, mine=rules.my_attendance(current_user, found),
                  can_change=rules.can_change_event(current_user, found),
                  can_post=access.can_post(current_user, found.community, role), role=role, form=ConfirmForm())


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit_event(event_id: int):
    found = rules.changeable_event(current_user, event_id)
    form = EventForm(obj=found)
    if request.method == "GET":
        form.date.data, form.time.data = jst_fields(found.starts_at)
    if form.validate_on_submit(lambda: rules.check_event(form.title.data, _event_start(form), form.place.data,
                                                         form.description.data)):
        try:
            rules.update_event(current_user, found.id, title=form.title.data, starts_at=_event_start(form),
                               place=form.place.data or "", description=form.description.data or "")
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("イベントを更新しました。"))
            return redirect(url_for("communities.event", event_id=found.id))
    return render("communities/event_form.html", form=form, community=found.community, event=found)


@bp.route("/events/<int:event_id>/delete", methods=["GET", "POST"])
@login_required
def delete_event(event_id: int):
    found = rules.changeable_event(current_user, event_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        community = rules.delete_event(current_user, found.id)
        flash(_("イベントを削除しました。"))
        return redirect(url_for("communities.show", community_id=community.id))
    return render("communities/delete_event.html", event=found, form=form)


@bp.post("/events/<int:event_id>/attend")
@login_required
def attend(event_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            rules.attend(current_user, event_id, request.form.get("status", ""))
        except Invalid as error:
            flash(error.message)
        else:
            flash(_("出欠を登録しました。"))
    return redirect(url_for("communities.event", event_id=event_id))
