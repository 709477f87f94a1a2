"""Topics and their comments: list, read, write, edit, moderate, delete, search."""
import secrets

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required

from ...errors import Invalid
from ...forms import ConfirmForm
from ...mobile import per_page, render, text_part
from ...urls import page_number
from .. import access, topics as rules
from ..forms import CommentForm, TopicForm
from .blueprint import bp
from .membership import members_only


def _token() -> str:
    return secrets.token_urlsafe(16)


@bp.get("/communities/<int:community_id>/topics")
@login_required
def topics(community_id: int):
    community = access.get_community(current_user, community_id)
    role = access.role_of(current_user, community)
    if not access.can_read_topics(current_user, community, role):
        return members_only(community, role, "topics")
    page = rules.topics_of(current_user, community, page_number(), per_page(), role)
    return render("communities/topics.html", community=community, role=role, page=page)


@bp.route("/communities/<int:community_id>/topics/new", methods=["GET", "POST"])
@login_required
def new_topic(community_id: int):
    community = rules.community_for_new_topic(current_user, community_id)
    form = TopicForm()
    if request.method == "GET":
        form.submit_token.data = _token()
    if form.validate_on_submit(lambda: rules.check_post(form.title.data, form.body.data)):
        try:
            topic = rules.create_topic(current_user, community.id, title=form.title.data, body=form.body.data,
                                       submit_token=form.submit_token.data or None)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("トピックを作りました。"))
            return redirect(url_for("communities.topic", topic_id=topic.id))
    return render("communities/topic_form.html", form=form, community=community, topic=None)


@bp.get("/topics/<int:topic_id>")
@login_required
def topic(topic_id: int):
    found, role = rules.topic_and_role(current_user, topic_id)
    return _topic_page(found, role, CommentForm(submit_token=_token()))


def _topic_page(found, role, form, status: int = 200):
    body, part, parts = text_part(found.body)
    comments = rules.comments_on(found, page_number(), per_page("comments"), viewer=current_user)
    return render("communities/topic.html", status=status, topic=found, community=found.community, role=role,
                  form=form, comments=comments, deletable=rules.deletable_comments(current_user, role, comments.items),
                  can_edit=rules.can_edit_topic(current_user, found),
                  body=body, part=part, parts=parts, can_post=rules.can_comment(current_user, found, role),
                  actions=ConfirmForm())


@bp.route("/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@login_required
def edit_topic(topic_id: int):
    found = rules.editable_topic(current_user, topic_id)
    form = TopicForm(obj=found)
    if form.validate_on_submit(lambda: rules.check_post(form.title.data, form.body.data)):
        try:
            rules.edit_topic(current_user, found.id, title=form.title.data, body=form.body.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("トピックを更新しました。"))
            return redirect(url_for("communities.topic", topic_id=found.id))
    return render("communities/topic_form.html", form=form, community=found.community, topic=found)


_TOPIC_SWITCHES = {
    "pin": ({"pinned": True}, _l("トピックを上に固定しました。")),
    "unpin": ({"pinned": False}, _l("固定を外しました。")),
    "close": ({"closed": True}, _l("トピックを締め切りました。")),
    "reopen": ({"closed": False}, _l("トピックを再開しました。")),
}


@bp.post("/topics/<int:topic_id>/<any(pin, unpin, close, reopen):switch>")
@login_required
def moderate_topic(topic_id: int, switch: str):
    if ConfirmForm().validate_on_submit():
        values, done = _TOPIC_SWITCHES[switch]
        rules.moderate_topic(current_user, topic_id, **values)
        flash(str(done))
    return redirect(url_for("communities.topic", topic_id=topic_id))


@bp.route("/topics/<int:topic_id>/delete", methods=["GET", "POST"])
@login_required
def delete_topic(topic_id: int):
    found = rules.deletable_topic(current_user, topic_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        community = rules.delete_topic(current_user, found.id)
        flash(_("トピックを削除しました。"))
        return redirect(url_for("communities.topics", community_id=community.id))
    return render("communities/delete_topic.html", topic=found, community=found.community, form=form)


@bp.post("/topics/<int:topic_id>/comments")
@login_required
def comment(topic_id: int):
    found, role = rules.topic_and_role(current_user, topic_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            written = rules.add_comment(current_user, found.id, form.body.data, follow=form.follow.data,
                                        submit_token=form.submit_token.data or None)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("コメントを書きました。"))
            # Land on the new comment: its page of the list, scrolled to it (#c<id> works on most phones too).
            page = rules.page_of_comment(written, per_page("comments"), viewer=current_user)
            return redirect(url_for("communities.topic", topic_id=found.id, page=page, _anchor=f"c{written.id}"))
    return _topic_page(found, role, form, status=400)


@bp.get("/topics/comments/<int:comment_id>")
@login_required
def comment_page(comment_id: int):
    found = rules.get_comment(current_user, comment_id)
    return render("communities/comment.html", comment=found, topic=found.topic, community=found.topic.community,
                  can_delete=rules.can_delete_comment(current_user, found))


@bp.route("/topics/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete_comment(comment_id: int):
    found = rules.deletable_comment(current_user, comment_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        topic_ = rules.delete_comment(current_user, found.id)
        flash(_("コメントを削除しました。"))
        return redirect(url_for("communities.topic", topic_id=topic_.id))
    return render("communities/delete_comment.html", comment=found, topic=found.topic, form=form)


@bp.get("/topics/search")
@login_required
def search():
    query = request.args.get("q", "")
    try:
        page, error = rules.search_topics(current_user, query, page_number(), per_page()), None
    except Invalid as invalid:
        page, error = rules.search_topics(current_user, "", 1, per_page()), invalid.message
    return render("communities/search.html", page=page, query=query, error=error)
