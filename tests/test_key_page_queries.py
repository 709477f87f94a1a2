"""Every key page of bench/run.py runs as many SQL statements in a town of 10 as in one of 1,000.

The same member looks at the same pages (PC and keitai) twice: once when everything they see has 10
rows (friends, diary entries, comments, community members, topic comments, notifications), once
after each has grown to 1,000. A count that grows with the rows is an N+1 somewhere. Speed itself is
measured by bench/, never asserted here.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ejan.communities.models import Community, Membership, Topic, TopicComment
from ejan.diary.models import FRIENDS, MEMBERS, DiaryComment, DiaryEntry, DiaryPhoto
from ejan.extensions import db
from ejan.friends.models import Friendship
from ejan.members.models import Member
from ejan.notify.models import Notification
from ejan.search_grams import grams
from support import count_queries

SMALL, LARGE = 10, 1_000
PAGES = [
    ("pc", "/"), ("pc", "/diary/everyone"), ("pc", "/diary/friends"), ("pc", "/members/{friend}"),
    ("pc", "/members/{hub}"), ("pc", "/members/{friend}/diary"), ("pc", "/diary/{entry}"), ("pc", "/communities"),
    ("pc", "/communities/{community}"), ("pc", "/topics/{topic}"), ("pc", "/notifications"),
    ("pc", "/diary/search?q=茶"), ("pc", "/diary/search?q=掛川"),
    ("keitai", "/"), ("keitai", "/diary/friends"), ("keitai", "/members/{friend}"), ("keitai", "/diary/{entry}"),
    ("keitai", "/communities/{community}"), ("keitai", "/topics/{topic}"),
]


class Town:
    """The viewer, one friend who writes, a hub with many friends, one community with a topic."""

    def __init__(self, make_member, befriend):
        self.viewer, self.friend, self.hub = make_member("読者"), make_member("書き手"), make_member("人気者")
        befriend(self.viewer, self.friend)
        befriend(self.viewer, self.hub)
        befriend(self.friend, self.hub)
        self.community = Community(name="倉真の茶畑", category="趣味", description="お茶", owner_id=self.friend.id)
        db.session.add(self.community)
        db.session.flush()
        db.session.add_all([Membership(community_id=self.community.id, member_id=self.friend.id, role="owner"),
                            Membership(community_id=self.community.id, member_id=self.viewer.id, role="member")])
        self.topic = Topic(community_id=self.community.id, author_id=self.friend.id, title="摘み取り", body="いつ？")
        self.entry = DiaryEntry(author_id=self.friend.id, title="掛川の新茶", body="茶畑へ", visibility=MEMBERS,
                                search_grams=grams("掛川の新茶", "茶畑へ"))
        db.session.add_all([self.topic, self.entry])
        db.session.commit()
        self.size = 0

    def grow_to(self, size: int) -> None:
        """Everything the pages list grows to `size` rows."""
        start, more = datetime(2026, 5, 1), range(self.size, size)
        people = [Member(email=f"p{i}@example.jp", nickname=f"住民{i}", password_hash="!",
                         photo_key=f"{i:022d}" if i % 2 else None) for i in more]
        db.session.add_all(people)
        db.session.flush()
        for n, person in zip(more, people):
            at = start + timedelta(minutes=n)
            db.session.add_all([
                Friendship(member_id=self.hub.id, friend_id=person.id), Friendship(member_id=person.id, friend_id=self.hub.id),
                Friendship(member_id=self.viewer.id, friend_id=person.id),
                Friendship(member_id=person.id, friend_id=self.viewer.id),
                Membership(community_id=self.community.id, member_id=person.id,
                           role="moderator" if n % 100 == 0 else "member", created_at=at),
                DiaryComment(entry_id=self.entry.id, author_id=person.id, body="いいね", created_at=at),
                TopicComment(topic_id=self.topic.id, author_id=person.id, body="来週です", created_at=at),
                Notification(member_id=self.viewer.id, kind="diary_comment", actor_id=person.id, subject="新茶",
                             link=f"/diary/{self.entry.id}", created_at=at),
            ])
            entry = DiaryEntry(author_id=(person if n % 2 else self.friend).id, title=f"茶の日記{n}", body="掛川の茶" * 5,
                               visibility=(MEMBERS, FRIENDS)[n % 2], created_at=at,
                               search_grams=grams(f"茶の日記{n}", "掛川の茶" * 5))  # as the diary service does
            if n % 3 == 0:
                entry.photos = [DiaryPhoto(position=0, image_key=f"{n:032d}")]
            db.session.add(entry)
        self.community.member_count = size + 2
        self.topic.comment_count = size
        db.session.commit()
        self.size = size


@pytest.fixture
def town(make_member, befriend):
    return Town(make_member, befriend)


def counts(town, browser, keitai, login) -> dict[tuple[str, str], list[str]]:
    found = {}
    clients = {"pc": browser(), "keitai": keitai("au")}
    for client in clients.values():
        login(client, town.viewer)
    ids = {"friend": town.friend.id, "hub": town.hub.id, "entry": town.entry.id,
           "community": town.community.id, "topic": town.topic.id}
    for device, path in PAGES:
        client, url = clients[device], path.format(**ids)
        assert client.get(url).status_code == 200  # the first visit writes the footprint, settles the session
        with count_queries(db.engine) as counter:
            assert client.get(url).status_code == 200, url
        found[device, path] = counter.statements
    return found


def test_every_key_page_runs_as_many_statements_with_1000_rows_as_with_10(town, browser, keitai, login):
    town.grow_to(SMALL)
    small = counts(town, browser, keitai, login)
    town.grow_to(LARGE)
    large = counts(town, browser, keitai, login)
    differing = {page: (len(small[page]), len(large[page])) for page in small if len(small[page]) != len(large[page])}
    assert differing == {}, "\n".join(f"{page}: {a} -> {b}\n  " + "\n  ".join(large[page]) for page, (a, b)
                                      in differing.items())
