"""The community directory: opening and editing a community, finding one, the ones I belong to."""
from __future__ import annotations

from typing import BinaryIO

from flask import current_app
from flask_babel import format_number, gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import media
from ..dbutil import contains
from ..errors import Forbidden, Invalid, Problems
from ..extensions import db
from ..members.models import Member
from ..pagination import Page, paginate
from .access import get_community, is_active, require_role
from .models import CATEGORIES, JOIN_POLICIES, JOINED, OWNER, RUNNERS, TOPIC_VISIBILITIES, Community, Membership

NAME_MAX = 60
DESCRIPTION_MAX = 5_000
SORTS = ("members", "activity", "new")


# --- opening and editing ------------------------------------------------------------------------------------

def check_community(name: str, category: str, description: str, join_policy: str, topic_visibility: str):
    """A community's settings, trimmed; every fault at once."""
    name, description = (name or "").strip(), (description or "").strip()
    problems = Problems()
    if not name:
        problems.add(_("コミュニティ名を入力してください。"), "name")
    elif len(name) > NAME_MAX:
        problems.add(_("コミュニティ名は%(max)d文字以内にしてください。", max=NAME_MAX), "name")
    if category not in CATEGORIES:
        problems.add(_("カテゴリを一覧から選んでください。"), "category")
    if not description:
        problems.add(_("説明を入力してください。"), "description")
    elif len(description) > DESCRIPTION_MAX:
        problems.add(_("説明は%(max)s文字以内にしてください。", max=format_number(DESCRIPTION_MAX)), "description")
    if join_policy not in JOIN_POLICIES:
        problems.add(_("参加のしかたを選んでください。"), "join_policy")
    if topic_visibility not in TOPIC_VISIBILITIES:
        problems.add(_("トピックの公開範囲を選んでください。"), "topic_visibility")
    problems.raise_any()
    return name, category, description, join_policy, topic_visibility


def _name_taken(name: str, except_id: int | None = None) -> bool:
    stmt = select(Community.id).where(func.lower(Community.name) == name.lower())
    if except_id:
        stmt = stmt.where(Community.id != except_id)
    return db.session.scalar(stmt) is not None


def create_community(owner: Member, *, name: str, category: str, description: str, join_policy: str = "open",
                     topic_visibility: str = "site", image: BinaryIO | None = None) -> Community:
    if not is_active(owner):
        raise Forbidden(_("ログインしてください。"))
    name, category, description, join_policy, topic_visibility = check_community(
        name, category, description, join_policy, topic_visibility)
    if _name_taken(name):
        raise Invalid(_("同じ名前のコミュニティがすでにあります。別の名前にしてください。"), code="name")
    image_key = media.store_image(image, current_app.config["EJAN_MEDIA_DIR"]).key if image else None
    community = Community(name=name, category=category, description=description, join_policy=join_policy,
                          topic_visibility=topic_visibility, owner_id=owner.id, image_key=image_key, member_count=1)
    db.session.add(community)
    try:
        db.session.flush()
        db.session.add(Membership(community_id=community.id, member_id=owner.id, role=OWNER))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if image_key:
            media.delete_image(current_app.config["EJAN_MEDIA_DIR"], image_key)
        raise Invalid(_("同じ名前のコミュニティがすでにあります。別の名前にしてください。"), code="name")
    return community


def editable_community(actor: Member, community_id: int) -> Community:
    """A community whose settings the actor may change: the owner and moderators."""
    community = get_community(actor, community_id)
    require_role(actor, community, RUNNERS, _("コミュニティの設定を変えられるのは管理人と副管理人です。"))
    return community


def update_community(actor: Member, community_id: int, *, name: str, category: str, description: str,
                     join_policy: str, topic_visibility: str, image: BinaryIO | None = None,
                     remove_image: bool = False) -> Community:
    community = editable_community(actor, community_id)
    name, category, description, join_policy, topic_visibility = check_community(
        name, category, description, join_policy, topic_visibility)
    if _name_taken(name, except_id=community.id):
        raise Invalid(_("同じ名前のコミュニティがすでにあります。別の名前にしてください。"), code="name")
    old_image = community.image_key
    if image is not None:
        community.image_key = media.store_image(image, current_app.config["EJAN_MEDIA_DIR"]).key
    elif remove_image:
        community.image_key = None
    community.name, community.category, community.description = name, category, description
    community.join_policy, community.topic_visibility = join_policy, topic_visibility
    try:
        db.session.commit()
    except IntegrityError:  # renamed to a name someone took at the same moment
        db.session.rollback()
        raise Invalid(_("同じ名前のコミュニティがすでにあります。別の名前にしてください。"), code="name")
    if old_image and old_image != community.image_key:
        media.delete_image(current_app.config["EJAN_MEDIA_DIR"], old_image)
    return community


# --- finding ------------------------------------------------------------------------------------------------

def list_communities(viewer: Member, *, category: str | None = None, query: str = "", sort: str = "members",
                     page: int = 1, per_page: int = 20) -> Page:
    if not is_active(viewer):
        raise Forbidden(_("ログインしてください。"))
    stmt = select(Community)
    if category:
        if category not in CATEGORIES:
            raise Invalid(_("カテゴリを一覧から選んでください。"), code="category")
        stmt = stmt.where(Community.category == category)
    query = (query or "").strip()
    if query:
        stmt = stmt.where(contains(query, Community.name, Community.description))
    order = {
        "members": (Community.member_count.desc(), Community.id.desc()),
        "activity": (Community.last_activity_at.desc(), Community.id.desc()),
        "new": (Community.id.desc(),),  # ids grow with time; the primary key serves this order
    }.get(sort)
    if order is None:
        raise Invalid(_("並べ方を選んでください。"), code="sort")
    return paginate(stmt.order_by(*order), page, per_page)


def my_communities(member: Member, page: int, per_page: int) -> Page:
    stmt = (select(Community).join(Membership, Membership.community_id == Community.id)
            .where(Membership.member_id == member.id, Membership.role.in_(JOINED))
            .order_by(Community.last_activity_at.desc(), Community.id.desc()))
    return paginate(stmt, page, per_page)
