"""Who may open which page of the friends feature: a table of expected outcomes.

The owner (佐藤) has one friend, one pending request from 申請者 with a message, and the notification
that request produced. Viewers: the owner, the friend, another member, a stranger who is not logged in,
an administrator, and a member who was logged in and then suspended (their session is dead)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ejan.friends import services as friends
from ejan.members import services as members

REQUEST_MESSAGE = "お茶会でお会いしましたね"
NOTIFICATION_TEXT = "申請者 さんからマイフレンド申請が届きました"

PAGES = {
    "profile": "/members/{owner}",
    "friend list": "/members/{owner}/friends",
    "friend request": "/members/{owner}/friend-request",
    "introduction form": "/members/{owner}/introduction",
    "requests": "/friends/requests",
    "notifications": "/notifications",
}

# What the page shows that is the owner's alone (the requests and notifications pages have no owner in
# their address: everyone sees their own; nobody else may see the owner's).
PRIVATE = {"requests": REQUEST_MESSAGE, "notifications": NOTIFICATION_TEXT}

# ok      200, the page itself          login   redirect to /login
# mine    200, showing the owner's own  404     not found
# others  200, but only the viewer's own things, never the owner's
VIEWERS = ("owner", "friend", "other", "stranger", "admin", "suspended")
EXPECTED = {
    #                     owner     friend    other     stranger  admin     suspended
    "profile":           ("ok",     "ok",     "ok",     "login",  "ok",     "login"),
    "friend list":       ("ok",     "ok",     "ok",     "login",  "ok",     "login"),
    "friend request":    ("ok",     "ok",     "ok",     "login",  "ok",     "login"),
    "introduction form": ("404",    "ok",     "404",    "login",  "404",    "login"),
    "requests":          ("mine",   "others", "others", "login",  "others", "login"),
    "notifications":     ("mine",   "others", "others", "login",  "others", "login"),
}

# The owner is suspended: their pages are for administrators only.
SUSPENDED_VIEWERS = ("friend", "other", "admin")
EXPECTED_WHEN_OWNER_SUSPENDED = {
    #                     friend    other     admin
    "profile":           ("404",    "404",    "ok"),
    "friend list":       ("404",    "404",    "ok"),
    "friend request":    ("404",    "404",    "ok"),
    "introduction form": ("404",    "404",    "404"),
}


def cases(table, viewers):
    return [pytest.param(page, viewer, outcome, id=f"{page}-{viewer}")
            for page, outcomes in table.items() for viewer, outcome in zip(viewers, outcomes, strict=True)]



@pytest.fixture
def cast(app, make_member, befriend):
    owner = make_member("佐藤")
    people = {
        "owner": owner,
        "friend": make_member("鈴木"),
        "other": make_member("田中"),
        "admin": make_member("管理者", role="admin"),
        "suspended": make_member("停止予定"),
    }
    befriend(owner, people["friend"])
    friends.request_friend(make_member("申請者"), owner.id, REQUEST_MESSAGE)
    return people


def viewer_client(browser, login, cast, viewer):
    client = browser()
    if viewer == "stranger":
        return client
    login(client, cast[viewer])
    if viewer == "suspended":
        members.suspend(cast["admin"], cast["suspended"])
    return client


def check(response, outcome, page, owner):
    html = response.get_data(as_text=True)
    if outcome == "login":
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/login"
        return
    if outcome == "404":
        assert response.status_code == 404
        assert owner.nickname not in html.split("<main", 1)[1]  # nothing of the owner's shows through
        return
    assert response.status_code == 200
    if page in PRIVATE:
        assert (PRIVATE[page] in html) == (outcome == "mine")
    else:
        assert owner.nickname in html


@pytest.mark.parametrize(("page", "viewer", "outcome"), cases(EXPECTED, VIEWERS))
def test_who_can_open_friend_pages(browser, login, cast, page, viewer, outcome):
    client = viewer_client(browser, login, cast, viewer)
    owner = cast["owner"]
    response = client.get(PAGES[page].format(owner=owner.id))
    check(response, outcome, page, owner)


@pytest.mark.parametrize(("page", "viewer", "outcome"), cases(EXPECTED_WHEN_OWNER_SUSPENDED, SUSPENDED_VIEWERS))
def test_a_suspended_members_pages_are_for_admins_only(browser, login, cast, page, viewer, outcome):
    client = viewer_client(browser, login, cast, viewer)
    owner = cast["owner"]
    members.suspend(cast["admin"], owner)
    response = client.get(PAGES[page].format(owner=owner.id))
    check(response, outcome, page, owner)


def test_the_table_covers_every_page_and_viewer():
    assert set(EXPECTED) == set(PAGES)
    assert all(len(row) == len(VIEWERS) for row in EXPECTED.values())
    assert all(len(row) == len(SUSPENDED_VIEWERS) for row in EXPECTED_WHEN_OWNER_SUSPENDED.values())


def test_a_suspended_member_is_logged_out_of_every_page_at_once(browser, login, cast):
    client = viewer_client(browser, login, cast, "owner")
    assert client.get("/notifications").status_code == 200
    members.suspend(cast["admin"], cast["owner"])
    assert client.get("/notifications").status_code == 302
    assert client.get(f"/members/{cast['friend'].id}").status_code == 302
