"""Sessions bound to how they were issued (cookie or URL), rotated, and no rows for anonymous page views."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from ejan.extensions import db
from ejan.sessions import WebSession, utcnow
from support import PC_UA, form_action, html_of, keitai_login, phone_ua, session_token, sjis_post

COOKIE = "ejan_session"
PARAM = "ejs"


def rows() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(WebSession))


def logged_in_as(response) -> bool:
    return response.status_code == 200


def age_sessions(**delta) -> None:
    db.session.execute(update(WebSession).values(issued_at=utcnow() - timedelta(**delta)))
    db.session.commit()


# --- bound to how it was issued ------------------------------------------------------------------------

def test_a_session_issued_in_a_phones_urls_is_refused_as_a_cookie_from_any_browser(app, keitai, make_member):
    sato = make_member("佐藤")
    token = session_token(keitai_login(keitai("docomo_nocookie"), sato))
    for agent in (PC_UA, phone_ua("docomo_nocookie")):
        thief = app.test_client()
        thief.environ_base["HTTP_USER_AGENT"] = agent
        thief.set_cookie(COOKIE, token)
        response = thief.get("/notifications")
        assert response.status_code == 302 and "/login" in response.headers["Location"], agent


def test_a_cookie_session_is_refused_from_a_url_even_on_the_same_phone(app, keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai("au")
    keitai_login(phone, sato)
    token = phone.get_cookie(COOKIE).value
    assert phone.get("/notifications").status_code == 200
    copied = app.test_client(use_cookies=False)
    copied.environ_base["HTTP_USER_AGENT"] = phone_ua("au")
    response = copied.get(f"/notifications?{PARAM}={token}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_url_session_is_checked_against_the_phone_on_every_request(app, keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai("docomo_nocookie")
    landing = keitai_login(phone, sato)
    token = session_token(landing)
    assert phone.get(f"/notifications?{PARAM}={token}").status_code == 200
    other = app.test_client(use_cookies=False)
    other.environ_base["HTTP_USER_AGENT"] = "DoCoMo/2.0 P903i(c100;TB;W24H12)"
    assert other.get(f"/notifications?{PARAM}={token}").status_code == 302


def test_a_phone_that_keeps_cookies_moves_from_its_url_session_to_a_cookie(app, keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai("au")  # keeps cookies, but this one came in through a link that carries a URL session
    phone.environ_base["HTTP_USER_AGENT"] = phone_ua("au")
    cookieless = keitai("docomo_nocookie")
    cookieless.environ_base["HTTP_USER_AGENT"] = phone_ua("au")
    landing = keitai_login(cookieless, sato)  # issued in URLs: the phone sent no cookie yet
    phone.set_cookie("ejan_cookies", "1")  # the probe cookie, as set beside every URL session

    response = phone.get(landing)

    assert response.status_code == 200 and "佐藤" in html_of(response)
    moved = phone.get_cookie(COOKIE).value
    assert moved != session_token(landing) and f"{PARAM}=" not in html_of(response)
    assert phone.get("/notifications").status_code == 200
    assert cookieless.get(landing.replace("/?", "/notifications?")).status_code == 302


# --- rotation -----------------------------------------------------------------------------------------------

def test_a_url_session_gets_a_new_token_after_ten_minutes_and_the_old_one_leads_to_it(app, keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai("docomo_nocookie")
    token = session_token(keitai_login(phone, sato))
    assert session_token(form_action(html_of(phone.get(f"/profile/edit?{PARAM}={token}")), "/profile")) == token
    age_sessions(minutes=11)

    page = html_of(phone.get(f"/profile/edit?{PARAM}={token}"))

    fresh = session_token(form_action(page, "/profile"))
    assert fresh and fresh != token
    # A page already open (or the back button) still works for a moment, and now carries the new token.
    old_page = html_of(phone.get(f"/profile/edit?{PARAM}={token}"))
    assert session_token(form_action(old_page, "/profile")) == fresh
    db.session.execute(update(WebSession).where(WebSession.successor.is_not(None))
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert phone.get(f"/profile/edit?{PARAM}={token}").status_code == 302
    assert phone.get(f"/profile/edit?{PARAM}={fresh}").status_code == 200


def test_a_cookie_session_keeps_its_token_longer_than_a_url_session(browser, make_member):
    sato = make_member("佐藤")
    pc = browser(sato)
    token = pc.get_cookie(COOKIE).value
    age_sessions(minutes=11)
    assert pc.get("/notifications").status_code == 200
    assert pc.get_cookie(COOKIE).value == token

    age_sessions(hours=25)
    assert pc.get("/notifications").status_code == 200
    assert pc.get_cookie(COOKIE).value != token
    assert pc.get("/notifications").status_code == 200


# --- nothing stored for anonymous page views ------------------------------------------------------------

def test_anonymous_page_views_store_no_session_rows(app, keitai, csrf_on):
    bot = app.test_client(use_cookies=False)
    bot.environ_base["HTTP_USER_AGENT"] = PC_UA
    phone = keitai("docomo_nocookie")
    for path in ("/", "/login", "/password/forgot"):
        assert bot.get(path).status_code == 200
        assert phone.get(path).status_code == 200
    assert rows() == 0


def test_an_anonymous_session_without_a_row_still_carries_the_forms_token(app, keitai, make_member, csrf_on):
    sato = make_member("佐藤")
    pc = app.test_client()
    pc.environ_base["HTTP_USER_AGENT"] = PC_UA
    page = pc.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert rows() == 0
    assert pc.post("/login", data={"email": sato.email, "password": "tea-harvest-2026",
                                   "csrf_token": token}).status_code == 302
    assert rows() == 1

    phone = keitai("docomo_nocookie")
    page = html_of(phone.get("/login"))
    fields = dict(re.findall(r'name="(csrf_token)"[^>]*value="([^"]+)"', page))
    response = sjis_post(phone, form_action(page, "/login"),
                         {"email": sato.email, "password": "tea-harvest-2026", **fields})
    assert response.status_code == 302, html_of(response)
    assert rows() == 2
    # The light token is bound like a URL session: another phone with it gets a new one.
    light = session_token(form_action(page, "/login"))
    other = app.test_client(use_cookies=False)
    other.environ_base["HTTP_USER_AGENT"] = phone_ua("au")
    assert session_token(form_action(html_of(other.get(f"/login?{PARAM}={light}")), "/login")) != light
