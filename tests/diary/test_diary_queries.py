"""A busy diary site answers as quickly as a quiet one: the friends feed, the site feed and a member's
diary run the same number of SQL statements with 5 entries as with 200 (and 3 friends or 60), on PCs
and on keitai."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ejan.diary.models import FRIENDS, MEMBERS, PRIVATE, DiaryComment, DiaryEntry, DiaryPhoto
from ejan.extensions import db
from ejan.friends.models import Friendship
from ejan.members.models import Member
from support import count_queries

FEW, MANY = 5, 200
FEW_FRIENDS, MANY_FRIENDS = 3, 60
BUDGET = 12  # statements for one list page, login session and footprint included

PAGES = {
    "friends feed": "/diary/friends",
    "site feed": "/diary/everyone",
    "member's diary": "/members/{star}/diary",
}


def grow(viewer: Member, star: Member, *, friends: int, entries: int, tag: str) -> None:
    """Add friends of the viewer and entries by them and by `star` (a friend too), with photos and comments."""
    people = [Member(email=f"{tag}{i}@example.jp", nickname=f"{tag}{i}", password_hash="!",
                     photo_key=f"{i:022d}" if i % 2 else None) for i in range(friends)]
    db.session.add_all(people)
    db.session.flush()
    db.session.add_all([Friendship(member_id=viewer.id, friend_id=p.id) for p in people]
                       + [Friendship(member_id=p.id, friend_id=viewer.id) for p in people])
    start = datetime(2026, 4, 1)
    for i in range(entries):
        writer = star if i % 2 == 0 else people[i % len(people)]  # half by the star, for their diary page
        entry = DiaryEntry(author_id=writer.id, title=f"{tag}の日記{i}", body="茶" * 50,
                           visibility=(MEMBERS, MEMBERS, FRIENDS, PRIVATE)[i % 4],
                           created_at=start + timedelta(minutes=i))
        if i % 3 == 0:
            entry.photos = [DiaryPhoto(position=n, image_key=f"{tag[:2]}{i:06d}{n:014d}") for n in range(1 + i % 3)]
        db.session.add(entry)
        db.session.flush()
        if i % 2 == 0:
            db.session.add_all([DiaryComment(entry_id=entry.id, author_id=viewer.id, body="いいね") for _ in range(2)])
    db.session.commit()


@pytest.fixture
def measure(make_member, befriend, browser, keitai, login):
    viewer, star = make_member("読者"), make_member("人気者")
    befriend(viewer, star)

    def statements(device: str, url: str) -> list[str]:
        client = keitai("au") if device == "keitai" else browser()
        login(client, viewer)
        url = url.format(star=star.id)
        assert client.get(url).status_code == 200  # the first page after login also settles the session
        with count_queries(db.engine) as counter:
            response = client.get(url)
        assert response.status_code == 200
        return counter.statements

    return viewer, star, statements


@pytest.mark.parametrize("device", ["pc", "keitai"])
@pytest.mark.parametrize("page", list(PAGES))
def test_a_list_page_runs_as_many_statements_with_200_entries_as_with_5(measure, page, device):
    viewer, star, statements = measure
    grow(viewer, star, friends=FEW_FRIENDS, entries=FEW, tag="few")
    few = statements(device, PAGES[page])
    grow(viewer, star, friends=MANY_FRIENDS - FEW_FRIENDS, entries=MANY - FEW, tag="many")
    many = statements(device, PAGES[page])
    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= BUDGET, "\n".join(many)


def test_the_second_page_costs_no_more_than_the_first(measure):
    viewer, star, statements = measure
    grow(viewer, star, friends=MANY_FRIENDS, entries=MANY, tag="many")
    assert len(statements("pc", "/diary/everyone?page=2")) == len(statements("pc", "/diary/everyone"))
