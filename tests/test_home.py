"""The front page a member sees after logging in: what it shows, and that it stays cheap."""
from __future__ import annotations

from datetime import timedelta

from ejan.clock import utcnow
from ejan.communities import directory, events, membership
from ejan.diary.models import DiaryEntry
from ejan.extensions import db
from support import count_queries


def _busy_member(make_member, befriend, n: int, tag: str):
    me = make_member(f"佐藤{tag}")
    for i in range(n):
        friend = make_member(f"友達{tag}{i}")
        befriend(me, friend)
        db.session.add(DiaryEntry(author_id=friend.id, title=f"日記{tag}{i}", body="本文", visibility="members"))
        community = directory.create_community(friend, name=f"会{tag}{i}", category="趣味", description="説明")
        membership.join(me, community.id)
        events.create_event(friend, community.id, title=f"集まり{tag}{i}", starts_at=utcnow() + timedelta(days=3))
    db.session.commit()
    return me


def test_home_shows_friends_diaries_my_communities_and_coming_events(browser, make_member, befriend):
    me = _busy_member(make_member, befriend, 2, "a")
    html = browser(me).get("/").get_data(as_text=True)
    assert "日記a1" in html and "会a0" in html and "集まりa0" in html


def test_home_runs_the_same_queries_with_two_or_thirty_of_everything(browser, make_member, befriend):
    counts = []
    for n, tag in ((2, "a"), (30, "b")):
        web = browser(_busy_member(make_member, befriend, n, tag))
        web.get("/")
        with count_queries(db.engine) as counter:
            assert web.get("/").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 15, counts
