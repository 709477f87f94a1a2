import secrets

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..errors import Invalid
from ..forms import ConfirmForm
from ..mobile import is_lite, page_number, per_page, render, text_part
from ..site.images import send_image
from ..text import to_jst
from . import services
from .forms import CommentForm, CommunityForm, EventForm, JoinForm, TopicForm
from .models import BANNED, CATEGORIES, PENDING
from ..request_size import takes_uploads

bp = Blueprint("communities", __name__)


def _token() -> str:
    return secrets.token_urlsafe(16)


def _upload(field):
    return field.data.stream if field.data and field.data.filename else None


# --- communities ------------------------------------------------------------------------------------------

@bp.get("/communities")
@login_required
def index():
    category = request.args.get("category") or None
    query = request.args.get("q", "")
    sort = request.args.get("sort", "members")
    try:
        page = services.list_communities(current_user, category=category, query=query, sort=sort,
                                         page=page_number(), per_page=per_page())
    except Invalid:
        return redirect(url_for("communities.index"))
    return render("communities/index.html", page=page, category=category, query=query, sort=sort,
                  categories=CATEGORIES, roles=services.roles_in(current_user, page.items))


@bp.get("/communities/mine")
@login_required
def mine():
    page = services.my_communities(current_user, page_number(), per_page())
    return render("communities/mine.html", page=page, roles=services.roles_in(current_user, page.items))


@bp.route("/communities/new", methods=["GET", "POST"])
@login_required
@takes_uploads
def new():
    form = CommunityForm()
    if form.validate_on_submit():
        try:
            community = services.create_community(
                current_user, name=form.name.data, category=form.category.data, description=form.description.data,
                join_policy=form.join_policy.data, topic_visibility=form.topic_visibility.data,
                image=_upload(form.image))
        except Invalid as error:
            form.add_error(error)
        else:
            flash("コミュニティを作りました。")
            return redirect(url_for("communities.show", community_id=community.id))
    return render("communities/form.html", form=form, community=None)


@bp.get("/communities/<int:community_id>")
@login_required
def show(community_id: int):
    community = services.get_community(current_user, community_id)
    role = services.role_of(current_user, community)
    readable = services.can_read_topics(current_user, community, role)
    topics = services.topics_of(current_user, community, 1, 5).items if readable else []
    events = services.upcoming_in(current_user, community, 3 if is_lite() else 5)
    return render("communities/show.html", community=community, role=role, readable=readable, topics=topics,
                  events=events, members=services.members_of(current_user, community, 1, 6 if is_lite() else 12),
                  form=ConfirmForm())


@bp.get("/communities/<int:community_id>/image/<variant>")
@login_required
def image(community_id: int, variant: str):
    return send_image(services.get_community(current_user, community_id).image_key, variant)


@bp.route("/communities/<int:community_id>/edit", methods=["GET", "POST"])
@login_required
@takes_uploads
def edit(community_id: int):
    community = services.get_community(current_user, community_id)
    if not services.runs(current_user, community):
        abort(403)
    form = CommunityForm(obj=community)
    if form.validate_on_submit():
        try:
            services.update_community(
                current_user, community.id, name=form.name.data, category=form.category.data,
                description=form.description.data, join_policy=form.join_policy.data,
                topic_visibility=form.topic_visibility.data, image=_upload(form.image),
                remove_image=form.remove_image.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash("コミュニティの設定を保存しました。")
            return redirect(url_for("communities.show", community_id=community.id))
    return render("communities/form.html", form=form, community=community)


# --- membership ---------------------------------------------------------------------------------------------

@bp.route("/communities/<int:community_id>/join", methods=["GET", "POST"])
@login_required
def join(community_id: int):
    community = services.get_community(current_user, community_id)
    form = JoinForm()
    if form.validate_on_submit():
        try:
            role = services.join(current_user, community.id, form.message.data or "")
        except Invalid as error:
            flash(error.message)
        else:
            flash("参加しました。" if role != PENDING else "参加を申請しました。管理人の承認をお待ちください。")
        return redirect(url_for("communities.show", community_id=community.id))
    return render("communities/join.html", community=community, form=form,
                  role=services.role_of(current_user, community))


@bp.route("/communities/<int:community_id>/leave", methods=["GET", "POST"])
@login_required
def leave(community_id: int):
    community = services.get_community(current_user, community_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.leave(current_user, community.id)
        except Invalid as error:
            flash(error.message)
        else:
            flash("コミュニティを退会しました。")
        return redirect(url_for("communities.show", community_id=community.id))
    return render("communities/leave.html", community=community, form=form,
                  role=services.role_of(current_user, community))


_MEMBER_ACTIONS = {
    "approve": (services.approve, "参加を承認しました。"),
    "decline": (services.decline, "参加申請をお断りしました。"),
    "remove": (services.remove_member, "メンバーから外しました。"),
    "ban": (services.ban, "参加を禁止しました。"),
    "unban": (services.unban, "参加禁止を解除しました。"),
    "promote": (lambda actor, cid, mid: services.set_moderator(actor, cid, mid, True), "副管理人にしました。"),
    "demote": (lambda actor, cid, mid: services.set_moderator(actor, cid, mid, False), "副管理人から外しました。"),
}


@bp.post("/communities/<int:community_id>/members/<int:member_id>/<action>")
@login_required
def member_action(community_id: int, member_id: int, action: str):
    if action not in _MEMBER_ACTIONS:
        abort(404)
    community = services.get_community(current_user, community_id)
    if ConfirmForm().validate_on_submit():
        act, done = _MEMBER_ACTIONS[action]
        try:
            act(current_user, community.id, member_id)
        except Invalid as error:
            flash(error.message)
        else:
            flash(done)
    return redirect(request.form.get("back") if request.form.get("back", "").startswith("/communities/")
                    else url_for("communities.members", community_id=community.id))


@bp.get("/communities/<int:community_id>/members")
@login_required
def members(community_id: int):
    community = services.get_community(current_user, community_id)
    role = services.role_of(current_user, community)
    page = services.members_of(current_user, community, page_number(), per_page())
    return render("communities/members.html", community=community, role=role, page=page, form=ConfirmForm(),
                  actions=services.actions_on(current_user, role, page.items))


@bp.get("/communities/<int:community_id>/<any(requests, banned):which>")
@login_required
def waiting(community_id: int, which: str):
    community = services.get_community(current_user, community_id)
    page = services.people_waiting(current_user, community, PENDING if which == "requests" else BANNED,
                                   page_number(), per_page())
    return render("communities/waiting.html", community=community, which=which, page=page, form=ConfirmForm())


@bp.route("/communities/<int:community_id>/handover", methods=["GET", "POST"])
@login_required
def handover(community_id: int):
    community = services.get_community(current_user, community_id)
    if not services.owns(current_user, community):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.hand_over(current_user, community.id, request.form.get("member_id", type=int) or 0)
        except Invalid as error:
            flash(error.message)
        else:
            flash("管理人を引き継ぎました。あなたは副管理人になりました。")
            return redirect(url_for("communities.show", community_id=community.id))
    return render("communities/handover.html", community=community, form=form,
                  page=services.members_of(current_user, community, page_number(), per_page()))


# --- topics --------------------------------------------------------------------------------------------------

@bp.get("/communities/<int:community_id>/topics")
@login_required
def topics(community_id: int):
    community = services.get_community(current_user, community_id)
    role = services.role_of(current_user, community)
    page = services.topics_of(current_user, community, page_number(), per_page())
    return render("communities/topics.html", community=community, role=role, page=page)


@bp.route("/communities/<int:community_id>/topics/new", methods=["GET", "POST"])
@login_required
def new_topic(community_id: int):
    community = services.get_community(current_user, community_id)
    form = TopicForm()
    if request.method == "GET":
        form.submit_token.data = _token()
    if form.validate_on_submit():
        try:
            topic = services.create_topic(current_user, community.id, title=form.title.data, body=form.body.data,
                                          submit_token=form.submit_token.data or None)
        except Invalid as error:
            form.add_error(error)
        else:
            flash("トピックを作りました。")
            return redirect(url_for("communities.topic", topic_id=topic.id))
    elif not services.can_post(current_user, community):
        abort(403)
    return render("communities/topic_form.html", form=form, community=community, topic=None)


@bp.get("/topics/<int:topic_id>")
@login_required
def topic(topic_id: int):
    found = services.get_topic(current_user, topic_id)
    return _topic_page(found, CommentForm(submit_token=_token()))


def _topic_page(found, form, status: int = 200):
    role = services.role_of(current_user, found.community)
    body, part, parts = text_part(found.body)
    comments = services.comments_on(found, page_number(), per_page(keitai=5))
    return render("communities/topic.html", status=status, topic=found, community=found.community, role=role,
                  form=form, comments=comments, deletable=services.deletable_comments(current_user, role, comments.items),
                  can_edit=services.can_edit_topic(current_user, found),
                  body=body, part=part, parts=parts, can_post=services.can_post(current_user,
                  found.community, role), actions=ConfirmForm())


@bp.route("/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@login_required
def edit_topic(topic_id: int):
    found = services.get_topic(current_user, topic_id)
    form = TopicForm(obj=found)
    if form.validate_on_submit():
        try:
            services.edit_topic(current_user, found.id, title=form.title.data, body=form.body.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash("トピックを更新しました。")
            return redirect(url_for("communities.topic", topic_id=found.id))
    elif not services.can_edit_topic(current_user, found):
        abort(403)
    return render("communities/topic_form.html", form=form, community=found.community, topic=found)


_TOPIC_SWITCHES = {
    "pin": ({"pinned": True}, "トピックを上に固定しました。"),
    "unpin": ({"pinned": False}, "固定を外しました。"),
    "close": ({"closed": True}, "トピックを締め切りました。"),
    "reopen": ({"closed": False}, "トピックを再開しました。"),
}


@bp.post("/topics/<int:topic_id>/<any(pin, unpin, close, reopen):switch>")
@login_required
def moderate_topic(topic_id: int, switch: str):
    if ConfirmForm().validate_on_submit():
        values, done = _TOPIC_SWITCHES[switch]
        services.moderate_topic(current_user, topic_id, **values)
        flash(done)
    return redirect(url_for("communities.topic", topic_id=topic_id))


@bp.route("/topics/<int:topic_id>/delete", methods=["GET", "POST"])
@login_required
def delete_topic(topic_id: int):
    found = services.get_topic(current_user, topic_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        community = services.delete_topic(current_user, found.id)
        flash("トピックを削除しました。")
        return redirect(url_for("communities.topics", community_id=community.id))
    if not services.runs(current_user, found.community):
        abort(403)
    return render("communities/delete_topic.html", topic=found, community=found.community, form=form)


@bp.post("/topics/<int:topic_id>/comments")
@login_required
def comment(topic_id: int):
    found = services.get_topic(current_user, topic_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            services.add_comment(current_user, found.id, form.body.data, follow=form.follow.data,
                                 submit_token=form.submit_token.data or None)
        except Invalid as error:
            form.add_error(error)
        else:
            flash("コメントを書きました。")
            size = per_page(keitai=5)
            # add_comment committed, so found.comment_count is read afresh and already counts this comment.
            last = max(1, -(-found.comment_count // size))
            return redirect(url_for("communities.topic", topic_id=found.id, page=last))
    return _topic_page(found, form, status=400)


@bp.get("/topics/comments/<int:comment_id>")
@login_required
def comment_page(comment_id: int):
    found = services.get_comment(current_user, comment_id)
    return render("communities/comment.html", comment=found, topic=found.topic, community=found.topic.community,
                  can_delete=services.can_delete_comment(current_user, found))


@bp.route("/topics/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete_comment(comment_id: int):
    found = services.get_comment(current_user, comment_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        topic_ = services.delete_comment(current_user, found.id)
        flash("コメントを削除しました。")
        return redirect(url_for("communities.topic", topic_id=topic_.id))
    if not services.can_delete_comment(current_user, found):
        abort(403)
    return render("communities/delete_comment.html", comment=found, topic=found.topic, form=form)


@bp.get("/topics/search")
@login_required
def search():
    query = request.args.get("q", "")
    try:
        page, error = services.search_topics(current_user, query, page_number(), per_page()), None
    except Invalid as invalid:
        page, error = services.search_topics(current_user, "", 1, per_page()), invalid.message
    return render("communities/search.html", page=page, query=query, error=error)


# --- events ----------------------------------------------------------------------------------------------------

def _event_start(form: EventForm):
    from datetime import datetime

    if not (form.date.data and form.time.data):
        return None
    return services.jst_to_utc(datetime.combine(form.date.data, form.time.data))


@bp.get("/communities/<int:community_id>/events")
@login_required
def community_events(community_id: int):
    community = services.get_community(current_user, community_id)
    past = request.args.get("past") == "1"
    page = services.events_of(current_user, community, past=past, page=page_number(), per_page=per_page())
    return render("communities/community_events.html", community=community, page=page, past=past,
                  role=services.role_of(current_user, community), going=services.going_counts(page.items))


@bp.get("/events")
@login_required
def events():
    page = services.upcoming_for(current_user, page_number(), per_page())
    return render("communities/events.html", page=page, going=services.going_counts(page.items))


@bp.route("/communities/<int:community_id>/events/new", methods=["GET", "POST"])
@login_required
def new_event(community_id: int):
    community = services.get_community(current_user, community_id)
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = services.create_event(current_user, community.id, title=form.title.data,
                                          starts_at=_event_start(form), place=form.place.data or "",
                                          description=form.description.data or "")
        except Invalid as error:
            form.add_error(error)
        else:
            flash("イベントを作りました。")
            return redirect(url_for("communities.event", event_id=event.id))
    elif not services.can_post(current_user, community):
        abort(403)
    return render("communities/event_form.html", form=form, community=community, event=None)


@bp.get("/events/<int:event_id>")
@login_required
def event(event_id: int):
    found = services.get_event(current_user, event_id)
    going, not_going = services.attendance_of(found)
    role = services.role_of(current_user, found.community)
    return render("communities/event.html", event=found, community=found.community, going=going,
                  not_going=not_going, mine=services.my_attendance(current_user, found),
                  can_change=services.can_change_event(current_user, found),
                  can_post=services.can_post(current_user, found.community, role), role=role, form=ConfirmForm())


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit_event(event_id: int):
    found = services.get_event(current_user, event_id)
    if not services.can_change_event(current_user, found):
        abort(403)
    form = EventForm(obj=found)
    if request.method == "GET":
        local = to_jst(found.starts_at)
        form.date.data, form.time.data = local.date(), local.time().replace(tzinfo=None)
    if form.validate_on_submit():
        try:
            services.update_event(current_user, found.id, title=form.title.data, starts_at=_event_start(form),
                                  place=form.place.data or "", description=form.description.data or "")
        except Invalid as error:
            form.add_error(error)
        else:
            flash("イベントを更新しました。")
            return redirect(url_for("communities.event", event_id=found.id))
    return render("communities/event_form.html", form=form, community=found.community, event=found)


@bp.route("/events/<int:event_id>/delete", methods=["GET", "POST"])
@login_required
def delete_event(event_id: int):
    found = services.get_event(current_user, event_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        community = services.delete_event(current_user, found.id)
        flash("イベントを削除しました。")
        return redirect(url_for("communities.show", community_id=community.id))
    if not services.can_change_event(current_user, found):
        abort(403)
    return render("communities/delete_event.html", event=found, form=form)


@bp.post("/events/<int:event_id>/attend")
@login_required
def attend(event_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            services.attend(current_user, event_id, request.form.get("status", ""))
        except Invalid as error:
            flash(error.message)
        else:
            flash("出欠を登録しました。")
    return redirect(url_for("communities.event", event_id=event_id))
