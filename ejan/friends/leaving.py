"""Friends' part of 退会 (docs/leaving.md): friendships, requests either way and introductions, all gone."""
from __future__ import annotations

from sqlalchemy import delete, or_

from .. import signals
from ..extensions import db
from .models import FriendRequest, Friendship, Introduction


@signals.member_leaving.connect
def _forget_friends(member, **unused) -> None:
    db.session.execute(delete(Friendship).where(or_(Friendship.member_id == member.id,
                                                    Friendship.friend_id == member.id)))
    db.session.execute(delete(FriendRequest).where(or_(FriendRequest.from_id == member.id,
                                                       FriendRequest.to_id == member.id)))
    db.session.execute(delete(Introduction).where(or_(Introduction.about_id == member.id,
                                                      Introduction.author_id == member.id)))
