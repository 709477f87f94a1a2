"""Logging in and out: the messages residents see, throttling of password guessing, and sessions."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from ejan.members import services

from support import keitai_login

PASSWORD = "tea-harvest-2026"  # what make_member gives everyone (tests/conftest.py)
WRONG = "メールアドレスかパスワードが違います。"
SUSPENDED = "このアカウントは利用停止中です。"
WAIT = "しばらくお待ちください"
COOKIE = "ejan_session"


def attempt(client, email: str, password: str, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def is_logged_in(client) -> bool:
    response = client.get("/profile/edit")
    return response.status_code == 200


def csrf_token_of(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


# --- messages --------------------------------------------------------------------------------

def test_a_wrong_password_is_refused_with_a_plain_message(client, make_member):
    member = make_member()

    response = attempt(client, member.email, "not-my-password")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert WRONG in page
    assert f'value="{member.email}"' in page
    assert not is_logged_in(client)


def test_an_unknown_email_gets_the_same_message_as_a_wrong_password(client, make_member):
    member = make_member()

    wrong_password = attempt(client, member.email, "not-my-password").get_data(as_text=True)
    unknown = attempt(client, "nobody@example.jp", "not-my-password").get_data(as_text=True)

    assert WRONG in unknown
    assert wrong_password.replace(member.email, "nobody@example.jp") == unknown


def test_the_right_password_logs_in_and_shows_home(client, make_member):
    member = make_member("佐藤")

    response = attempt(client, "  " + member.email.upper(), PASSWORD)

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    assert "佐藤 さん、こんにちは" in client.get("/").get_data(as_text=True)


def test_a_suspended_member_cannot_log_in_and_is_told_so(client, make_member):
    member = make_member(suspended=True)

    response = attempt(client, member.email, PASSWORD)

    assert response.status_code == 200
    assert SUSPENDED in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_suspending_a_member_ends_the_session_they_already_have(client, login, make_member):
    admin = make_member("管理者", role="admin")
    member = make_member("佐藤")
    login(client, member)
    assert client.get(f"/members/{member.id}").status_code == 200

    services.suspend(admin, member)

    response = client.get(f"/members/{member.id}")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert "佐藤 さん、こんにちは" not in client.get("/").get_data(as_text=True)


# --- throttling --------------------------------------------------------------------------------

def test_after_five_failures_an_account_is_paused_even_for_the_right_password(app, client, make_member):
    assert app.config["EJAN_LOGIN_LIMIT_ACCOUNT"] == "5 per 15 minutes"
    member = make_member()
    neighbour = make_member()
    for _ in range(5):
        assert attempt(client, member.email, "guess-again").status_code == 200

    response = attempt(client, member.email, PASSWORD)

    assert response.status_code == 429
    assert WAIT in response.get_data(as_text=True)
    assert not is_logged_in(client)
    # The pause is per account: someone else at the same address (a family PC) still logs in.
    assert attempt(app.test_client(), neighbour.email, PASSWORD).status_code == 302


def test_account_pause_ignores_how_the_address_is_typed(client, make_member):
    member = make_member()
    for _ in range(5):
        attempt(client, member.email, "guess-again")

    assert attempt(client, " " + member.email.upper(), PASSWORD).status_code == 429


def test_many_failures_from_one_address_pause_that_address_only(app, client, make_member, monkeypatch):
    monkeypatch.setitem(app.config, "EJAN_LOGIN_LIMIT_ADDRESS", "3 per 15 minutes")
    member = make_member()
    for n in range(3):
        assert attempt(client, f"guess{n}@example.jp", "guess-again").status_code == 200

    response = attempt(client, member.email, PASSWORD)

    assert response.status_code == 429
    assert WAIT in response.get_data(as_text=True)
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    assert attempt(elsewhere, member.email, PASSWORD).status_code == 302


def test_successful_logins_do_not_use_up_the_allowance(app, make_member):
    member = make_member()
    for _ in range(7):
        assert attempt(app.test_client(), member.email, PASSWORD).status_code == 302

    client = app.test_client()
    response = attempt(client, member.email, "one-typo")
    assert response.status_code == 200
    assert WRONG in response.get_data(as_text=True)
    assert attempt(client, member.email, PASSWORD).status_code == 302


# --- logging out and the session token -------------------------------------------------------

def test_logout_asks_on_a_get_and_logs_out_on_the_form_s_post(client, login, make_member):
    member = make_member()
    login(client, member)

    page = client.get("/logout")  # where a page without forms (the disaster screen) links
    assert page.status_code == 200 and "ログアウトしますか？" in page.get_data(as_text=True)
    assert 'action="/logout"' in page.get_data(as_text=True) and 'name="csrf_token"' in page.get_data(as_text=True)
    assert is_logged_in(client)

    response = client.post("/logout", follow_redirects=True)
    assert "ログアウトしました。" in response.get_data(as_text=True)
    assert not is_logged_in(client)
    assert client.get("/logout").status_code == 302  # nobody to log out: home


def test_the_keitai_logout_page_asks_in_shift_jis(keitai, make_member):
    member = make_member()
    phone = keitai("au")
    keitai_login(phone, member)
    page = phone.get("/logout")
    assert page.status_code == 200 and "Shift_JIS" in page.headers["Content-Type"]
    text = page.data.decode("cp932")
    assert "ログアウトしますか？" in text and 'type="submit"' in text and len(page.data) <= 10 * 1024


def test_logout_without_the_forms_token_does_not_log_out(client, login, make_member, csrf_on):
    member = make_member()
    # With CSRF on, the login itself needs the token from the page.
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": member.email, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302

    client.post("/logout")  # e.g. a hostile page's auto-submitting form

    assert is_logged_in(client)


def test_the_session_token_changes_at_login_and_the_old_one_is_worthless(app, client, make_member, csrf_on):
    member = make_member()
    page = client.get("/login").get_data(as_text=True)
    before = client.get_cookie(COOKIE).value

    response = client.post("/login", data={"email": member.email, "password": PASSWORD,
                                           "csrf_token": csrf_token_of(page)})

    assert response.status_code == 302
    after = client.get_cookie(COOKIE).value
    assert after != before
    assert is_logged_in(client)
    # Someone who planted or saw the pre-login token does not ride along.
    planted = app.test_client()
    planted.set_cookie(COOKIE, before)
    assert not is_logged_in(planted)


def test_the_session_token_from_before_logout_no_longer_works(app, client, login, make_member):
    member = make_member()
    login(client, member)
    logged_in_token = client.get_cookie(COOKIE).value

    client.post("/logout")

    assert client.get_cookie(COOKIE).value != logged_in_token
    copied = app.test_client()
    copied.set_cookie(COOKIE, logged_in_token)
    assert not is_logged_in(copied)


# --- where login sends you ---------------------------------------------------------------------

def test_login_returns_to_the_page_that_asked_for_it(client, make_member):
    member = make_member()
    response = client.get(f"/members/{member.id}")
    assert response.status_code == 302
    login_url = response.headers["Location"]

    response = client.post(login_url, data={"email": member.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/members/{member.id}"


@pytest.mark.parametrize("target", [
    "http://evil.example/phish",
    "//evil.example/phish",
    "https:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
])
def test_login_never_sends_a_resident_to_another_site(client, make_member, target):
    member = make_member()

    response = client.post("/login", query_string={"next": target},
                           data={"email": member.email, "password": PASSWORD})

    assert response.status_code == 302
    location = response.headers["Location"]
    # What a browser would do with it (browsers read "\" as "/" and drop tabs).
    as_browser = location.replace("\\", "/").replace("\t", "")
    resolved = urlsplit(urljoin("http://localhost/login", as_browser))
    assert (resolved.scheme, resolved.netloc) == ("http", "localhost"), location
