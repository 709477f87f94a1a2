"""A friend-request notification stops being 新着 once the request is answered (accepted or declined)
or taken back, whether the answer came from a PC or a phone; other notifications stay new."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from ejan.extensions import db
from ejan.friends import services as friends
from ejan.friends.models import FriendRequest
from ejan.notify import services as notify
from ejan.notify import api
from ejan.notify.models import Notification
from support import PC_UA, html_of, keitai_login, sjis_post

PARAM = "ejs"


@pytest.fixture(params=["pc", "keitai"])
def answer(request, app, keitai, login):
    """answer(member, request_id, action): the member presses the button on their device."""
    def press(member, request_id: int, action: str):
        path = f"/friends/requests/{request_id}/{action}"
        if request.param == "pc":
            client = app.test_client()
            client.environ_base["HTTP_USER_AGENT"] = PC_UA
            login(client, member)
            response = client.post(path)
        else:
            phone = keitai("docomo_nocookie")
            token = parse_qs(urlsplit(keitai_login(phone, member)).query)[PARAM][0]
            response = sjis_post(phone, f"{path}?{PARAM}={token}", {})
        assert response.status_code == 302, html_of(response)
    return press


def unread_of(member) -> list[str]:
    db.session.expire_all()
    return [n.kind for n in db.session.scalars(
        select(Notification).where(Notification.member_id == member.id, Notification.read_at.is_(None)))]


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_answering_a_request_marks_its_notification_read(answer, make_member, action):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    asked = friends.request_friend(suzuki, sato.id, "よろしく")
    friends.request_friend(tanaka, sato.id, "")  # another request, not answered yet
    api.notify([sato.id], "diary_comment", {"actor_id": suzuki.id, "link": "/diary/1", "subject": "茶摘み"})
    assert sorted(unread_of(sato)) == ["diary_comment", "friend_requested", "friend_requested"]

    answer(sato, asked.id, action)

    assert sorted(unread_of(sato)) == ["diary_comment", "friend_requested"]  # Tanaka's still waits
    assert notify.unread_count(sato) == 2


def test_a_request_taken_back_leaves_no_new_notification(answer, make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    asked = friends.request_friend(suzuki, sato.id, "")
    answer(suzuki, asked.id, "cancel")
    assert unread_of(sato) == []


def test_asking_back_accepts_and_marks_the_first_request_read(make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    friends.request_friend(suzuki, sato.id, "")
    assert friends.request_friend(sato, suzuki.id, "") is None  # crossing requests: accepted
    assert db.session.scalar(select(FriendRequest)) is None
    assert unread_of(sato) == []
    assert unread_of(suzuki) == ["friend_accepted"]
