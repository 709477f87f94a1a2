"""The community list, the community top and the topic page run the same number of SQL statements with 3
communities, topics, comments, members and events as with 40: nothing is loaded row by row."""
from __future__ import annotations

from datetime import timedelta

import pytest

from ejan.clock import utcnow
from ejan.communities import membership
from ejan.communities.models import (APPROVAL, MEMBER, MEMBERS_ONLY, MODERATOR, OWNER, Community, Event, Membership,
                                     Topic, TopicComment)
from ejan.extensions import db
from ejan.members.models import Member
from helpers_communities import keitai_login
from support import count_queries

FEW, MANY = 3, 40
BUDGET = 15  # statements for one page, the login session included


def crowd(tag: str, n: int) -> list[Member]:
    people = [Member(email=f"{tag}{i}@example.jp", nickname=f"{tag}{i}", password_hash="!",
                     photo_key=f"{i:032x}" if i % 2 else None) for i in range(n)]
    db.session.add_all(people)
    db.session.flush()
    return people


def community_with(tag: str, viewer: Member, n: int, *, category: str = "防災", **values) -> Community:
    """A community with n members (the first is the owner, the second a moderator), n topics, the first with
    n comments by n different people (not its author), and n events coming up; the viewer is a member."""
    people = crowd(tag, n)
    now = utcnow()
    community = Community(name=f"{tag}の会", category=category, description=f"{tag}の説明", owner_id=people[0].id,
                          member_count=n + 1, last_activity_at=now, created_at=now, image_key=None, **values)
    db.session.add(community)
    db.session.flush()
    db.session.add_all([Membership(community_id=community.id, member_id=p.id,
                                   role=OWNER if i == 0 else MODERATOR if i == 1 else MEMBER)
                        for i, p in enumerate(people)]
                       + [Membership(community_id=community.id, member_id=viewer.id, role=MEMBER)])
    topics = [Topic(community_id=community.id, author_id=people[i].id, title=f"{tag}の話題{i}", body="本文",
                    pinned=i == 0, closed=i == 1, comment_count=n if i == 0 else 0,
                    created_at=now, last_comment_at=now - timedelta(minutes=i)) for i in range(n)]
    db.session.add_all(topics)
    db.session.flush()
    commenters = people[1:] + [viewer]  # not the topic's author, so no page finds them loaded already
    db.session.add_all([TopicComment(topic_id=topics[0].id, author_id=p.id, body=f"{p.nickname}のコメント",
                                     created_at=now + timedelta(seconds=i)) for i, p in enumerate(commenters)])
    db.session.add_all([Event(community_id=community.id, author_id=people[i].id, title=f"{tag}の行事{i}",
                              starts_at=now + timedelta(days=i + 1), place="公民館", description="")
                        for i in range(n)])
    db.session.commit()
    community.first_topic_id = topics[0].id
    return community


def many_communities(viewer: Member, tag: str, n: int) -> None:
    """n more communities of mixed categories; the viewer belongs to every other one."""
    owner = crowd(tag, 1)[0]
    now = utcnow()
    communities = [Community(name=f"{tag}{i}", category=("防災", "趣味", "地域")[i % 3], description="説明",
                             owner_id=owner.id, member_count=i + 1, join_policy=APPROVAL if i % 4 == 0 else "open",
                             image_key=f"{i:032x}" if i % 5 == 0 else None,
                             last_activity_at=now - timedelta(hours=i), created_at=now) for i in range(n)]
    db.session.add_all(communities)
    db.session.flush()
    db.session.add_all([Membership(community_id=c.id, member_id=owner.id, role=OWNER) for c in communities]
                       + [Membership(community_id=c.id, member_id=viewer.id, role=MEMBER)
                          for c in communities[::2]])
    db.session.commit()


def statements(client, url: str) -> list[str]:
    client.get(url)  # once to warm up (first-visit work such as session touches is not the page's)
    with count_queries(db.engine) as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.statements


def assert_same(few: list[str], many: list[str]) -> None:
    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= BUDGET, "\n".join(many)


def client_for(viewer, device: str, browser, keitai):
    if device == "pc":
        return browser(viewer)
    client = keitai("au")
    keitai_login(client, viewer)
    return client


def assert_all_same(few: dict, many: dict) -> None:
    """few/many: page → statements. Every page runs as many statements either way, within the budget."""
    counts = {page: (len(few[page]), len(many[page])) for page in few}
    wrong = {page: n for page, n in counts.items() if n[0] != n[1] or n[1] > BUDGET}
    assert wrong == {}, "\n\n".join(f"{page}: {n}\nfew:\n" + "\n".join(few[page]) + "\nmany:\n" + "\n".join(many[page])
                                    for page, n in wrong.items())


LIST_URLS = ["/communities", "/communities?category=防災&sort=activity", "/communities?sort=new",
             "/communities?q=会", "/communities/mine", "/events"]


@pytest.mark.parametrize("device", ["pc", "keitai"])
def test_community_lists_run_a_fixed_number_of_statements(make_member, browser, keitai, device):
    viewer = make_member("佐藤")
    client = client_for(viewer, device, browser, keitai)
    community_with("少", viewer, FEW)
    many_communities(viewer, "小", FEW)
    few = {url: statements(client, url) for url in LIST_URLS}
    community_with("多", viewer, MANY)
    many_communities(viewer, "大", MANY)
    assert_all_same(few, {url: statements(client, url) for url in LIST_URLS})


PAGES = ["community top", "topic", "topic list", "members", "community events", "search", "event"]


@pytest.mark.parametrize("visibility", ["site", MEMBERS_ONLY])
@pytest.mark.parametrize("device", ["pc", "keitai"])
def test_community_pages_run_a_fixed_number_of_statements(make_member, browser, keitai, device, visibility):
    viewer = make_member("佐藤")
    client = client_for(viewer, device, browser, keitai)
    small = community_with("少", viewer, FEW, topic_visibility=visibility)
    large = community_with("多", viewer, MANY, topic_visibility=visibility)

    def url(community, page):
        event_id = db.session.scalar(db.select(Event.id).where(Event.community_id == community.id).limit(1))
        return {"community top": f"/communities/{community.id}", "topic": f"/topics/{community.first_topic_id}",
                "topic list": f"/communities/{community.id}/topics", "members": f"/communities/{community.id}/members",
                "community events": f"/communities/{community.id}/events",
                "search": f"/topics/search?q={'少' if community is small else '多'}の話題",
                "event": f"/events/{event_id}"}[page]

    assert_all_same({page: statements(client, url(small, page)) for page in PAGES},
                    {page: statements(client, url(large, page)) for page in PAGES})


def test_a_long_topic_pages_its_comments_with_the_same_statements_on_every_page(make_member, browser):
    viewer = make_member("佐藤")
    client = browser(viewer)
    community = community_with("多", viewer, MANY)
    first = statements(client, f"/topics/{community.first_topic_id}")
    last = statements(client, f"/topics/{community.first_topic_id}?page=2")
    assert_same(first, last)


def test_a_member_list_with_more_moderators_than_a_page_pages_through_them_all(make_member):
    """The runners and the members are read apart; a page may hold only runners, or both."""
    owner, viewer = make_member("管理人"), make_member("読者")
    community = Community(name="大きな会", category="地域", description="", owner_id=owner.id)
    db.session.add(community)
    db.session.flush()
    people = [make_member(f"副{i}") for i in range(7)] + [make_member(f"員{i}") for i in range(5)]
    db.session.add_all([Membership(community_id=community.id, member_id=owner.id, role="owner")]
                       + [Membership(community_id=community.id, member_id=p.id,
                                     role="moderator" if p.nickname.startswith("副") else "member") for p in people])
    db.session.commit()
    seen, number = [], 1
    while True:
        page = membership.members_of(viewer, community, number, 3)
        assert len(page.items) <= 3
        seen += [m.member.nickname for m in page.items]
        if not page.has_next:
            break
        number += 1
    assert seen == ["管理人"] + [f"副{i}" for i in range(7)] + [f"員{i}" for i in range(5)]
