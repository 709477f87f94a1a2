"""The friend lifecycle: request, accept, decline, cancel, remove; introductions; counts."""
from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _
from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager, selectinload

from .. import caching, signals
from ..errors import Invalid, NotFound
from ..extensions import db
from ..members import access
from ..members.models import Member
from ..pagination import Page, paginate
from .models import FriendRequest, Friendship, Introduction

INTRO_MAX = 2000
MESSAGE_MAX = 500


def are_friends(a_id: int, b_id: int) -> bool:
    return access.is_friend(a_id, b_id)


def relation(viewer: Member, other: Member) -> str:
    """self / friend / requested (viewer asked) / incoming (other asked) / none."""
    if viewer.id == other.id:
        return "self"
    if are_friends(viewer.id, other.id):
        return "friend"
    pending = db.session.execute(
        select(FriendRequest.from_id).where(
            or_(
                and_(FriendRequest.from_id == viewer.id, FriendRequest.to_id == other.id),
                and_(FriendRequest.from_id == other.id, FriendRequest.to_id == viewer.id),
            )
        )
    ).scalars().all()
    if viewer.id in pending:
        return "requested"
    if other.id in pending:
        return "incoming"
    return "none"


def request_friend(actor: Member, target_id: int, message: str = "") -> FriendRequest | None:
    """Ask to be friends. If the other member already asked, this accepts their request instead."""
    target = db.session.get(Member, target_id)
    if target is None or access.is_suspended(target) or access.is_blocked_by(actor.id, target.id):
        raise NotFound(_("会員が見つかりません。"))
    if target.id == actor.id:
        raise Invalid(_("自分自身にはマイフレンド申請できません。"))
    if access.is_blocked_by(target.id, actor.id):
        raise Invalid(_("ブロックしている方にはマイフレンド申請できません。ブロックを解除してからにしてください。"))
    if are_friends(actor.id, target.id):
        raise Invalid(_("すでにマイフレンドです。"))
    if len(message or "") > MESSAGE_MAX:
        raise Invalid(_("メッセージは%(max)d文字以内にしてください。", max=MESSAGE_MAX))
    theirs = _request_between(target.id, actor.id)
    if theirs is not None:
        accept(actor, theirs.id)
        return None
    friend_request = FriendRequest(from_member=actor, to_member=target, message=(message or "").strip())
    db.session.add(friend_request)
    try:
        db.session.flush()
        # Kept as written for the notice below: the other member may accept (and so delete) it the moment
        # it is committed, and a committed object in the session would be read again from its row.
        db.session.expunge(friend_request)
        db.session.commit()
    except IntegrityError:
        # One request per pair, either way: a double tap finds its own, and two members asking each other
        # at the same moment find the other's, which is as good as a yes.
        db.session.rollback()
        theirs = _request_between(target.id, actor.id)
        if theirs is None:
            raise Invalid(_("すでに申請しています。お返事をお待ちください。"))
        accept(actor, theirs.id)
        return None
    signals.friend_requested.send(friend_request)
    return friend_request


def _request_between(from_id: int, to_id: int) -> FriendRequest | None:
    return db.session.scalar(select(FriendRequest).where(FriendRequest.from_id == from_id,
                                                         FriendRequest.to_id == to_id))


def _request_to(actor: Member, request_id: int) -> FriendRequest:
    friend_request = db.session.get(FriendRequest, request_id)
    if friend_request is None or friend_request.to_id != actor.id:
        raise NotFound(_("マイフレンド申請が見つかりません。"))
    return friend_request


def accept(actor: Member, request_id: int) -> Member:
    friend_request = _request_to(actor, request_id)
    requester = friend_request.from_member
    # Hidden from the requests page: no friendship with a suspended account, nor across a block.
    if access.is_suspended(requester) or access.is_blocked_between(actor.id, requester.id):
        raise NotFound(_("マイフレンド申請が見つかりません。"))
    db.session.delete(friend_request)
    db.session.add_all([
        Friendship(member_id=actor.id, friend_id=requester.id),
        Friendship(member_id=requester.id, friend_id=actor.id),
    ])
    try:
        db.session.commit()
    except IntegrityError:
        # Accepted twice at once (double tap): the friendship exists, which is what was wanted.
        db.session.rollback()
        db.session.execute(delete(FriendRequest).where(FriendRequest.id == request_id))
        db.session.commit()
        return requester
    signals.friend_request_closed.send(actor, requester_id=requester.id)
    signals.friend_accepted.send(actor, requester=requester)
    return requester


def decline(actor: Member, request_id: int) -> None:
    friend_request = _request_to(actor, request_id)
    requester_id = friend_request.from_id
    db.session.delete(friend_request)
    db.session.commit()
    signals.friend_request_closed.send(actor, requester_id=requester_id)


def cancel(actor: Member, request_id: int) -> None:
    friend_request = db.session.get(FriendRequest, request_id)
    if friend_request is None or friend_request.from_id != actor.id:
        raise NotFound(_("マイフレンド申請が見つかりません。"))
    recipient = friend_request.to_member
    db.session.delete(friend_request)
    db.session.commit()
    signals.friend_request_closed.send(recipient, requester_id=actor.id)


def remove(actor: Member, friend_id: int) -> None:
    if not are_friends(actor.id, friend_id):
        raise NotFound(_("マイフレンドではありません。"))
    part(actor.id, friend_id)
    db.session.commit()


def part(a_id: int, b_id: int) -> None:
    """End whatever ties two members: friendship both ways, introductions, pending requests.

    Leaves the commit to the caller (removing a friend, blocking someone)."""
    pair = [a_id, b_id]
    db.session.execute(delete(Friendship).where(Friendship.member_id.in_(pair), Friendship.friend_id.in_(pair)))
    # An introduction speaks for a friendship; it goes with it.
    db.session.execute(delete(Introduction).where(Introduction.about_id.in_(pair), Introduction.author_id.in_(pair)))
    db.session.execute(delete(FriendRequest).where(FriendRequest.from_id.in_(pair), FriendRequest.to_id.in_(pair)))


def incoming(actor: Member, page: int, per_page: int) -> Page:
    stmt = (
        select(FriendRequest).where(FriendRequest.to_id == actor.id)
        # Requests from members suspended since (often the spammers) are not shown.
        .join(Member, Member.id == FriendRequest.from_id).where(access.active())
        .options(selectinload(FriendRequest.from_member))
        .order_by(FriendRequest.created_at.desc(), FriendRequest.id.desc())
    )
    return paginate(stmt, page, per_page)


def outgoing(actor: Member) -> list[FriendRequest]:
    return list(db.session.scalars(
        select(FriendRequest).where(FriendRequest.from_id == actor.id)
        .options(selectinload(FriendRequest.to_member))
        .order_by(FriendRequest.created_at.desc())
        .limit(100)
    ))


def incoming_count(actor: Member) -> int:
    return db.session.scalar(incoming_count_query(actor))


def incoming_count_query(actor: Member):
    return (select(func.count(FriendRequest.id)).where(FriendRequest.to_id == actor.id)
            .join(Member, Member.id == FriendRequest.from_id).where(access.active()))


def _friends_seen(member: Member, viewer: Member | None, *columns):
    """`columns` over a member's friends as `viewer` sees them (active, no block between them and the viewer):
    the one filter of the friend list, its count, and the two at once."""
    return (select(*columns).select_from(Friendship).join(Member, Member.id == Friendship.friend_id)
            .where(Friendship.member_id == member.id, access.active(), access.not_blocked_between(viewer, Member.id)))


_NEWEST_FRIENDS_FIRST = (Friendship.created_at.desc(), Member.id)


def friends_of(member: Member, page: int, per_page: int, viewer: Member | None = None) -> Page:
    """A member's friends, as `viewer` sees them: anyone with a block between them and the viewer is left out."""
    return paginate(_friends_seen(member, viewer, Member).order_by(*_NEWEST_FRIENDS_FIRST), page, per_page)


def friends_and_count(member: Member, page: int, per_page: int, viewer: Member | None = None) -> tuple[Page, int]:
    """friends_of() and friend_count() in one statement: the count rides on each row as a window over the
    same filtered friendships (a profile shows both; PostgreSQL walks the friendships once, not twice)."""
    stmt = _friends_seen(member, viewer, Member, func.count().over().label("total")).order_by(*_NEWEST_FRIENDS_FIRST)
    found = paginate(stmt, page, per_page, scalars=False)
    if found.items:
        total = found.items[0].total
    else:  # past the last page (or none): the window had no row to ride on
        total = 0 if found.number == 1 else friend_count(member, viewer)
    return replace(found, items=[row.Member for row in found.items]), total


def friend_count(member: Member, viewer: Member | None = None) -> int:
    return db.session.scalar(_friends_seen(member, viewer, func.count()))


def friends_of_friends_count(member: Member) -> int:
    """Members two steps away: friends of my friends who are neither me nor already my friends.

    Suspended members are hidden everywhere else (friend lists, friend_count), so they are neither
    counted here nor a path to their friends."""
    mine, theirs, already = aliased(Friendship), aliased(Friendship), aliased(Friendship)
    friend, found = aliased(Member), aliased(Member)
    return db.session.scalar(
        select(func.count(func.distinct(theirs.friend_id)))
        .select_from(mine)
        .join(friend, friend.id == mine.friend_id)
        .join(theirs, theirs.member_id == mine.friend_id)
        .join(found, found.id == theirs.friend_id)
        .where(
            mine.member_id == member.id,
            access.active(friend),
            access.active(found),
            theirs.friend_id != member.id,
            ~exists().where(already.member_id == member.id, already.friend_id == theirs.friend_id),
        )
    )


FOF_KEPT_SECONDS = 600


def friends_of_friends_shown(member: Member) -> int:
    """friends_of_friends_count() as a profile shows it: kept for ten minutes, because a member with
    600 friends walks 30,000 friendships to count it, and the figure moves slowly anyway."""
    return caching.remembered(f"fof:{member.id}", FOF_KEPT_SECONDS, lambda: friends_of_friends_count(member))


def introductions_for(member: Member, viewer: Member | None = None) -> list[Introduction]:
    return list(db.session.scalars(
        select(Introduction).where(Introduction.about_id == member.id)
        .join(Member, Member.id == Introduction.author_id)
        .where(access.active(), access.not_blocked_between(viewer, Introduction.author_id))
        .options(contains_eager(Introduction.author))
        .order_by(Introduction.updated_at.desc())
        .limit(50)
    ))


def introduction_by(author: Member, about_id: int) -> Introduction | None:
    return db.session.scalar(
        select(Introduction).where(Introduction.author_id == author.id, Introduction.about_id == about_id)
    )


def write_introduction(author: Member, about_id: int, body: str) -> Introduction:
    if not are_friends(author.id, about_id):
        raise NotFound(_("紹介文はマイフレンドだけが書けます。"))
    body = (body or "").strip()
    if not body:
        raise Invalid(_("紹介文を入力してください。"))
    if len(body) > INTRO_MAX:
        raise Invalid(_("紹介文は%(max)d文字以内にしてください。", max=INTRO_MAX))
    intro = introduction_by(author, about_id)
    if intro is None:
        intro = Introduction(author_id=author.id, about_id=about_id, body=body)
        db.session.add(intro)
    else:
        intro.body = body
    db.session.commit()
    return intro


def delete_introduction(actor: Member, intro_id: int) -> None:
    """The author may take it back; the member it is about may remove it from their page."""
    intro = db.session.get(Introduction, intro_id)
    if intro is None or actor.id not in (intro.author_id, intro.about_id):
        raise NotFound(_("紹介文が見つかりません。"))
    db.session.delete(intro)
    db.session.commit()
