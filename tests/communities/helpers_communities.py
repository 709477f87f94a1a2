"""Shared by the community tests: a cast of people in every role, keitai posting, counting rows, races.

Not a test module (pytest collects only test_*.py); each test module imports what it needs."""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

from flask import current_app
from flask_login import AnonymousUserMixin
from werkzeug.security import generate_password_hash
from sqlalchemy import func, select

from ejan.clock import utcnow
from ejan.communities import directory, events, membership, topics
from ejan.communities.models import (APPROVAL, BANNED, JOINED, MEMBER, MODERATOR, OWNER, PENDING, SITE, Attendance,
                                     Community, Event, Membership, Topic, TopicComment, TopicFollow)
from ejan.extensions import db
from ejan.members.models import Member
from support import (PASSWORD, at_the_same_moment, form_action, hidden_fields, html_of,  # noqa: F401
                     keitai_login, links, sjis_post)


# The eight roles of the permission matrix, in the order the tables' columns use.
ROLES = ("owner", "moderator", "member", "pending", "banned", "outsider", "admin", "logged_out")

SECRET_TITLE = "内緒の相談・防災倉庫の鍵"  # a topic title that must never reach an outsider
SECRET_BODY = "鍵は公民館の右の棚です"
SECRET_COMMENT = "合鍵は自治会長が持っています"
SECRET_EVENT = "非公開の防災訓練"


# --- opening communities ---------------------------------------------------------------------------------

def open_community(owner, name: str = "倉真の茶摘み会", *, category: str = "趣味", description: str = "みんなで茶摘み。",
                   join_policy: str = "open", topic_visibility: str = SITE) -> Community:
    return directory.create_community(owner, name=name, category=category, description=description,
                                     join_policy=join_policy, topic_visibility=topic_visibility)


def in_two_days(hour: int = 10) -> datetime:
    """A start time safely in the future, as stored (naive UTC)."""
    return (utcnow() + timedelta(days=2)).replace(hour=hour, minute=0, second=0, microsecond=0)


class Cast(dict):
    """role name → Member (None for logged_out), plus the community and the things in it.

    Besides the eight roles: `bystander` (a plain member the runners act on, and the author of the
    comment and the event), `applicant` (a second pending request), `banned2` (a second banned person)."""

    community: Community
    topic: object
    comment: object
    event: object

    def actor(self, role: str):
        """The member acting in `role`; a logged-out visitor is Flask-Login's anonymous user."""
        return AnonymousUserMixin() if role == "logged_out" else reload(self[role])


def build_cast(make_member, *, topic_visibility: str = SITE, name: str = "倉真の防災会") -> Cast:
    cast = Cast(
        owner=make_member("管理人"), moderator=make_member("副管理人"), member=make_member("メンバー"),
        pending=make_member("申請中"), banned=make_member("禁止中"), outsider=make_member("よそ者"),
        admin=make_member("サイト管理者", role="admin"), logged_out=None,
        bystander=make_member("巻き込まれ"), applicant=make_member("申請者二"), banned2=make_member("禁止中二"),
    )
    owner = cast["owner"]
    community = open_community(owner, name, category="防災", join_policy=APPROVAL, topic_visibility=topic_visibility)
    for role in ("moderator", "member", "bystander", "pending", "applicant"):
        membership.join(cast[role], community.id, "よろしくお願いします")
    for role in ("moderator", "member", "bystander"):
        membership.approve(owner, community.id, cast[role].id)
    membership.set_moderator(owner, community.id, cast["moderator"].id, True)
    membership.ban(owner, community.id, cast["banned"].id)
    membership.ban(owner, community.id, cast["banned2"].id)
    cast.community = community
    cast.topic = topics.create_topic(cast["member"], community.id, title=SECRET_TITLE, body=SECRET_BODY)
    cast.comment = topics.add_comment(cast["bystander"], cast.topic.id, SECRET_COMMENT)
    cast.event = events.create_event(cast["bystander"], community.id, title=SECRET_EVENT, starts_at=in_two_days(),
                                       place="公民館")
    return cast


def quick_cast(*, topic_visibility: str = SITE, name: str = "倉真の防災会") -> Cast:
    """The same cast as build_cast(), written straight into the tables in one commit (the permission
    tables build hundreds of them). test_community_permissions checks that both build the same rows."""
    people = {role: Member(email=f"{role}@cast.example.jp", nickname=nickname, role=site_role,
                           password_hash=_password_hash())
              for role, nickname, site_role in (
                  ("owner", "管理人", "member"), ("moderator", "副管理人", "member"), ("member", "メンバー", "member"),
                  ("pending", "申請中", "member"), ("banned", "禁止中", "member"), ("outsider", "よそ者", "member"),
                  ("admin", "サイト管理者", "admin"), ("bystander", "巻き込まれ", "member"),
                  ("applicant", "申請者二", "member"), ("banned2", "禁止中二", "member"))}
    db.session.add_all(people.values())
    db.session.flush()
    now = utcnow()
    community = Community(name=name, category="防災", description="みんなで茶摘み。", join_policy=APPROVAL,
                          topic_visibility=topic_visibility, owner_id=people["owner"].id, member_count=4,
                          last_activity_at=now, created_at=now)
    db.session.add(community)
    db.session.flush()
    roles = {"owner": OWNER, "moderator": MODERATOR, "member": MEMBER, "bystander": MEMBER, "pending": PENDING,
             "applicant": PENDING, "banned": BANNED, "banned2": BANNED}
    db.session.add_all(Membership(community_id=community.id, member_id=people[who].id, role=role,
                                  message="よろしくお願いします" if role != BANNED else "", created_at=now)
                       for who, role in roles.items())
    topic = Topic(community_id=community.id, author_id=people["member"].id, title=SECRET_TITLE, body=SECRET_BODY,
                  comment_count=1, created_at=now, last_comment_at=now)
    db.session.add(topic)
    db.session.flush()
    comment = TopicComment(topic_id=topic.id, author_id=people["bystander"].id, body=SECRET_COMMENT, created_at=now)
    event = Event(community_id=community.id, author_id=people["bystander"].id, title=SECRET_EVENT,
                  starts_at=in_two_days(), place="公民館", description="")
    db.session.add_all([comment, event, TopicFollow(topic_id=topic.id, member_id=people["member"].id),
                        TopicFollow(topic_id=topic.id, member_id=people["bystander"].id)])
    db.session.commit()
    cast = Cast(people, logged_out=None)
    cast.community, cast.topic, cast.comment, cast.event = community, topic, comment, event
    return cast


@lru_cache
def _hash_for(method: str) -> str:
    return generate_password_hash(PASSWORD, method=method)


def _password_hash() -> str:
    return _hash_for(current_app.config["EJAN_PASSWORD_METHOD"])


def wipe() -> None:
    """Empty every table (DELETE, quicker than the fixture's TRUNCATE for a handful of rows)."""
    db.session.rollback()
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # one round trip
            conn.exec_driver_sql("; ".join(f'DELETE FROM "{name}"' for name in tables))
        else:
            for name in tables:
                conn.exec_driver_sql(f'DELETE FROM "{name}"')
    db.session.expire_all()


def reload(member):
    return db.session.get(Member, member.id)


# --- counting what is stored ----------------------------------------------------------------------------

def fresh(community_id: int) -> Community:
    db.session.expire_all()
    return db.session.get(Community, community_id)


def joined_rows(community_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.community_id == community_id, Membership.role.in_(JOINED)))


def assert_count_right(community_id: int) -> int:
    """member_count on the row equals the real number of joined members; returns it."""
    stored = fresh(community_id).member_count
    assert stored == joined_rows(community_id)
    return stored


def snapshot(community_id: int) -> tuple:
    """Everything an action could change, read fresh from the database."""
    db.session.expire_all()
    community = db.session.get(Community, community_id)
    return (
        (community.name, community.description, community.join_policy, community.owner_id, community.member_count),
        sorted(db.session.execute(select(Membership.member_id, Membership.role)
                                  .where(Membership.community_id == community_id)).all()),
        sorted(db.session.execute(select(Topic.id, Topic.title, Topic.body, Topic.pinned, Topic.closed,
                                         Topic.comment_count).where(Topic.community_id == community_id)).all()),
        sorted(db.session.scalars(select(TopicComment.id)).all()),
        sorted(db.session.execute(select(Event.id, Event.title, Event.starts_at, Event.place)).all()),
        sorted(db.session.execute(select(Attendance.event_id, Attendance.member_id, Attendance.status)).all()),
    )


def role_in(community_id: int, member_id: int) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(Membership.role).where(
        Membership.community_id == community_id, Membership.member_id == member_id))


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- keitai ---------------------------------------------------------------------------------------------













def path_of(location: str) -> str:
    return urlsplit(location).path


# --- races ----------------------------------------------------------------------------------------------
