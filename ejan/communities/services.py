"""The community rules: who may read, post, join, approve, moderate and run events — free of HTTP.

Roles: owner (one), moderators, members; `pending` asked to join, `banned` may not rejoin.
Administrators are ordinary members here; they act on community content through the moderation queue.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import BinaryIO, Sequence

from flask import current_app
from sqlalchemy import case, delete, exists, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import media, signals
from ..dbutil import add_once, contains, earlier_submission, form_token
from ..errors import Forbidden, Invalid, NotFound
from ..extensions import db
from ..members.models import Member
from ..pagination import Page, paginate
from ..sessions import utcnow
from ..text import JST, jst_day_bounds, today_jst
from .models import (APPROVAL, BANNED, CATEGORIES, GOING, JOIN_POLICIES, JOINED, MEMBER, MEMBERS_ONLY, MODERATOR,
                     NOT_GOING, OWNER, PENDING, RUNNERS, SITE, TOPIC_VISIBILITIES, Attendance, Community, Event,
                     Membership, Topic, TopicComment, TopicFollow)

NAME_MAX = 60
DESCRIPTION_MAX = 5_000
TITLE_MAX = 100
BODY_MAX = 10_000
COMMENT_MAX = 3_000
SORTS = ("members", "activity", "new")


# --- roles ----------------------------------------------------------------------------------------------

def _active(viewer: Member | None) -> bool:
    return viewer is not None and viewer.is_authenticated and not viewer.is_suspended


def role_of(viewer: Member | None, community: Community) -> str | None:
    if not _active(viewer):
        return None
    return db.session.scalar(select(Membership.role).where(
        Membership.community_id == community.id, Membership.member_id == viewer.id))


def can_read_topics(viewer: Member | None, community: Community, role: str | None = None) -> bool:
    if not _active(viewer):
        return False
    if community.topic_visibility == SITE:
        return True
    return (role if role is not None else role_of(viewer, community)) in JOINED


def readable_topics(viewer: Member | None):
    """can_read_topics() as a SQL condition on Topic (for search and lists across communities)."""
    if not _active(viewer):
        return false()
    joined = exists().where(Membership.community_id == Topic.community_id, Membership.member_id == viewer.id,
                            Membership.role.in_(JOINED))
    site_wide = exists().where(Community.id == Topic.community_id, Community.topic_visibility == SITE)
    return or_(site_wide, joined)


def runs(viewer: Member | None, community: Community) -> bool:
    """The owner or a moderator: may change settings, answer requests and moderate topics."""
    return role_of(viewer, community) in RUNNERS


def owns(viewer: Member | None, community: Community) -> bool:
    return role_of(viewer, community) == OWNER


def _require_role(viewer: Member, community: Community, allowed: Sequence[str], message: str) -> str:
    if not _active(viewer):
        raise Forbidden("ログインしてください。")
    role = role_of(viewer, community)
    if role not in allowed:
        raise Forbidden(message)
    return role


def get_community(viewer: Member | None, community_id: int) -> Community:
    """Community pages are for logged-in members; the description is open to all of them."""
    if not _active(viewer):
        raise Forbidden("ログインしてください。")
    community = db.session.get(Community, community_id)
    if community is None:
        raise NotFound("コミュニティが見つかりません。")
    return community


# --- opening and editing --------------------------------------------------------------------------------

def _clean_community(name: str, category: str, description: str, join_policy: str, topic_visibility: str):
    name, description = (name or "").strip(), (description or "").strip()
    if not name:
        raise Invalid("コミュニティ名を入力してください。", code="name")
    if len(name) > NAME_MAX:
        raise Invalid(f"コミュニティ名は{NAME_MAX}文字以内にしてください。", code="name")
    if category not in CATEGORIES:
        raise Invalid("カテゴリを一覧から選んでください。", code="category")
    if not description:
        raise Invalid("説明を入力してください。", code="description")
    if len(description) > DESCRIPTION_MAX:
        raise Invalid(f"説明は{DESCRIPTION_MAX:,}文字以内にしてください。", code="description")
    if join_policy not in JOIN_POLICIES:
        raise Invalid("参加のしかたを選んでください。", code="join_policy")
    if topic_visibility not in TOPIC_VISIBILITIES:
        raise Invalid("トピックの公開範囲を選んでください。", code="topic_visibility")
    return name, category, description, join_policy, topic_visibility


def _name_taken(name: str, except_id: int | None = None) -> bool:
    stmt = select(Community.id).where(func.lower(Community.name) == name.lower())
    if except_id:
        stmt = stmt.where(Community.id != except_id)
    return db.session.scalar(stmt) is not None


def create_community(owner: Member, *, name: str, category: str, description: str, join_policy: str = "open",
                     topic_visibility: str = "site", image: BinaryIO | None = None) -> Community:
    if not _active(owner):
        raise Forbidden("ログインしてください。")
    name, category, description, join_policy, topic_visibility = _clean_community(
        name, category, description, join_policy, topic_visibility)
    if _name_taken(name):
        raise Invalid("同じ名前のコミュニティがすでにあります。別の名前にしてください。", code="name")
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
        raise Invalid("同じ名前のコミュニティがすでにあります。別の名前にしてください。", code="name")
    return community


def update_community(actor: Member, community_id: int, *, name: str, category: str, description: str,
                     join_policy: str, topic_visibility: str, image: BinaryIO | None = None,
                     remove_image: bool = False) -> Community:
    community = get_community(actor, community_id)
    _require_role(actor, community, RUNNERS, "コミュニティの設定を変えられるのは管理人と副管理人です。")
    name, category, description, join_policy, topic_visibility = _clean_community(
        name, category, description, join_policy, topic_visibility)
    if _name_taken(name, except_id=community.id):
        raise Invalid("同じ名前のコミュニティがすでにあります。別の名前にしてください。", code="name")
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
        raise Invalid("同じ名前のコミュニティがすでにあります。別の名前にしてください。", code="name")
    if old_image and old_image != community.image_key:
        media.delete_image(current_app.config["EJAN_MEDIA_DIR"], old_image)
    return community


def list_communities(viewer: Member, *, category: str | None = None, query: str = "", sort: str = "members",
                     page: int = 1, per_page: int = 20) -> Page:
    if not _active(viewer):
        raise Forbidden("ログインしてください。")
    stmt = select(Community)
    if category:
        if category not in CATEGORIES:
            raise Invalid("カテゴリを一覧から選んでください。", code="category")
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
        raise Invalid("並べ方を選んでください。", code="sort")
    return paginate(stmt.order_by(*order), page, per_page)


def my_communities(member: Member, page: int, per_page: int) -> Page:
    stmt = (select(Community).join(Membership, Membership.community_id == Community.id)
            .where(Membership.member_id == member.id, Membership.role.in_(JOINED))
            .order_by(Community.last_activity_at.desc(), Community.id.desc()))
    return paginate(stmt, page, per_page)


def roles_in(member: Member | None, communities: Sequence[Community]) -> dict[int, str]:
    """The viewer's role in each listed community, in one query."""
    if not _active(member) or not communities:
        return {}
    rows = db.session.execute(select(Membership.community_id, Membership.role).where(
        Membership.member_id == member.id, Membership.community_id.in_([c.id for c in communities])))
    return dict(rows.all())


# --- joining and leaving --------------------------------------------------------------------------------

def _bump_members(community_id: int, delta: int) -> None:
    db.session.execute(update(Community).where(Community.id == community_id)
                       .values(member_count=Community.member_count + delta)
                       .execution_options(synchronize_session=False))


def join(actor: Member, community_id: int, message: str = "") -> str:
    """Join an open community, or ask to join an approval one. Returns the new role."""
    community = get_community(actor, community_id)
    current = role_of(actor, community)
    if current == BANNED:
        raise Forbidden("このコミュニティには参加できません。")
    if current in JOINED:
        raise Invalid("すでに参加しています。")
    if current == PENDING:
        raise Invalid("参加を申請済みです。管理人の承認をお待ちください。")
    role = PENDING if community.join_policy == APPROVAL else MEMBER
    try:  # the UPDATE below flushes the INSERT first: a duplicate fails there, not at commit
        db.session.add(Membership(community_id=community.id, member_id=actor.id, role=role,
                                  message=(message or "").strip()[:500]))
        if role == MEMBER:
            _bump_members(community.id, +1)
        db.session.commit()
    except IntegrityError:
        # Joined twice at once (double tap): the primary key let the first one in.
        db.session.rollback()
        raise Invalid("すでに参加しています。")
    if role == PENDING:
        signals.community_join_requested.send(community, requester=actor)
    return role


def leave(actor: Member, community_id: int) -> None:
    community = get_community(actor, community_id)
    role = role_of(actor, community)
    if role == OWNER:
        raise Invalid("管理人は、ほかのメンバーに管理人を引き継いでから退会できます。")
    if role not in (MODERATOR, MEMBER, PENDING):
        raise Invalid("このコミュニティに参加していません。")
    _delete_membership(community.id, actor.id, (MODERATOR, MEMBER, PENDING))
    db.session.commit()


def _delete_membership(community_id: int, member_id: int, roles: Sequence[str]) -> str | None:
    """Delete the row only if its role is still one of `roles`; keep the member count right."""
    role = db.session.scalar(select(Membership.role).where(
        Membership.community_id == community_id, Membership.member_id == member_id))
    deleted = db.session.execute(delete(Membership).where(
        Membership.community_id == community_id, Membership.member_id == member_id, Membership.role.in_(roles))
        .execution_options(synchronize_session=False)).rowcount
    if deleted and role in JOINED:
        _bump_members(community_id, -1)
    return role if deleted else None


def approve(actor: Member, community_id: int, member_id: int) -> None:
    community = get_community(actor, community_id)
    _require_role(actor, community, RUNNERS, "参加を承認できるのは管理人と副管理人です。")
    # Conditional: of two moderators approving at once, one turns the request into a membership.
    changed = db.session.execute(update(Membership).where(
        Membership.community_id == community.id, Membership.member_id == member_id, Membership.role == PENDING)
        .values(role=MEMBER, created_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if not changed:
        db.session.rollback()
        raise Invalid("この参加申請はすでに処理されています。")
    _bump_members(community.id, +1)
    db.session.commit()
    signals.community_join_approved.send(community, member_id=member_id, actor=actor)


def decline(actor: Member, community_id: int, member_id: int) -> None:
    community = get_community(actor, community_id)
    _require_role(actor, community, RUNNERS, "参加申請に答えられるのは管理人と副管理人です。")
    if not _delete_membership(community.id, member_id, (PENDING,)):
        db.session.rollback()
        raise Invalid("この参加申請はすでに処理されています。")
    db.session.commit()


def _can_act_on(actor_role: str, target_role: str | None) -> bool:
    """The owner acts on moderators and members; moderators act on members only."""
    if target_role in (None, OWNER):
        return False
    if actor_role == OWNER:
        return True
    return target_role in (MEMBER, PENDING, BANNED)


def member_actions(actor_role: str | None, target_role: str | None, *, is_self: bool = False) -> tuple[str, ...]:
    """What a runner may do to one joined member, for the buttons on both template sets and for the checks."""
    if is_self or actor_role not in RUNNERS or target_role not in (MODERATOR, MEMBER) \
            or not _can_act_on(actor_role, target_role):
        return ()
    if actor_role == OWNER:
        return ("promote" if target_role == MEMBER else "demote", "remove", "ban")
    return ("remove", "ban")


def actions_on(actor: Member, role: str | None, memberships: Sequence[Membership]) -> dict[int, tuple[str, ...]]:
    return {m.member_id: member_actions(role, m.role, is_self=m.member_id == actor.id) for m in memberships}


def remove_member(actor: Member, community_id: int, member_id: int) -> None:
    community = get_community(actor, community_id)
    actor_role = _require_role(actor, community, RUNNERS, "メンバーを外せるのは管理人と副管理人です。")
    target = db.session.get(Membership, (community.id, member_id))
    if target is None or "remove" not in member_actions(actor_role, target.role, is_self=member_id == actor.id):
        raise Forbidden("このメンバーは外せません。")
    _delete_membership(community.id, member_id, (target.role,))
    db.session.commit()


def ban(actor: Member, community_id: int, member_id: int) -> None:
    community = get_community(actor, community_id)
    actor_role = _require_role(actor, community, RUNNERS, "参加を禁止できるのは管理人と副管理人です。")
    target = db.session.get(Membership, (community.id, member_id))
    target_role = target.role if target else None
    if member_id == actor.id or (target is not None and not _can_act_on(actor_role, target_role)):
        raise Forbidden("このメンバーの参加は禁止できません。")
    if db.session.get(Member, member_id) is None:
        raise NotFound("会員が見つかりません。")
    if target is None:
        db.session.add(Membership(community_id=community.id, member_id=member_id, role=BANNED))
    else:
        if target_role in JOINED:
            _bump_members(community.id, -1)
        target.role = BANNED
    db.session.commit()


def unban(actor: Member, community_id: int, member_id: int) -> None:
    community = get_community(actor, community_id)
    _require_role(actor, community, RUNNERS, "参加禁止を解除できるのは管理人と副管理人です。")
    if not _delete_membership(community.id, member_id, (BANNED,)):
        raise Invalid("このメンバーは参加禁止になっていません。")
    db.session.commit()


def set_moderator(actor: Member, community_id: int, member_id: int, moderator: bool) -> None:
    community = get_community(actor, community_id)
    _require_role(actor, community, (OWNER,), "副管理人を決められるのは管理人だけです。")
    source, target = (MEMBER, MODERATOR) if moderator else (MODERATOR, MEMBER)
    changed = db.session.execute(update(Membership).where(
        Membership.community_id == community.id, Membership.member_id == member_id, Membership.role == source)
        .values(role=target).execution_options(synchronize_session=False)).rowcount
    if not changed:
        db.session.rollback()
        raise Invalid("このメンバーの役割は変えられません。")
    db.session.commit()


def hand_over(actor: Member, community_id: int, member_id: int) -> None:
    """The owner hands the community to a member or moderator and becomes a moderator."""
    community = get_community(actor, community_id)
    _require_role(actor, community, (OWNER,), "管理人を引き継げるのは管理人だけです。")
    target = db.session.get(Membership, (community.id, member_id))
    if target is None or target.role not in (MODERATOR, MEMBER) or target.member.is_suspended:
        raise Invalid("管理人はコミュニティのメンバーから選んでください。")
    target.role = OWNER
    db.session.get(Membership, (community.id, actor.id)).role = MODERATOR
    community.owner_id = member_id
    db.session.commit()


def runner_ids(community: Community) -> list[int]:
    return list(db.session.scalars(select(Membership.member_id).where(
        Membership.community_id == community.id, Membership.role.in_(RUNNERS))))


def members_of(viewer: Member, community: Community, page: int, per_page: int) -> Page:
    """Joined members, the owner and moderators first."""
    get_community(viewer, community.id)
    rank = case((Membership.role == OWNER, 0), (Membership.role == MODERATOR, 1), else_=2)
    stmt = (select(Membership).where(Membership.community_id == community.id, Membership.role.in_(JOINED))
            .join(Member, Member.id == Membership.member_id).where(Member.status == "active")
            .options(selectinload(Membership.member))
            .order_by(rank, Membership.created_at, Membership.member_id))
    return paginate(stmt, page, per_page)


def people_waiting(actor: Member, community: Community, role: str, page: int, per_page: int) -> Page:
    """Join requests (pending) or the banned list: for the owner and moderators only."""
    _require_role(actor, community, RUNNERS, "このページは管理人と副管理人だけが見られます。")
    stmt = (select(Membership).where(Membership.community_id == community.id, Membership.role == role)
            .options(selectinload(Membership.member)).order_by(Membership.created_at, Membership.member_id))
    return paginate(stmt, page, per_page)


# --- topics ------------------------------------------------------------------------------------------------

def _clean_post(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise Invalid("タイトルを入力してください。", code="title")
    if len(title) > TITLE_MAX:
        raise Invalid(f"タイトルは{TITLE_MAX}文字以内にしてください。", code="title")
    if not body:
        raise Invalid("本文を入力してください。", code="body")
    if len(body) > BODY_MAX:
        raise Invalid(f"本文は{BODY_MAX:,}文字以内にしてください（いまは{len(body):,}文字です）。", code="body")
    return title, body


def topics_of(viewer: Member, community: Community, page: int, per_page: int) -> Page:
    if not can_read_topics(viewer, community):
        raise Forbidden("このコミュニティのトピックはメンバーだけが読めます。")
    stmt = (select(Topic).where(Topic.community_id == community.id)
            .options(selectinload(Topic.author))
            .order_by(Topic.pinned.desc(), Topic.last_comment_at.desc(), Topic.id.desc()))
    return paginate(stmt, page, per_page)


def get_topic(viewer: Member | None, topic_id: int) -> Topic:
    """A topic the viewer may read; one in a members-only community does not exist for outsiders."""
    topic = db.session.get(Topic, topic_id)
    if topic is None or not can_read_topics(viewer, topic.community):
        raise NotFound("トピックが見つかりません。")
    return topic


def create_topic(actor: Member, community_id: int, *, title: str, body: str,
                 submit_token: str | None = None) -> Topic:
    community = get_community(actor, community_id)
    _require_role(actor, community, JOINED, "トピックを立てられるのはメンバーだけです。")
    title, body = _clean_post(title, body)
    submit_token = form_token(submit_token)
    earlier = earlier_submission(Topic, actor.id, submit_token)
    if earlier is not None:
        return earlier
    now = utcnow()
    topic = Topic(community_id=community.id, author_id=actor.id, title=title, body=body,
                  submit_token=submit_token, created_at=now, last_comment_at=now)
    db.session.add(topic)
    try:
        db.session.flush()  # a duplicate token fails here, inside the try
        _touch(community.id, now)
        db.session.add(TopicFollow(topic_id=topic.id, member_id=actor.id))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return earlier_submission(Topic, actor.id, submit_token)
    return topic


def _touch(community_id: int, moment) -> None:
    db.session.execute(update(Community).where(Community.id == community_id)
                       .values(last_activity_at=moment).execution_options(synchronize_session=False))


def can_edit_topic(actor: Member, topic: Topic) -> bool:
    """Only the author, and only while still a member."""
    return _active(actor) and topic.author_id == actor.id and role_of(actor, topic.community) in JOINED


def edit_topic(actor: Member, topic_id: int, *, title: str, body: str) -> Topic:
    topic = get_topic(actor, topic_id)
    if not can_edit_topic(actor, topic):
        raise Forbidden("トピックを編集できるのは、書いた本人だけです。")
    topic.title, topic.body = _clean_post(title, body)
    topic.updated_at = utcnow()
    db.session.commit()
    return topic


def moderate_topic(actor: Member, topic_id: int, *, pinned: bool | None = None, closed: bool | None = None) -> Topic:
    topic = get_topic(actor, topic_id)
    _require_role(actor, topic.community, RUNNERS, "トピックの固定や締め切りは管理人と副管理人ができます。")
    if pinned is not None:
        topic.pinned = pinned
    if closed is not None:
        topic.closed = closed
    db.session.commit()
    return topic


def delete_topic(actor: Member, topic_id: int) -> Community:
    topic = get_topic(actor, topic_id)
    community = topic.community
    _require_role(actor, community, RUNNERS, "トピックを削除できるのは管理人と副管理人です。")
    db.session.execute(delete(TopicComment).where(TopicComment.topic_id == topic.id))
    db.session.execute(delete(TopicFollow).where(TopicFollow.topic_id == topic.id))
    db.session.delete(topic)
    db.session.commit()
    return community


def comments_on(topic: Topic, page: int, per_page: int) -> Page:
    stmt = (select(TopicComment).where(TopicComment.topic_id == topic.id)
            .options(selectinload(TopicComment.author))
            .order_by(TopicComment.created_at, TopicComment.id))
    return paginate(stmt, page, per_page)


def can_post(viewer: Member | None, community: Community, role: str | None = None) -> bool:
    return _active(viewer) and (role if role is not None else role_of(viewer, community)) in JOINED


def add_comment(actor: Member, topic_id: int, body: str, *, follow: bool = True,
                submit_token: str | None = None) -> TopicComment:
    topic = get_topic(actor, topic_id)
    _require_role(actor, topic.community, JOINED, "コメントできるのはコミュニティのメンバーだけです。")
    if topic.closed:
        raise Invalid("このトピックは締め切られています。", code="body")
    body = (body or "").strip()
    if not body:
        raise Invalid("コメントを入力してください。", code="body")
    if len(body) > COMMENT_MAX:
        raise Invalid(f"コメントは{COMMENT_MAX:,}文字以内にしてください。", code="body")
    submit_token = form_token(submit_token)
    earlier = earlier_submission(TopicComment, actor.id, submit_token)
    if earlier is not None:
        return earlier
    now = utcnow()
    comment = TopicComment(topic_id=topic.id, author_id=actor.id, body=body, submit_token=submit_token, created_at=now)
    db.session.add(comment)
    try:
        db.session.flush()  # a duplicate token fails here, inside the try
        db.session.execute(update(Topic).where(Topic.id == topic.id)
                           .values(comment_count=Topic.comment_count + 1, last_comment_at=now)
                           .execution_options(synchronize_session=False))
        _touch(topic.community_id, now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return earlier_submission(TopicComment, actor.id, submit_token)
    if follow and db.session.get(TopicFollow, (topic.id, actor.id)) is None:
        add_once(TopicFollow(topic_id=topic.id, member_id=actor.id))
    signals.topic_commented.send(comment, topic=topic, followers=_followers_who_may_read(topic, actor))
    return comment


def _followers_who_may_read(topic: Topic, commenter: Member) -> list[int]:
    stmt = (select(TopicFollow.member_id).join(Member, Member.id == TopicFollow.member_id)
            .where(TopicFollow.topic_id == topic.id, TopicFollow.member_id != commenter.id,
                   Member.status == "active"))
    if topic.community.topic_visibility == MEMBERS_ONLY:
        stmt = stmt.where(exists().where(Membership.community_id == topic.community_id,
                                         Membership.member_id == TopicFollow.member_id, Membership.role.in_(JOINED)))
    return list(db.session.scalars(stmt))


def get_comment(viewer: Member, comment_id: int) -> TopicComment:
    comment = db.session.get(TopicComment, comment_id)
    if comment is None or not can_read_topics(viewer, comment.topic.community):
        raise NotFound("コメントが見つかりません。")
    return comment


def deletable_comments(actor: Member, role: str | None, comments: Sequence[TopicComment]) -> set[int]:
    """The commenter takes a comment back; the owner and moderators remove any."""
    if not _active(actor):
        return set()
    return {c.id for c in comments if c.author_id == actor.id or role in RUNNERS}


def can_delete_comment(actor: Member, comment: TopicComment) -> bool:
    return comment.id in deletable_comments(actor, role_of(actor, comment.topic.community), [comment])


def delete_comment(actor: Member, comment_id: int) -> Topic:
    comment = get_comment(actor, comment_id)
    topic = comment.topic
    if not can_delete_comment(actor, comment):
        raise Forbidden("このコメントは削除できません。")
    db.session.delete(comment)
    db.session.execute(update(Topic).where(Topic.id == topic.id)
                       .values(comment_count=Topic.comment_count - 1).execution_options(synchronize_session=False))
    db.session.commit()
    return topic


def search_topics(viewer: Member, query: str, page: int, per_page: int) -> Page:
    query = (query or "").strip()
    if not query:
        return Page(items=[], number=1, per_page=per_page, has_next=False)
    if len(query) > 100:
        raise Invalid("検索語は100文字以内にしてください。", code="q")
    stmt = (select(Topic).where(readable_topics(viewer), contains(query, Topic.title, Topic.body))
            .options(selectinload(Topic.author), selectinload(Topic.community))
            .order_by(Topic.last_comment_at.desc(), Topic.id.desc()))
    return paginate(stmt, page, per_page)


# --- events -----------------------------------------------------------------------------------------------

def _clean_event(title: str, starts_at: datetime | None, place: str, description: str):
    title, place, description = (title or "").strip(), (place or "").strip(), (description or "").strip()
    if not title:
        raise Invalid("イベント名を入力してください。", code="title")
    if len(title) > TITLE_MAX:
        raise Invalid(f"イベント名は{TITLE_MAX}文字以内にしてください。", code="title")
    if starts_at is None:
        raise Invalid("日時を入力してください。", code="date")
    if len(place) > 200:
        raise Invalid("場所は200文字以内にしてください。", code="place")
    if len(description) > DESCRIPTION_MAX:
        raise Invalid(f"説明は{DESCRIPTION_MAX:,}文字以内にしてください。", code="description")
    return title, starts_at, place, description


def jst_to_utc(local: datetime) -> datetime:
    """An event time typed in Japan time, stored as naive UTC like every other time."""
    return local.replace(tzinfo=JST).astimezone(timezone.utc).replace(tzinfo=None)


def create_event(actor: Member, community_id: int, *, title: str, starts_at: datetime | None, place: str = "",
                 description: str = "") -> Event:
    community = get_community(actor, community_id)
    _require_role(actor, community, JOINED, "イベントを作れるのはメンバーだけです。")
    title, starts_at, place, description = _clean_event(title, starts_at, place, description)
    if starts_at < _start_of_today():  # a past day; earlier today is still fine (recorded after it began)
        raise Invalid("過去の日時にはイベントを作れません。", code="date")
    event = Event(community_id=community.id, author_id=actor.id, title=title, starts_at=starts_at, place=place,
                  description=description)
    db.session.add(event)
    _touch(community.id, utcnow())
    db.session.commit()
    return event


def get_event(viewer: Member | None, event_id: int) -> Event:
    """Events follow the topics' rule: in a members-only community only members see them."""
    event = db.session.get(Event, event_id)
    if event is None or not can_read_topics(viewer, event.community):
        raise NotFound("イベントが見つかりません。")
    return event


def can_change_event(actor: Member, event: Event) -> bool:
    return _active(actor) and (event.author_id == actor.id or role_of(actor, event.community) in RUNNERS)


def _own_or_run(actor: Member, event: Event) -> None:
    if not can_change_event(actor, event):
        raise Forbidden("イベントを変えられるのは作った人と管理人・副管理人です。")


def update_event(actor: Member, event_id: int, *, title: str, starts_at: datetime | None, place: str,
                 description: str) -> Event:
    event = get_event(actor, event_id)
    _own_or_run(actor, event)
    event.title, event.starts_at, event.place, event.description = _clean_event(title, starts_at, place, description)
    db.session.commit()
    return event


def delete_event(actor: Member, event_id: int) -> Community:
    event = get_event(actor, event_id)
    _own_or_run(actor, event)
    community = event.community
    db.session.execute(delete(Attendance).where(Attendance.event_id == event.id))
    db.session.delete(event)
    db.session.commit()
    return community


def attend(actor: Member, event_id: int, status: str) -> None:
    event = get_event(actor, event_id)
    _require_role(actor, event.community, JOINED, "出欠を出せるのはメンバーだけです。")
    if status not in (GOING, NOT_GOING):
        raise Invalid("出欠を選んでください。")
    current = db.session.get(Attendance, (event.id, actor.id))
    if current is None:
        db.session.add(Attendance(event_id=event.id, member_id=actor.id, status=status))
    else:
        current.status = status
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # answered twice at once; the first answer stands


def attendance_of(event: Event) -> tuple[list[Attendance], list[Attendance]]:
    rows = db.session.scalars(select(Attendance).where(Attendance.event_id == event.id)
                              .options(selectinload(Attendance.member)).limit(500)).all()
    return [a for a in rows if a.status == GOING], [a for a in rows if a.status == NOT_GOING]


def my_attendance(member: Member, event: Event) -> str | None:
    found = db.session.get(Attendance, (event.id, member.id))
    return found.status if found else None


def going_counts(events: Sequence[Event]) -> dict[int, int]:
    ids = [e.id for e in events]
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Attendance.event_id, func.count()).where(Attendance.event_id.in_(ids), Attendance.status == GOING)
        .group_by(Attendance.event_id)).all())


def _start_of_today() -> datetime:
    """Events stay "upcoming" all through their day in Japan, not just until they begin."""
    return jst_day_bounds(today_jst(), today_jst())[0]


def upcoming_in(viewer: Member, community: Community, limit: int = 5) -> list[Event]:
    if not can_read_topics(viewer, community):
        return []
    return list(db.session.scalars(
        select(Event).where(Event.community_id == community.id, Event.starts_at >= _start_of_today())
        .order_by(Event.starts_at, Event.id).limit(limit)))


def events_of(viewer: Member, community: Community, *, past: bool, page: int, per_page: int) -> Page:
    """A community's events: coming ones soonest first, or past ones latest first."""
    if not can_read_topics(viewer, community):
        raise Forbidden("このコミュニティのイベントはメンバーだけが見られます。")
    since = _start_of_today()
    stmt = select(Event).where(Event.community_id == community.id)
    stmt = (stmt.where(Event.starts_at < since).order_by(Event.starts_at.desc(), Event.id.desc()) if past
            else stmt.where(Event.starts_at >= since).order_by(Event.starts_at, Event.id))
    return paginate(stmt, page, per_page)


def upcoming_for(member: Member, page: int, per_page: int) -> Page:
    """Upcoming events across the communities I belong to."""
    mine = select(Membership.community_id).where(Membership.member_id == member.id, Membership.role.in_(JOINED))
    stmt = (select(Event).where(Event.community_id.in_(mine), Event.starts_at >= _start_of_today())
            .options(selectinload(Event.community))
            .order_by(Event.starts_at, Event.id))
    return paginate(stmt, page, per_page)
