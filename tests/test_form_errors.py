"""Every problem of one submission shows at once, on PC and keitai: a resident fixes everything in one
try instead of learning about the next fault only after sending again. Password boxes come back
empty; every other field keeps what was typed."""
from __future__ import annotations

import html as htmllib
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from ejan.clock import today_jst
from ejan.communities import directory
from ejan.diary import services as diary
from ejan.errors import Invalid, Problems
from ejan.members import services as members
from support import PC_UA, html_of, keitai_login, sjis_post

PARAM = "ejs"
REQUIRED = "入力してください。"


class Device:
    """A PC browser or a cookieless DoCoMo (Shift_JIS, the session carried in every URL), one interface."""

    def __init__(self, client, *, keitai: bool, token: str | None = None):
        self.client, self.keitai, self.token = client, keitai, token

    def url(self, path: str) -> str:
        if not self.token:
            return path
        return f"{path}{'&' if '?' in path else '?'}{urlencode({PARAM: self.token})}"

    def get(self, path: str) -> str:
        response = self.client.get(self.url(path))
        assert response.status_code == 200, (path, response.status_code)
        return html_of(response)

    def post(self, path: str, fields: dict):
        if self.keitai:
            return sjis_post(self.client, self.url(path), fields)
        return self.client.post(path, data=fields)


@pytest.fixture(params=["pc", "keitai"])
def device(request, app, keitai, login):
    """device() is a logged-out device, device(member) one logged in as that member."""
    def make(member=None):
        if request.param == "pc":
            client = app.test_client()
            client.environ_base["HTTP_USER_AGENT"] = PC_UA
            if member is not None:
                login(client, member)
            return Device(client, keitai=False)
        phone = keitai("docomo_nocookie")
        token = parse_qs(urlsplit(keitai_login(phone, member)).query)[PARAM][0] if member is not None else None
        return Device(phone, keitai=True, token=token)

    return make


def shown(response) -> str:
    assert response.status_code in (200, 400), response.status_code
    return htmllib.unescape(html_of(response))


def value_of(page: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


# --- the pieces ---------------------------------------------------------------------------------------

def test_one_invalid_carries_every_problem_of_a_submission():
    problems = Problems()
    problems.add("タイトルがありません。", "title")
    problems.check(members.check_password, "short")
    with pytest.raises(Invalid) as raised:
        problems.raise_any()
    assert [(p.code, p.message) for p in raised.value.problems] == [
        ("title", "タイトルがありません。"), ("password", "パスワードは8文字以上にしてください。")]
    # The first problem stays the Invalid's message and code, as code catching a single one expects.
    assert (raised.value.code, raised.value.message) == ("title", "タイトルがありません。")


def test_a_service_reports_every_fault_of_a_diary_entry_together(make_member):
    with pytest.raises(Invalid) as raised:
        diary.create_entry(make_member(), title="", body="", visibility="bogus")
    assert [p.code for p in raised.value.problems] == ["title", "body", "visibility"]


# --- members ------------------------------------------------------------------------------------------

@pytest.fixture
def join_path(make_member):
    issued = members.invite(make_member("鈴木"), "hanako@example.jp")
    return f"/join/{issued.token}"


def test_registration_shows_the_length_rule_and_the_mismatch_at_once_and_keeps_the_nickname(device, join_path):
    phone = device()
    phone.get(join_path)
    page = shown(phone.post(join_path, {"nickname": "花子", "district": "日坂", "password": "short",
                                        "password_confirm": "shorter"}))
    assert "パスワードは8文字以上にしてください。" in page
    assert "パスワードが一致しません。" in page
    assert value_of(page, "nickname") == "花子"
    assert "日坂" in re.search(r'<option[^>]*selected[^>]*>[^<]*', page).group(0)
    # Password boxes come back empty: what was typed is not sent back over the wire.
    assert value_of(page, "password") in ("", None) and "short" not in page


def test_registration_names_a_missing_nickname_and_a_short_password_together(device, join_path):
    page = shown(device().post(join_path, {"nickname": "", "password": "short", "password_confirm": "short"}))
    assert REQUIRED in page
    assert "パスワードは8文字以上にしてください。" in page


def test_password_reset_shows_the_length_rule_and_the_mismatch_at_once(device, make_member, mailbox):
    member = make_member("佐藤")
    token = members._reset_serializer().dumps({"m": member.id, "p": member.password_hash[-12:]})
    path = f"/password/reset/{token}"
    page = shown(device().post(path, {"password": "short", "password_confirm": "other"}))
    assert "パスワードは8文字以上にしてください。" in page
    assert "パスワードが一致しません。" in page
    assert "short" not in page and "other" not in page


def test_the_profile_form_names_every_fault_and_keeps_the_rest(device, make_member):
    member = make_member("佐藤")
    phone = device(member)
    page = shown(phone.post("/profile/edit", {"nickname": "", "intro": "茶畑の近くに住んでいます。",
                                              "keitai_email": "not an address", "district": "", "language": ""}))
    assert REQUIRED in page
    assert "メールアドレスの形式が正しくありません。" in page
    assert "茶畑の近くに住んでいます。" in page and value_of(page, "keitai_email") == "not an address"


def test_the_invitation_form_names_a_bad_address_and_a_long_message_together(device, make_member):
    phone = device(make_member("佐藤"))
    page = shown(phone.post("/invitations", {"email": "not an address", "message": "あ" * 1001}))
    assert "メールアドレスの形式が正しくありません。" in page
    assert "1000" in page  # the message's length rule (WTForms' or the service's words)


# --- diary, communities, 通報 -------------------------------------------------------------------------------

def test_a_diary_entry_without_a_title_and_with_a_bad_visibility_shows_both(device, make_member):
    phone = device(make_member("佐藤"))
    page = shown(phone.post("/diary/new", {"title": "", "body": "茶摘みをしました。", "visibility": "bogus"}))
    assert REQUIRED in page
    assert "公開範囲を選んでください。" in page
    assert "茶摘みをしました。" in page


def test_a_topic_with_a_long_title_and_no_body_shows_both(device, make_member):
    owner = make_member("佐藤")
    community = directory.create_community(owner, name="倉真の茶摘み会", category="趣味", description="茶摘み。")
    phone = device(owner)
    page = shown(phone.post(f"/communities/{community.id}/topics/new", {"title": "長" * 101, "body": ""}))
    assert "タイトルは100文字以内にしてください。" in page
    assert REQUIRED in page
    assert value_of(page, "title") == "長" * 101


def test_an_event_without_a_name_on_a_past_day_shows_both(device, make_member):
    owner = make_member("佐藤")
    community = directory.create_community(owner, name="倉真の茶摘み会", category="趣味", description="茶摘み。")
    phone = device(owner)
    past = (today_jst() - timedelta(days=3)).isoformat()
    page = shown(phone.post(f"/communities/{community.id}/events/new",
                            {"title": "", "date": past, "time": "09:00", "place": "東山", "description": ""}))
    assert REQUIRED in page
    assert "過去の日時にはイベントを作れません。" in page
    assert value_of(page, "place") == "東山"


def test_a_community_without_a_name_and_with_an_unknown_category_shows_both(device, make_member):
    phone = device(make_member("佐藤"))
    page = shown(phone.post("/communities/new", {"name": "", "category": "bogus", "description": "茶摘み。",
                                                 "join_policy": "open", "topic_visibility": "site"}))
    assert REQUIRED in page
    assert "カテゴリを一覧から選んでください。" in page
    assert "茶摘み。" in page


def test_a_tsuho_with_no_reason_and_a_long_detail_shows_both(device, make_member):
    author, reporter = make_member("鈴木"), make_member("佐藤")
    entry = diary.create_entry(author, title="茶摘み", body="本文", visibility="members")
    phone = device(reporter)
    page = shown(phone.post(f"/tsuho/diary_entry/{entry.id}", {"reason": "", "detail": "長" * 1001}))
    assert "理由を選んでください。" in page
    assert "詳しい内容は1,000文字以内にしてください。" in page
