"""Languages: which one a page speaks (profile, switcher cookie, keitai link parameter, browser),
easy Japanese in its own catalogue, and keitai pages that stay Shift_JIS in every language."""
from __future__ import annotations

import gettext
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from babel import Locale
from flask_babel import force_locale
from flask_babel import gettext as _

import ejan
from ejan import i18n
from ejan.extensions import db
from ejan.members.models import Member
from support import PASSWORD, PC_UA, form_action, html_of, keitai_login, links, session_token, sjis_post

TRANSLATIONS = Path(ejan.__file__).resolve().parent / "translations"
LOGIN_PLEASE = "ログインしてください。"
PASSWORD_LABEL = {"ja": "パスワード", "pt": "Senha", "en": "Password"}


def lang_of(page: str) -> str:
    head = page[:300]
    return head.split('<html lang="', 1)[1].split('"', 1)[0]


def speaks(page: str, code: str) -> bool:
    """The login form's password label, worded by the Python catalogue of that language."""
    return PASSWORD_LABEL[code] in page


def param_of(url: str, name: str = i18n.PARAM) -> str | None:
    return parse_qs(urlsplit(url).query).get(name, [None])[0]


# --- the locale codes and their catalogues ---------------------------------------------------

def test_easy_japanese_is_a_locale_of_its_own_not_plain_japanese():
    easy = Locale.parse("ja@easy")
    assert str(easy) == "ja@easy" and easy != Locale.parse("ja")
    # The trap the modifier avoids: Babel quietly reads these as plain Japanese.
    assert str(Locale.parse("ja_Hira")) == "ja"


def test_easy_japanese_resolves_to_its_own_catalogue_not_to_japanese():
    found = gettext.find("messages", str(TRANSLATIONS), ["ja@easy"])
    assert found is not None, "ja@easy has no compiled catalogue (scripts/_venv.sh compiles them)"
    assert Path(found).parent.parent.name == "ja@easy"
    # Japanese is the source language: no `ja` catalogue exists for ja@easy to fall back into.
    assert gettext.find("messages", str(TRANSLATIONS), ["ja"]) is None


@pytest.mark.parametrize("code", ["ja@easy", "pt", "en"])
def test_every_language_but_the_source_has_a_compiled_catalogue(code):
    assert (TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo").is_file()


def test_each_language_speaks_from_its_own_catalogue(app):
    with app.test_request_context("/"):
        words = {}
        for code in i18n.CODES:
            with force_locale(code):
                words[code] = _(LOGIN_PLEASE)
    assert words["ja"] == LOGIN_PLEASE
    assert words["pt"] == "Entre na sua conta."
    assert words["en"] == "Please log in."
    assert words["ja@easy"] not in (LOGIN_PLEASE, words["pt"], words["en"])


def test_flask_babel_finds_its_choice_on_g_without_the_proxy(app):
    """i18n._babel_context replaces Flask-Babel's lookup of its namespace: the same one, on `g`."""
    from flask import g

    import flask_babel

    assert flask_babel._get_current_context is i18n._babel_context
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert _(LOGIN_PLEASE) == "Please log in."
        assert i18n._babel_context() is g._flask_babel and str(g._flask_babel.babel_locale) == "en"
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "pt"}):
        assert _(LOGIN_PLEASE) == "Entre na sua conta."


# --- how a request picks its language ---------------------------------------------------------

def test_accept_language_picks_the_language(pc_client):
    page = pc_client.get("/login", headers={"Accept-Language": "pt-BR,pt;q=0.9"}).get_data(as_text=True)
    assert lang_of(page) == "pt" and speaks(page, "pt")


def test_accept_language_is_read_by_quality_not_by_exact_match_first(pc_client):
    # Werkzeug's best_match would answer English here, because "en" matches exactly and "ja-JP" does not.
    page = pc_client.get("/login", headers={"Accept-Language": "ja-JP,en;q=0.5"}).get_data(as_text=True)
    assert lang_of(page) == "ja" and speaks(page, "ja")


def test_without_any_choice_the_site_speaks_japanese(pc_client):
    page = pc_client.get("/login", headers={"Accept-Language": "de-DE,fr;q=0.8"}).get_data(as_text=True)
    assert lang_of(page) == "ja" and speaks(page, "ja")


def test_the_cookie_beats_the_browser(pc_client):
    pc_client.set_cookie(i18n.COOKIE, "en")
    page = pc_client.get("/login", headers={"Accept-Language": "pt"}).get_data(as_text=True)
    assert lang_of(page) == "en" and speaks(page, "en")


def test_a_cookie_naming_no_language_of_ours_is_ignored(pc_client):
    pc_client.set_cookie(i18n.COOKIE, "xx<script>")
    page = pc_client.get("/login", headers={"Accept-Language": "pt"}).get_data(as_text=True)
    assert lang_of(page) == "pt"


def test_the_profile_beats_the_cookie_and_the_browser(browser, make_member):
    sato = make_member("佐藤")
    sato.language = "pt"
    db.session.commit()
    client = browser(sato)
    client.set_cookie(i18n.COOKIE, "en")
    page = client.get("/profile/edit", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert lang_of(page) == "pt" and "Apelido" in page


def test_the_language_is_chosen_on_the_profile_page(browser, make_member):
    sato = make_member("佐藤")
    client = browser(sato)
    response = client.post("/profile/edit", data={"nickname": "佐藤", "intro": "", "district": "",
                                                  "keitai_email": "", "language": "en"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Member, sato.id).language == "en"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert lang_of(page) == "en" and "Profile saved." in page


def test_the_profile_refuses_a_language_we_do_not_have(browser, make_member):
    sato = make_member("佐藤")
    response = browser(sato).post("/profile/edit", data={"nickname": "佐藤", "language": "fr"})
    assert response.status_code == 200 and "言語を一覧から選んでください。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Member, sato.id).language is None


def test_the_switcher_sets_the_cookie_and_returns_to_the_page(pc_client):
    response = pc_client.get("/language/en?next=/password/forgot")
    assert response.status_code == 302 and response.headers["Location"] == "/password/forgot"
    page = pc_client.get("/password/forgot", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert lang_of(page) == "en"


def test_the_switcher_keeps_a_members_choice_in_the_profile(browser, make_member):
    sato = make_member("佐藤")
    client = browser(sato)
    client.get("/language/pt?next=/")
    db.session.expire_all()
    assert db.session.get(Member, sato.id).language == "pt"
    # the profile speaks for the member on any browser, cookie or not
    other = browser(sato)
    assert lang_of(other.get("/profile/edit").get_data(as_text=True)) == "pt"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_the_switcher_never_sends_anyone_off_site(pc_client, target):
    response = pc_client.get("/language/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_the_switcher_knows_only_our_languages(pc_client):
    assert pc_client.get("/language/xx").status_code == 404


def test_the_footer_offers_every_language_but_the_one_being_read(pc_client):
    page = pc_client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    switch = links(page, "/language/")
    assert sorted(param.split("/language/")[1].split("?")[0] for param in switch) == ["ja", "ja@easy", "pt"]
    assert all(param_of(url, "next") == "/login" for url in switch)


# --- keitai: the language carried in links, like the session ----------------------------------

def test_keitai_query_parameter_picks_the_language_and_every_link_carries_it(keitai):
    phone = keitai()  # i-mode 1.0: no cookies at all
    page = html_of(phone.get("/login?lang=pt", headers={"Accept-Language": "ja"}))
    assert lang_of(page) == "pt" and speaks(page, "pt")
    ours = [url for url in links(page) if url.startswith("/") and "/language/" not in url]
    assert ours and all(param_of(url) == "pt" for url in ours)
    forgot = next(url for url in ours if url.startswith("/password/forgot"))
    assert lang_of(html_of(phone.get(forgot))) == "pt"


def test_a_logged_in_cookieless_keitai_carries_session_and_language_together(keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai()
    # the login form's action carries the language, so the page after login still speaks it
    action = form_action(html_of(phone.get("/login?lang=en")), "/login")
    assert param_of(action) == "en"
    response = sjis_post(phone, action, {"email": sato.email, "password": PASSWORD})
    landing = response.headers["Location"]
    assert session_token(landing) and param_of(landing) == "en"
    page = html_of(phone.get(landing))
    assert lang_of(page) == "en"
    home_links = [url for url in links(page) if url.startswith("/") and "/language/" not in url]
    assert home_links and all(session_token(url) and param_of(url) == "en" for url in home_links)


def test_the_keitai_switcher_starts_carrying_the_language(keitai):
    phone = keitai()
    response = phone.get("/language/pt?next=/login")
    assert response.status_code == 302 and param_of(response.headers["Location"]) == "pt"
    assert lang_of(html_of(phone.get(response.headers["Location"]))) == "pt"


def test_the_query_parameter_beats_the_cookie_and_the_profile_beats_both(keitai, make_member):
    phone = keitai("au")  # keeps cookies
    phone.set_cookie(i18n.COOKIE, "en")
    assert lang_of(html_of(phone.get("/login?lang=pt"))) == "pt"
    assert lang_of(html_of(phone.get("/login"))) == "en"
    sato = make_member("佐藤")
    sato.language = "ja@easy"
    db.session.commit()
    keitai_login(phone, sato)
    page = html_of(phone.get("/profile/edit?lang=pt"))
    assert "ニックネーム（なまえ）" in page, "the profile's easy Japanese wins"


def test_mailed_and_stored_links_never_carry_the_writers_language(app, keitai):
    from ejan.urls import link_for

    with app.test_request_context("/login?lang=pt", headers={"User-Agent": keitai().environ_base["HTTP_USER_AGENT"]}):
        assert param_of(link_for("members.login")) is None


@pytest.mark.parametrize("code", i18n.CODES)
def test_keitai_pages_are_valid_shift_jis_in_every_language(keitai, make_member, code):
    sato = make_member("佐藤")
    sato.language = code
    db.session.commit()
    phone = keitai("au")
    keitai_login(phone, sato)
    for path in ("/", "/profile/edit", f"/members/{sato.id}"):
        response = phone.get(path)
        assert response.status_code == 200
        assert response.content_type == "text/html; charset=Shift_JIS"
        page = response.data.decode("cp932")  # strict: any byte that is not Shift_JIS fails here
        assert lang_of(page) == i18n._BY_CODE[code].html_lang
        if code == "pt":
            assert "〓" not in page, "Portuguese letters must be transliterated, not replaced with geta"
            assert "Portugues" in page


def test_portuguese_on_keitai_loses_its_accents_not_its_letters(keitai, make_member):
    sato = make_member("佐藤")
    phone = keitai("au")
    keitai_login(phone, sato)
    phone.set_cookie(i18n.COOKIE, "pt")
    response = phone.post("/logout", follow_redirects=True)
    page = response.data.decode("cp932")
    assert "Voce saiu da sua conta." in page and "〓" not in page


def test_transliteration_keeps_geta_for_what_has_no_plain_letters():
    from ejan.mobile import render  # noqa: F401  (registers the error handler)

    assert "ação à é ô ü ñ ﬁ".encode("cp932", "ejan-geta") == b"acao a e o u n fi"
    assert "ß → 한".encode("cp932", "ejan-geta").decode("cp932") == "〓 → 〓"


# --- WTForms' own messages follow the page's language -----------------------------------------

@pytest.mark.parametrize("code, english", [("ja", False), ("pt", False), ("en", True)])
def test_wtforms_own_messages_speak_the_page_language(browser, make_member, code, english):
    sato = make_member("佐藤")
    sato.language = code
    db.session.commit()
    page = browser(sato).post("/profile/edit", data={"nickname": "茶" * 41}).get_data(as_text=True)
    assert ("Field cannot be longer than 40 characters." in page) is english
    assert "40" in page


# --- mail ------------------------------------------------------------------------------------------

def test_an_invitation_mail_dates_its_expiry_in_the_inviters_language(app, browser, make_member, mailbox):
    sato = make_member("佐藤")
    client = browser(sato)
    client.get("/language/pt?next=/")
    client.post("/invitations", data={"email": "neighbour@example.jp", "message": ""})
    [mail] = mailbox.to("neighbour@example.jp")
    text = mailbox.text_of(mail)
    assert re.search(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b", text), text  # dd/mm/yyyy, not 2026年…


def test_pc_pages_say_which_language_they_are_in(pc_client):
    page = pc_client.get("/", headers={"Accept-Language": "en", "User-Agent": PC_UA}).get_data(as_text=True)
    assert page.startswith("<!doctype html>\n<html lang=\"en\">")
