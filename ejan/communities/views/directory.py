"""The community directory: list, search, mine, open, show and edit a community."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...errors import Invalid
from ...forms import ConfirmForm
from ...mobile import per_page, render
from ...urls import page_number
from ...images import send_image
from .. import access, directory as rules, events, membership, topics
from ..forms import CommunityForm
from ..models import CATEGORIES
from ...request_size import takes_uploads
from .blueprint import bp


def _upload(field):
    return field.data.stream if field.data and field.data.filename else None


def _check(form: CommunityForm):
    return rules.check_community(form.name.data, form.category.data, form.description.data, form.join_policy.data,
                                 form.topic_visibility.data)


@bp.get("/communities")
@login_required
def index():
    category = request.args.get("category") or None
    query = request.args.get("q", "")
    sort = request.args.get("sort", "members")
    try:
        page = rules.list_communities(current_user, category=category, query=query, sort=sort,
                                      page=page_number(), per_page=per_page())
    except Invalid:
        return redirect(url_for("communities.index"))
    return render("communities/index.html", page=page, category=category, query=query, sort=sort,
                  categories=CATEGORIES, roles=membership.roles_in(current_user, page.items))


@bp.get("/communities/mine")
@login_required
def mine():
    page = rules.my_communities(current_user, page_number(), per_page())
    return render("communities/mine.html", page=page, roles=membership.roles_in(current_user, page.items))


@bp.route("/communities/new", methods=["GET", "POST"])
@login_required
@takes_uploads
def new():
    form = CommunityForm()
    if form.validate_on_submit(lambda: _check(form)):
        try:
            community = rules.create_community(
                current_user, name=form.name.data, category=form.category.data, description=form.description.data,
                join_policy=form.join_policy.data, topic_visibility=form.topic_visibility.data,
                image=_upload(form.image))
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("コミュニティを作りました。"))
            return redirect(url_for("communities.show", community_id=community.id))
    return render("communities/form.html", form=form, community=None)


@bp.get("/communities/<int:community_id>")
@login_required
def show(community_id: int):
    community = access.get_community(current_user, community_id)
    role = access.role_of(current_user, community)
    readable = access.can_read_topics(current_user, community, role)
    latest = topics.topics_of(current_user, community, 1, per_page("community_topics"), role).items if readable else []
    coming = events.upcoming_in(current_user, community, per_page("community_events"))
    people = membership.members_of(current_user, community, 1, per_page("community_members"))
    return render("communities/show.html", community=community, role=role, readable=readable, topics=latest,
                  events=coming, members=people, form=ConfirmForm())


@bp.get("/communities/<int:community_id>/image/<variant>")
@login_required
def image(community_id: int, variant: str):
    return send_image(access.get_community(current_user, community_id).image_key, variant)


@bp.route("/communities/<int:community_id>/edit", methods=["GET", "POST"])
@login_required
@takes_uploads
def edit(community_id: int):
    community = rules.editable_community(current_user, community_id)
    form = CommunityForm(obj=community)
    if form.validate_on_submit(lambda: _check(form)):
        try:
            rules.update_community(
                current_user, community.id, name=form.name.data, category=form.category.data,
                description=form.description.data, join_policy=form.join_policy.data,
                topic_visibility=form.topic_visibility.data, image=_upload(form.image),
                remove_image=form.remove_image.data)
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("コミュニティの設定を保存しました。"))
            return redirect(url_for("communities.show", community_id=community.id))
    return render("communities/form.html", form=form, community=community)
