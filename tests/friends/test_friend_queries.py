"""A member with 40 friends gets their pages as quickly as one with 3: the number of SQL statements
a page runs does not grow with the number of friends, requests or introductions on it."""
from __future__ import annotations

import pytest

from ejan.extensions import db
from ejan.friends.models import FriendRequest, Friendship, Introduction
from ejan.members.models import Member
from support import count_queries

FEW, MANY = 3, 40
BUDGET = 15


def crowd(tag: str, n: int) -> list[Member]:
    people = [Member(email=f"{tag}{i}@example.jp", nickname=f"{tag}{i}", password_hash="!", district="倉真",
                     photo_key=f"{i:032x}" if i % 2 else None) for i in range(n)]
    db.session.add_all(people)
    db.session.commit()
    return people


def befriend_all(owner: Member, people: list[Member]) -> None:
    db.session.add_all([Friendship(member_id=owner.id, friend_id=p.id) for p in people]
                       + [Friendship(member_id=p.id, friend_id=owner.id) for p in people])
    # Friends know each other in pairs too, so there are friends of friends to count.
    for a, b in zip(people[::2], people[1::2]):
        db.session.add_all([Friendship(member_id=a.id, friend_id=b.id), Friendship(member_id=b.id, friend_id=a.id)])
    db.session.commit()


def with_friends(owner, tag, n):
    befriend_all(owner, crowd(tag, n))


def with_friends_and_introductions(owner, tag, n):
    people = crowd(tag, n)
    befriend_all(owner, people)
    db.session.add_all([Introduction(author_id=p.id, about_id=owner.id, body=f"{p.nickname}より、よろしく")
                        for p in people])
    db.session.commit()


def with_requests(owner, tag, n):
    askers, asked = crowd(f"{tag}a", n), crowd(f"{tag}b", n)
    db.session.add_all([FriendRequest(from_id=p.id, to_id=owner.id, message="よろしくお願いします") for p in askers]
                       + [FriendRequest(from_id=owner.id, to_id=p.id) for p in asked])
    db.session.commit()


PAGES = {
    "friend list": ("/members/{owner}/friends", with_friends, "さんのマイフレンド（{n}人）"),
    "profile": ("/members/{owner}", with_friends_and_introductions, "{tag}1より、よろしく"),
    "requests": ("/friends/requests", with_requests, "{tag}b1</a>"),
}


@pytest.fixture
def statements_for(make_member, browser):
    def measure(page: str, n: int, tag: str) -> list[str]:
        url, build, shows = PAGES[page]
        owner = make_member(f"持ち主{tag}")
        build(owner, tag, n)
        client = browser(owner)
        client.get("/")  # the first page after logging in also stores the form token in the session
        with count_queries(db.engine) as counter:
            response = client.get(url.format(owner=owner.id))
        assert response.status_code == 200
        assert shows.format(tag=tag, n=n) in response.get_data(as_text=True)
        return counter.statements

    return measure


@pytest.mark.parametrize("page", list(PAGES))
def test_page_runs_as_many_statements_with_40_as_with_3(statements_for, page):
    few = statements_for(page, FEW, "few")
    many = statements_for(page, MANY, "many")

    assert len(many) == len(few), "\n".join(many)
    assert len(few) <= BUDGET, "\n".join(few)
