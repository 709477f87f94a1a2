"""Keitai pages: Shift_JIS out and in, the session carried in URLs, accesskeys, the 10 KB budget."""
from __future__ import annotations

import re

import pytest

from ejan.extensions import db
from ejan.members.models import Member
from support import (IPHONE_UA, PC_UA, form_action, html_of, keitai_login, phone_ua, session_token,
                     sjis_post)

PARAM = "ejs"












# --- encodings and template sets -------------------------------------------------------------

@pytest.mark.parametrize("kind", ["docomo_nocookie", "au", "jphone"])
def test_docomo_au_and_jphone_get_shift_jis_pages(keitai, kind):
    response = keitai(kind).get("/")
    assert response.content_type == "text/html; charset=Shift_JIS"
    html = response.data.decode("cp932")
    assert "ログイン" in html and "accesskey" in html
    assert "<script" not in html.lower()


def test_softbank_3g_gets_the_keitai_pages_in_utf8(keitai):
    response = keitai("softbank3g").get("/")
    assert response.content_type == "text/html; charset=UTF-8"
    assert "accesskey" in response.get_data(as_text=True)


@pytest.mark.parametrize("ua", [PC_UA, IPHONE_UA])
def test_pcs_and_smartphones_get_the_full_pages(app, ua):
    client = app.test_client()
    response = client.get("/", headers={"User-Agent": ua})
    assert response.content_type == "text/html; charset=UTF-8"
    assert "css/site.css" in response.get_data(as_text=True)


def test_lite_view_is_chosen_on_a_pc_and_remembered_until_pc_view(pc_client):
    assert "accesskey" in pc_client.get("/?view=lite").get_data(as_text=True)
    assert "accesskey" in pc_client.get("/").get_data(as_text=True), "the choice was not remembered"
    assert "css/site.css" in pc_client.get("/?view=pc").get_data(as_text=True)
    assert "css/site.css" in pc_client.get("/").get_data(as_text=True)


def test_template_cache_never_serves_one_set_to_the_other(app, keitai, pc_client):
    phone = keitai("au")
    for _ in range(3):  # alternate, so a cached compiled template would show up on the wrong device
        assert "css/site.css" in pc_client.get("/").get_data(as_text=True)
        assert "accesskey" in phone.get("/").data.decode("cp932")


# --- Shift_JIS form posts ------------------------------------------------------------------------

def test_japanese_nickname_posted_in_shift_jis_is_stored_correctly(keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai("docomo_nocookie")
    home = keitai_login(phone, sato)
    action = form_action(html_of(phone.get(home.replace("/?", "/profile/edit?"))), "/profile/edit")
    response = sjis_post(phone, action, {"nickname": "倉真の茶娘・佐藤", "intro": "掛川茶、髙橋さんの畑で摘みました。",
                                         "district": "倉真", "keitai_email": ""})
    assert response.status_code == 302, html_of(response)
    db.session.expire_all()
    stored = db.session.get(Member, sato.id)
    assert stored.nickname == "倉真の茶娘・佐藤"
    assert stored.intro == "掛川茶、髙橋さんの畑で摘みました。"  # 髙 is an NEC/IBM extension only cp932 has
    assert stored.district == "倉真"


def test_shift_jis_multipart_post_is_decoded_too(keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai("au")
    keitai_login(phone, sato)
    boundary = "keitaiboundary"
    parts = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value.encode("cp932") + b"\r\n"
        for name, value in {"nickname": "佐藤", "intro": "茶摘み", "district": "倉真"}.items()
    ) + f"--{boundary}--\r\n".encode()
    # Built by hand: the phone sends raw Shift_JIS bytes in each part, with no charset header.
    response = phone.post("/profile/edit", data=parts, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302, html_of(response)
    db.session.expire_all()
    assert db.session.get(Member, sato.id).intro == "茶摘み"


def test_emoji_written_on_a_pc_is_shown_as_geta_on_shift_jis_phones(keitai, make_member, client, login):
    viewer = make_member("鈴木")
    writer = make_member("お茶🍵ばあちゃん")
    phone = keitai("au")
    keitai_login(phone, viewer)
    response = phone.get(f"/members/{writer.id}")
    assert response.status_code == 200
    html = response.data.decode("cp932")
    assert "お茶〓ばあちゃん" in html


def test_broken_shift_jis_bytes_do_not_crash_the_form(keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai("au")
    keitai_login(phone, sato)
    response = phone.post("/profile/edit", data=b"nickname=%82%A0%FF%FF&intro=&district=",
                          content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 302)


# --- the session in the URL ----------------------------------------------------------------------

def test_cookieless_docomo_stays_logged_in_through_the_session_in_urls(keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai("docomo_nocookie")
    login_page = html_of(phone.get("/login"))
    before = session_token(form_action(login_page, "/login"))
    assert before, "the login form does not carry the session"
    landing = keitai_login(phone, sato)
    after = session_token(landing)
    assert after and after != before, "a fresh session id must be issued at login"
    home = html_of(phone.get(landing))
    assert "佐藤" in home
    links = re.findall(r'href="(/[^"]*)"', home)
    assert links and all(f"{PARAM}={after}" in link.replace("&amp;", "&") for link in links if not link.startswith("/static"))


def test_the_pre_login_session_id_is_dead_after_login(keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai("docomo_nocookie")
    before = session_token(form_action(html_of(phone.get("/login")), "/login"))
    keitai_login(phone, sato)
    response = phone.get(f"/notifications?{PARAM}={before}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_id_chosen_by_someone_else_is_never_adopted(keitai):
    phone = keitai("docomo_nocookie")
    html = html_of(phone.get(f"/login?{PARAM}=attacker-chosen-value"))
    assert session_token(form_action(html, "/login")) != "attacker-chosen-value"


def test_a_leaked_keitai_url_does_not_log_in_a_pc_or_another_phone(app, keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai("docomo_nocookie")
    landing = keitai_login(phone, sato)
    pc = app.test_client()
    pc_response = pc.get(landing.replace("/?", "/notifications?"), headers={"User-Agent": PC_UA})
    assert pc_response.status_code == 302 and "/login" in pc_response.headers["Location"]
    other_phone = app.test_client(use_cookies=False)
    other = other_phone.get(landing.replace("/?", "/notifications?"), headers={"User-Agent": phone_ua("au")})
    assert other.status_code == 302 and "/login" in other.headers["Location"]


def test_phones_with_cookies_do_not_get_the_session_in_urls_once_the_cookie_is_back(keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai("au")
    response = phone.post("/login", data={"email": sato.email, "password": "tea-harvest-2026"})
    assert response.status_code == 302
    html = html_of(phone.get("/"))
    assert f"{PARAM}=" not in html


# --- the page budget -----------------------------------------------------------------------------

def test_a_keitai_page_over_budget_fails_loudly_in_tests(app, keitai):
    from ejan.mobile.render import PageBudgetExceeded

    app.config["EJAN_KEITAI_PAGE_BUDGET"] = 200
    try:
        with pytest.raises(PageBudgetExceeded):
            keitai("au").get("/")
    finally:
        app.config["EJAN_KEITAI_PAGE_BUDGET"] = 10 * 1024


def test_every_keitai_page_stays_under_10_kb_with_a_busy_member(keitai, make_member, befriend):
    from ejan.friends.models import FriendRequest, Introduction
    from ejan.notify.api import notify

    sato = make_member("佐藤" * 10)
    sato.intro = "茶" * 3000
    friends = [make_member("友達" * 15) for _ in range(30)]
    for friend in friends:
        befriend(sato, friend)
        db.session.add(Introduction(about_id=sato.id, author_id=friend.id, body="紹介" * 400))
        notify([sato.id], "friend_accepted", {"actor_id": friend.id, "link": f"/members/{friend.id}"})
    strangers = [make_member("申請者" * 10) for _ in range(15)]
    for stranger in strangers:
        db.session.add(FriendRequest(from_id=stranger.id, to_id=sato.id, message="よろしく" * 60))
    db.session.commit()
    phone = keitai("docomo_nocookie")
    landing = keitai_login(phone, sato)
    token = session_token(landing)
    pages = ["/", f"/members/{sato.id}", f"/members/{friends[0].id}", f"/members/{sato.id}/friends",
             "/friends/requests", "/notifications", "/invitations", "/profile/edit",
             f"/members/{strangers[0].id}/friend-request", f"/members/{friends[0].id}/introduction",
             f"/members/{friends[0].id}/unfriend", "/no-such-page"]
    for path in pages:
        response = phone.get(f"{path}?{PARAM}={token}")
        assert response.status_code in (200, 404), path
        assert len(response.data) <= 10 * 1024, f"{path} is {len(response.data)} bytes"
        assert b"accesskey" in response.data, path
        assert b"<script" not in response.data.lower(), path


def test_cookieless_phone_lands_on_the_page_it_asked_for_after_login(keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai("docomo_nocookie")
    first = phone.get(f"/members/{sato.id}/friends")
    assert first.status_code == 302
    login_url = first.headers["Location"]
    action = form_action(html_of(phone.get(login_url)), "/login")
    response = sjis_post(phone, action, {"email": sato.email, "password": "tea-harvest-2026"})
    assert response.status_code == 302
    target = response.headers["Location"]
    assert target.startswith(f"/members/{sato.id}/friends?") and target.count(f"{PARAM}=") == 1
    assert session_token(target) != session_token(login_url)
    page = phone.get(target)
    assert page.status_code == 200 and "マイフレンド" in html_of(page)


def test_query_text_reads_right_from_a_phone_form_and_from_our_own_links(app):
    from ejan.mobile.device_request import parse_form_bytes

    typed = "q=" + "".join(f"%{b:02X}" for b in "茶摘み".encode("cp932"))  # a GET form sent by the phone
    linked = "q=" + "".join(f"%{b:02X}" for b in "茶摘み".encode("utf-8"))  # a pager link we built
    assert parse_form_bytes(typed.encode(), "cp932", links_in_utf8=True) == [("q", "茶摘み")]
    assert parse_form_bytes(linked.encode(), "cp932", links_in_utf8=True) == [("q", "茶摘み")]


def test_a_long_text_is_cut_into_parts_that_fit_a_keitai_page():
    from ejan.text import rendered_size, split_by_size

    nasty = "&<>" * 2000 + "\n".join("行" for _ in range(3000)) + " https://example.jp/" * 100
    parts = split_by_size(nasty, "cp932", 3500)
    assert "".join(parts) == nasty
    assert all(rendered_size(part, "cp932") <= 3500 for part in parts)


def test_a_long_self_introduction_can_be_read_whole_on_a_keitai_in_parts(keitai, make_member):
    sato = make_member("佐藤")
    sato.intro = "".join(f"{i:04d}茶" for i in range(400))  # 2,000 characters, the most a profile takes
    db.session.commit()
    viewer = make_member("鈴木")
    phone = keitai("au")
    keitai_login(phone, viewer)
    seen, url = "", f"/members/{sato.id}"
    for _ in range(10):
        html = html_of(phone.get(url))
        seen += html
        more = re.search(r'<a href="([^"]+)" accesskey="8">\[8\]続きを読む', html)
        if not more:
            break
        url = more.group(1).replace("&amp;", "&")
    assert all(f"{i:04d}茶" in seen for i in range(400)), "part of the self-introduction cannot be reached"
    assert len(re.findall(r'accesskey="6"', html)) == 1, "the parts' keys must not clash with the page's own"


def test_two_links_answering_one_key_fail_loudly_in_tests(app):
    from ejan.mobile.render import AccessKeyClash, _check_keitai_page

    with app.app_context():
        _check_keitai_page("ok.html", b'<a accesskey="1">a</a><a accesskey="2">b</a>')
        with pytest.raises(AccessKeyClash):
            _check_keitai_page("clash.html", b'<a accesskey="5">a</a><a accesskey="5">b</a>')
