"""Blocking, by every way two members can meet: a table of what each side gets, on a PC and on a phone.

佐藤 blocks 田中. Before that they were friends, visited each other's pages and both commented on
鈴木's diary; 鈴木 is a friend of both. 伊藤, who knows none of them, is the bystander whose view of
佐藤 must not change. Columns:
  before     田中 looking at 佐藤, before the block (the control: everything reaches)
  blocked    田中 looking at 佐藤, after 佐藤 blocked him
  blocker    佐藤 looking at 田中, after blocking him
  bystander  伊藤 looking at 佐藤
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from ejan.diary import footprints, services as diary
from ejan.diary.models import MEMBERS, DiaryComment
from ejan.extensions import db
from ejan.friends.models import FriendRequest, Friendship, Introduction
from ejan.members import blocking
from ejan.members.models import Block, Member
from ejan.notify.models import Notification
from support import at_the_same_moment, form_action, html_of, sjis_post

WORD = "Awagatake"
COLUMNS = ("before", "blocked", "blocker", "bystander")
EXPECTED = {
    #                          before    blocked   blocker   bystander
    "profile":                ("shown",  "404",    "shown",  "shown"),
    "diary page":             ("listed", "404",    "absent", "listed"),
    "entry page":             ("shown",  "404",    "404",    "shown"),
    "friends feed":           ("listed", "absent", "absent", "absent"),
    "site feed":              ("listed", "absent", "absent", "listed"),
    "search":                 ("listed", "absent", "absent", "listed"),
    "comments on 鈴木's entry": ("listed", "absent", "absent", "listed"),
    "鈴木's friend list":      ("listed", "absent", "absent", "listed"),
    "my footprints":          ("listed", "absent", "absent", "listed"),
    "comment":                ("stored", "404",    "404",    "stored"),
    "friend request":         ("refused", "404",   "refused", "sent"),
}


@pytest.fixture
def cast(make_member, befriend):
    p = {n: make_member(n) for n in ("佐藤", "田中", "鈴木", "伊藤")}
    befriend(p["佐藤"], p["田中"])
    befriend(p["鈴木"], p["佐藤"])
    befriend(p["鈴木"], p["田中"])
    entries = {n: diary.create_entry(p[n], title=f"{n}の日記・{WORD}", body=f"{WORD}に登りました。", visibility=MEMBERS)
               for n in ("佐藤", "田中", "鈴木")}
    for n in ("佐藤", "田中"):
        diary.add_comment(p[n], entries["鈴木"].id, f"{n}のコメントです")
    for visitor, owner in (("田中", "佐藤"), ("佐藤", "田中"), ("佐藤", "伊藤")):
        footprints.record(p[visitor], p[owner])
    return {"people": p, "entries": {n: e.id for n, e in entries.items()}}


def sides(cast, column):
    """(viewer, the member they look at) for a column."""
    p = cast["people"]
    return {"before": (p["田中"], p["佐藤"]), "blocked": (p["田中"], p["佐藤"]),
            "blocker": (p["佐藤"], p["田中"]), "bystander": (p["伊藤"], p["佐藤"])}[column]


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def observe(way, client, device, cast, viewer, other) -> str:
    entry_id = cast["entries"][other.nickname]
    post = (lambda url, data: sjis_post(client, url, data)) if device == "keitai" else (lambda url, data: client.post(url, data=data))
    if way == "comment":
        before = count(DiaryComment, DiaryComment.entry_id == entry_id)
        response = post(f"/diary/{entry_id}/comments", {"body": "見ました", "submit_token": f"t{viewer.id}"})
        stored = count(DiaryComment, DiaryComment.entry_id == entry_id) - before
        if response.status_code == 404:
            assert stored == 0
            return "404"
        assert response.status_code == 302 and stored == 1, (response.status_code, stored)
        return "stored"
    if way == "friend request":
        response = post(f"/members/{other.id}/friend-request", {"message": "よろしく"})
        sent = count(FriendRequest, FriendRequest.from_id == viewer.id, FriendRequest.to_id == other.id)
        if response.status_code == 404:
            assert not sent
            return "404"
        return "sent" if sent else "refused"
    url, looked_for = {
        "profile": (f"/members/{other.id}", other.nickname),
        "diary page": (f"/members/{other.id}/diary", f"{other.nickname}の日記"),
        "entry page": (f"/diary/{entry_id}", f"{other.nickname}の日記"),
        "friends feed": ("/diary/friends", f"{other.nickname}の日記"),
        "site feed": ("/diary/everyone", f"{other.nickname}の日記"),
        "search": (f"/diary/search?q={WORD}", f"{other.nickname}の日記"),
        "comments on 鈴木's entry": (f"/diary/{cast['entries']['鈴木']}", f"{other.nickname}のコメント"),
        "鈴木's friend list": (f"/members/{cast['people']['鈴木'].id}/friends", other.nickname),
        "my footprints": ("/footprints", other.nickname),
    }[way]
    response = client.get(url)
    body = html_of(response)
    if response.status_code == 404:
        assert looked_for not in body
        return "404"
    assert response.status_code == 200, (way, response.status_code)
    if way in ("profile", "entry page"):
        assert looked_for in body
        return "shown"
    return "listed" if looked_for in body else "absent"


def client_for(device, member, browser, keitai, login):
    if device == "pc":
        return browser(member)
    phone = keitai("au")
    login(phone, member)
    return phone


@pytest.mark.parametrize("device", ["pc", "keitai"])
@pytest.mark.parametrize("column", COLUMNS)
def test_what_each_side_of_a_block_reaches(cast, column, device, browser, keitai, login):
    viewer, other = sides(cast, column)
    if column != "before":
        blocking.block(cast["people"]["佐藤"], cast["people"]["田中"].id)
    client = client_for(device, viewer, browser, keitai, login)
    at = COLUMNS.index(column)
    seen = {way: observe(way, client, device, cast, viewer, other) for way in EXPECTED}
    assert seen == {way: row[at] for way, row in EXPECTED.items()}


def test_the_table_covers_every_column():
    assert all(len(row) == len(COLUMNS) for row in EXPECTED.values())


# --- what a block does to the ties between the two -----------------------------------------------------

def test_blocking_ends_the_friendship_introductions_and_pending_requests(make_member, befriend):
    sato, tanaka, ito = make_member("佐藤"), make_member("田中"), make_member("伊藤")
    befriend(sato, tanaka)
    db.session.add_all([Introduction(about_id=sato.id, author_id=tanaka.id, body="茶畑の名人"),
                        FriendRequest(from_id=ito.id, to_id=sato.id)])
    db.session.commit()
    blocking.block(sato, tanaka.id)
    assert count(Friendship, Friendship.member_id.in_([sato.id, tanaka.id]),
                 Friendship.friend_id.in_([sato.id, tanaka.id])) == 0
    assert count(Introduction) == 0
    assert count(FriendRequest) == 1, "a request from someone else stays"
    blocking.block(ito, sato.id)
    assert count(FriendRequest) == 0


def test_unblocking_lets_them_meet_again_but_not_as_friends(make_member, befriend, browser):
    sato, tanaka = make_member("佐藤"), make_member("田中")
    befriend(sato, tanaka)
    blocking.block(sato, tanaka.id)
    blocking.unblock(sato, tanaka.id)
    assert browser(tanaka).get(f"/members/{sato.id}").status_code == 200
    assert count(Friendship) == 0 and count(Block) == 0


def test_nobody_blocks_themselves(make_member):
    from ejan.errors import Invalid
    sato = make_member("佐藤")
    with pytest.raises(Invalid):
        blocking.block(sato, sato.id)
    assert count(Block) == 0


def test_a_blocked_follower_hears_nothing_of_the_blockers_comments(make_member):
    sato, tanaka, suzuki = make_member("佐藤"), make_member("田中"), make_member("鈴木")
    entry = diary.create_entry(suzuki, title="新茶", body="本文", visibility=MEMBERS)
    diary.add_comment(tanaka, entry.id, "楽しみ", follow=True)
    blocking.block(sato, tanaka.id)
    diary.add_comment(sato, entry.id, "いいですね")
    assert count(Notification, Notification.member_id == tanaka.id) == 0
    assert count(Notification, Notification.member_id == suzuki.id) == 2, "the entry's author still hears"


def test_two_taps_on_block_at_once_store_one_block(app, monkeypatch, make_member, befriend):
    sato, tanaka = make_member("佐藤"), make_member("田中")
    befriend(sato, tanaka)
    sato_id, tanaka_id = sato.id, tanaka.id

    def work():
        return blocking.block(db.session.get(Member, sato_id), tanaka_id).id

    results, _ = at_the_same_moment(app, monkeypatch, blocking, "is_blocking", work, when=lambda r: r is False)
    assert results == [tanaka_id, tanaka_id]
    assert count(Block) == 1 and count(Friendship) == 0


# --- the buttons: profile → confirmation → block; settings list → unblock --------------------------------

def test_block_and_unblock_from_a_pc(make_member, browser):
    sato, tanaka = make_member("佐藤"), make_member("田中")
    pc = browser(sato)
    profile = pc.get(f"/members/{tanaka.id}").get_data(as_text=True)
    assert f"/members/{tanaka.id}/block" in profile
    confirm = pc.get(f"/members/{tanaka.id}/block")
    assert confirm.status_code == 200 and "ブロックしますか" in confirm.get_data(as_text=True)
    assert count(Block) == 0, "the confirmation page alone blocks nobody"
    response = pc.post(f"/members/{tanaka.id}/block")
    assert urlsplit(response.headers["Location"]).path == f"/members/{tanaka.id}"
    assert count(Block, Block.blocker_id == sato.id, Block.blocked_id == tanaka.id) == 1
    assert "ブロック中" in pc.get(f"/members/{tanaka.id}").get_data(as_text=True)
    listing = pc.get("/settings/blocks").get_data(as_text=True)
    assert "田中" in listing
    assert "/settings/blocks" in pc.get("/profile/edit").get_data(as_text=True)
    response = pc.post(f"/members/{tanaka.id}/unblock?back=list")
    assert urlsplit(response.headers["Location"]).path == "/settings/blocks"
    assert count(Block) == 0
    assert "田中" not in pc.get("/settings/blocks").get_data(as_text=True)


def test_block_and_unblock_from_a_cookieless_phone(make_member, keitai):
    from support import keitai_login
    sato, tanaka = make_member("佐藤"), make_member("田中")
    phone = keitai("docomo_nocookie")
    home = keitai_login(phone, sato)
    token = dict(p.split("=") for p in urlsplit(home).query.split("&"))["ejs"]
    profile = html_of(phone.get(f"/members/{tanaka.id}?ejs={token}"))
    assert f"/members/{tanaka.id}/block" in profile
    confirm = html_of(phone.get(f"/members/{tanaka.id}/block?ejs={token}"))
    sjis_post(phone, form_action(confirm, "/block"), {})
    assert count(Block, Block.blocker_id == sato.id, Block.blocked_id == tanaka.id) == 1
    listing = html_of(phone.get(f"/settings/blocks?ejs={token}"))
    assert "田中" in listing
    response = sjis_post(phone, form_action(listing, "/unblock"), {})
    assert response.status_code == 302
    assert count(Block) == 0


def test_the_blocked_member_cannot_open_the_block_page_of_the_blocker(make_member, browser):
    sato, tanaka = make_member("佐藤"), make_member("田中")
    blocking.block(sato, tanaka.id)
    assert browser(tanaka).get(f"/members/{sato.id}/block").status_code == 404


# --- communities: the member list and topic comments ---------------------------------------------------------

@pytest.fixture
def community_cast(make_member):
    from ejan.communities import directory, membership, topics
    p = {n: make_member(n) for n in ("佐藤", "田中", "伊藤")}
    community = directory.create_community(p["伊藤"], name="倉真の防災会", category="趣味", description="防災",
                                           join_policy="open", topic_visibility="site")
    for n in ("佐藤", "田中"):
        membership.join(p[n], community.id)
    topic = topics.create_topic(p["佐藤"], community.id, title="避難訓練の日程", body="いつにしましょう")
    topics.add_comment(p["田中"], topic.id, "田中のコメントです")
    return {"people": p, "community": community.id, "topic": topic.id}


@pytest.mark.parametrize("device", ["pc", "keitai"])
def test_community_member_lists_leave_out_both_sides_of_a_block(community_cast, device, browser, keitai, login):
    p, community_id = community_cast["people"], community_cast["community"]
    blocking.block(p["佐藤"], p["田中"].id)
    for viewer, other, seen in ((p["田中"], "佐藤", False), (p["佐藤"], "田中", False), (p["伊藤"], "佐藤", True),
                                (p["伊藤"], "田中", True)):
        client = client_for(device, viewer, browser, keitai, login)
        page = html_of(client.get(f"/communities/{community_id}/members"))
        assert (other in page) is seen, (viewer.nickname, other)


@pytest.mark.parametrize("device", ["pc", "keitai"])
def test_no_comments_across_a_block_on_topics(community_cast, device, browser, keitai, login):
    from ejan.communities.models import TopicComment
    p, topic_id = community_cast["people"], community_cast["topic"]
    blocking.block(p["佐藤"], p["田中"].id)
    tanaka = client_for(device, p["田中"], browser, keitai, login)
    page = html_of(tanaka.get(f"/topics/{topic_id}"))
    assert "避難訓練の日程" in page, "the topic itself stays readable in the community"
    assert f"/topics/{topic_id}/comments" not in page, "no comment form for the blocked member"
    before = count(TopicComment)
    data = {"body": "見ました", "submit_token": "x1"}
    response = sjis_post(tanaka, f"/topics/{topic_id}/comments", data) if device == "keitai" \
        else tanaka.post(f"/topics/{topic_id}/comments", data=data)
    assert response.status_code == 403 and count(TopicComment) == before
    sato_page = html_of(client_for(device, p["佐藤"], browser, keitai, login).get(f"/topics/{topic_id}"))
    assert "田中のコメント" not in sato_page
    assert "田中のコメント" in html_of(client_for(device, p["伊藤"], browser, keitai, login).get(f"/topics/{topic_id}"))
