"""The community pages on a PC: the list (category, search, sort), my communities, opening one, joining twice,
leaving, handing over — what the resident sees, and that the clean messages reach them."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import update

from ejan.clock import utcnow
from ejan.communities import membership
from ejan.communities.models import APPROVAL, MEMBER, MODERATOR, OWNER, PENDING, Community
from ejan.extensions import db
from helpers_communities import assert_count_right, count, open_community, path_of, role_in


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def order_of(html: str, names) -> list[str]:
    return sorted((n for n in names if n in html), key=html.index)


# --- the list -------------------------------------------------------------------------------------------

@pytest.fixture
def listed(make_member):
    """Three communities: sizes 3, 1, 2; activity newest in 防災の会; categories 趣味, 防災, 趣味."""
    owner, a, b = make_member("佐藤"), make_member("鈴木"), make_member("高橋")
    big = open_community(owner, "茶摘みの会", category="趣味", description="新茶を摘みます")
    quiet = open_community(owner, "防災の会", category="防災", description="備蓄の点検")
    middle = open_community(owner, "城めぐりの会", category="趣味", description="掛川城と高天神城")
    membership.join(a, big.id)
    membership.join(b, big.id)
    membership.join(a, middle.id)
    now = utcnow()
    for community, hours in ((big, 5), (quiet, 0), (middle, 2)):
        db.session.execute(update(Community).where(Community.id == community.id)
                           .values(last_activity_at=now - timedelta(hours=hours)))
    db.session.commit()
    return owner, a


NAMES = ("茶摘みの会", "防災の会", "城めぐりの会")


def test_the_list_sorts_by_members_by_default_and_by_activity_on_request(listed, browser):
    client = browser(listed[1])
    assert order_of(page_text(client, "/communities"), NAMES) == ["茶摘みの会", "城めぐりの会", "防災の会"]
    assert order_of(page_text(client, "/communities?sort=activity"), NAMES) == ["防災の会", "城めぐりの会", "茶摘みの会"]


def test_the_list_filters_by_category_and_searches_names_and_descriptions(listed, browser):
    client = browser(listed[1])
    assert order_of(page_text(client, "/communities?category=" + quote("趣味")), NAMES) == ["茶摘みの会", "城めぐりの会"]
    assert order_of(page_text(client, "/communities?q=" + quote("高天神")), NAMES) == ["城めぐりの会"]
    html = page_text(client, "/communities?q=" + quote("100%_"))
    assert order_of(html, NAMES) == []


@pytest.mark.parametrize("query", ["category=" + quote("宇宙"), "sort=random"])
def test_a_category_or_sort_not_on_the_list_goes_back_to_the_plain_list(listed, browser, query):
    response = browser(listed[1]).get(f"/communities?{query}")
    assert response.status_code == 302 and path_of(response.headers["Location"]) == "/communities"


def test_my_communities_are_the_ones_i_joined(make_member, browser):
    me, other = make_member("佐藤"), make_member("鈴木")
    open_community(me, "わたしの会")
    joined = open_community(other, "入った会")
    membership.join(me, joined.id)
    asked = open_community(other, "申請中の会", join_policy=APPROVAL)
    membership.join(me, asked.id)
    banned = open_community(other, "禁止された会")
    membership.ban(other, banned.id, me.id)
    open_community(other, "よその会")
    html = page_text(browser(me), "/communities/mine")
    assert "わたしの会" in html and "入った会" in html
    for name in ("申請中の会", "禁止された会", "よその会"):
        assert name not in html


def test_the_list_is_for_logged_in_members(browser):
    response = browser().get("/communities")
    assert response.status_code == 302 and path_of(response.headers["Location"]) == "/login"


# --- opening one ----------------------------------------------------------------------------------------

def test_opening_a_community_through_the_form(make_member, browser):
    me = make_member("佐藤")
    response = browser(me).post("/communities/new", data={
        "name": "掛川の子育て広場", "category": "子育て", "description": "情報交換しましょう",
        "join_policy": APPROVAL, "topic_visibility": "members"})
    assert response.status_code == 302
    community = db.session.scalars(db.select(Community)).one()
    assert path_of(response.headers["Location"]) == f"/communities/{community.id}"
    assert (community.join_policy, community.topic_visibility, community.owner_id) == (APPROVAL, "members", me.id)
    assert role_in(community.id, me.id) == OWNER


def test_a_taken_name_is_sent_back_with_a_clean_message_and_the_text_kept(make_member, browser):
    open_community(make_member("佐藤"), "Kakegawa Tea Friends")
    response = browser(make_member("鈴木")).post("/communities/new", data={
        "name": "kakegawa tea friends", "category": "趣味", "description": "静岡茶の飲み比べをする会です",
        "join_policy": "open", "topic_visibility": "site"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "同じ名前のコミュニティがすでにあります" in html
    assert 'value="kakegawa tea friends"' in html
    assert "静岡茶の飲み比べをする会です" in html
    assert count(Community) == 1


# --- joining, leaving, handing over ------------------------------------------------------------------------

def test_joining_twice_over_http_gives_the_clean_message_the_second_time(make_member, browser):
    community = open_community(make_member("佐藤"), "掛川茶の会")
    me = make_member("鈴木")
    client = browser(me)
    first = client.post(f"/communities/{community.id}/join")
    assert first.status_code == 302 and path_of(first.headers["Location"]) == f"/communities/{community.id}"
    assert "参加しました" in page_text(client, first.headers["Location"])
    second = client.post(f"/communities/{community.id}/join")
    assert second.status_code == 302
    html = page_text(client, second.headers["Location"])
    assert "すでに参加しています" in html
    assert role_in(community.id, me.id) == MEMBER
    assert assert_count_right(community.id) == 2


def test_asking_to_join_over_http_tells_to_wait_and_the_owner_sees_the_request(make_member, browser):
    owner, me = make_member("佐藤"), make_member("鈴木")
    community = open_community(owner, "掛川茶の会", join_policy=APPROVAL)
    client = browser(me)
    response = client.post(f"/communities/{community.id}/join", data={"message": "茶農家です"})
    assert "承認をお待ちください" in page_text(client, response.headers["Location"])
    assert role_in(community.id, me.id) == PENDING
    owners = browser(owner)
    requests = page_text(owners, f"/communities/{community.id}/requests")
    assert "鈴木" in requests and "茶農家です" in requests
    response = owners.post(f"/communities/{community.id}/members/{me.id}/approve",
                           data={"back": f"/communities/{community.id}/requests"})
    assert response.status_code == 302
    assert path_of(response.headers["Location"]) == f"/communities/{community.id}/requests"
    assert role_in(community.id, me.id) == MEMBER
    again = owners.post(f"/communities/{community.id}/members/{me.id}/approve")
    assert "すでに処理されています" in page_text(owners, again.headers["Location"])
    assert assert_count_right(community.id) == 2


def test_member_actions_never_send_one_off_the_site(make_member, browser):
    owner, me = make_member("佐藤"), make_member("鈴木")
    community = open_community(owner, "掛川茶の会", join_policy=APPROVAL)
    membership.join(me, community.id)
    response = browser(owner).post(f"/communities/{community.id}/members/{me.id}/decline",
                                   data={"back": "https://evil.example/phish"})
    assert path_of(response.headers["Location"]) == f"/communities/{community.id}/members"
    assert "evil" not in response.headers["Location"]


def test_the_owner_is_told_to_hand_over_before_leaving_then_hands_over(make_member, browser):
    owner, heir = make_member("佐藤"), make_member("鈴木")
    community = open_community(owner, "掛川茶の会")
    membership.join(heir, community.id)
    client = browser(owner)
    response = client.post(f"/communities/{community.id}/leave")
    assert "引き継" in page_text(client, response.headers["Location"])
    assert role_in(community.id, owner.id) == OWNER

    assert "鈴木" in page_text(client, f"/communities/{community.id}/handover")
    response = client.post(f"/communities/{community.id}/handover", data={"member_id": str(heir.id)})
    assert response.status_code == 302
    assert role_in(community.id, heir.id) == OWNER and role_in(community.id, owner.id) == MODERATOR
    assert client.get(f"/communities/{community.id}/handover").status_code == 403
    response = client.post(f"/communities/{community.id}/leave")
    assert "退会しました" in page_text(client, response.headers["Location"])
    assert role_in(community.id, owner.id) is None
    assert assert_count_right(community.id) == 1


def test_a_banned_member_trying_to_join_over_http_is_refused(make_member, browser):
    owner, me = make_member("佐藤"), make_member("鈴木")
    community = open_community(owner, "掛川茶の会")
    membership.join(me, community.id)
    membership.ban(owner, community.id, me.id)
    client = browser(me)
    assert client.post(f"/communities/{community.id}/join").status_code == 403
    assert "参加できません" in page_text(client, f"/communities/{community.id}")
    assert assert_count_right(community.id) == 1
