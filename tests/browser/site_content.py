"""A resident's week of demo-like content, made with the services, and the key pages it shows.

The demo data (ejan/demo.py) gives 30 residents with friends, diaries and communities; on top of it
the resident we log in as gets what the demo leaves out: profile photos (hers and a friend's, so
avatars stand next to names), a diary entry with a photo and a friend's comment on it (which is also
a notification), sent invitations of every state, and a yes to her community's event.
"""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from ejan import demo
from ejan.communities import access, events, membership
from ejan.communities.models import Community, Event, Topic
from ejan.diary import services as diary
from ejan.extensions import db
from ejan.friends.models import Friendship
from ejan.members import services as members
from ejan.members.models import Member

RESIDENT_EMAIL = "resident01@e-jan.kakegawa.example"  # owns 「倉真の茶畑」 in the demo data
# Long on purpose: the sent-invitations table must still fit a phone's width.
INVITED = ("sato.kurami-chabatake.family@example.ne.jp", "suzuki.ichiro@example.jp", "neighbour@example.jp")


def _photo(color: str) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), color).save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


def build(password: str) -> tuple[Member, dict[str, str]]:
    """Load the demo, dress up one resident, and return her with the key pages as {name: path}."""
    demo.load()
    me = db.session.scalar(select(Member).where(Member.email == RESIDENT_EMAIL))
    members.set_password(me, password)  # log in with the test suite's password
    db.session.commit()
    friend = db.session.get(Member, db.session.scalar(
        select(Friendship.friend_id).where(Friendship.member_id == me.id).order_by(Friendship.friend_id)))
    for member, color in ((me, "#8bc34a"), (friend, "#ffb74d")):
        members.update_profile(member, nickname=member.nickname, intro=member.intro, district=member.district,
                               keitai_email=None, photo=_photo(color))

    entry = diary.create_entry(me, title="一番茶の摘み取り", visibility="friends", photos=[_photo("#558b2f")],
                               body="今朝は倉真の畑で一番茶を摘みました。\nいい香りです。")
    diary.add_comment(friend, entry.id, "おいしそうですね！")  # also her notification

    issued = [members.invite(me, email, "一緒に使いましょう。") for email in INVITED]
    members.register(issued[-1].token, nickname="おとなりさん", password=password, district=None)

    community = db.session.scalar(select(Community).where(Community.owner_id == me.id))
    topic = db.session.scalar(select(Topic).where(Topic.community_id == community.id).order_by(Topic.id))
    event = db.session.scalar(select(Event).where(Event.community_id == community.id))
    events.attend(me, event.id, "going")
    if access.role_of(friend, community) is None:
        membership.join(friend, community.id)
    events.attend(friend, event.id, "going")

    return me, {
        "home": "/",
        "profile": f"/members/{me.id}",
        "profile edit": "/profile/edit",
        "diary entry": f"/diary/{entry.id}",
        "diary form": "/diary/new",
        "friends": f"/members/{me.id}/friends",
        "community": f"/communities/{community.id}",
        "topic": f"/topics/{topic.id}",
        "event": f"/events/{event.id}",
        "notifications": "/notifications",
        "invitations": "/invitations",
    }


# What a visitor who has not logged in sees.
GUEST_PAGES = {"welcome": "/", "login": "/login"}
MEMBER_PAGES = ("home", "profile", "profile edit", "diary entry", "diary form", "friends", "community", "topic",
                "event", "notifications", "invitations")
