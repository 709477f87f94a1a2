"""CSRF stays on in this module: forms without our token are refused, with a page saying why."""
from __future__ import annotations

import re

import pytest

from support import phone_ua

pytestmark = pytest.mark.usefixtures("csrf_on")


def token_in(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_login_without_the_forms_token_is_refused(client, make_member):
    sato = make_member("佐藤")
    response = client.post("/login", data={"email": sato.email, "password": "tea-harvest-2026"})
    assert response.status_code == 400
    assert "フォームの有効期限が切れました" in response.get_data(as_text=True)


def test_login_with_the_forms_token_works(client, make_member):
    sato = make_member("佐藤")
    token = token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": sato.email, "password": "tea-harvest-2026", "csrf_token": token})
    assert response.status_code == 302


def test_a_forged_invitation_from_another_site_is_not_sent(client, make_member, login, mailbox):
    sato = make_member("佐藤")
    token = token_in(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": sato.email, "password": "tea-harvest-2026", "csrf_token": token})
    response = client.post("/invitations", data={"email": "victim@example.jp"})
    assert response.status_code == 400
    assert not mailbox.to("victim@example.jp")


def test_logout_without_token_keeps_the_member_logged_in(client, make_member):
    sato = make_member("佐藤")
    token = token_in(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": sato.email, "password": "tea-harvest-2026", "csrf_token": token})
    client.post("/logout")
    assert "佐藤 さん" in client.get("/").get_data(as_text=True)


def test_cookieless_keitai_login_works_with_csrf_on(app, make_member):
    sato = make_member("佐藤")
    phone = app.test_client(use_cookies=False)
    phone.environ_base["HTTP_USER_AGENT"] = phone_ua("docomo_nocookie")
    html = phone.get("/login").data.decode("cp932")
    action = re.search(r'<form[^>]*action="([^"]*login[^"]*)"', html).group(1).replace("&amp;", "&")
    response = phone.post(action, data={"email": sato.email, "password": "tea-harvest-2026",
                                        "csrf_token": token_in(html)})
    assert response.status_code == 302
    assert "佐藤" in phone.get(response.headers["Location"]).data.decode("cp932")
