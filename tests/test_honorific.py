"""「しげさん さん」 never: a nickname that already ends with an honorific (さん, 様, さま, ちゃん, くん, 君, 氏)
gets no second さん — on PC and keitai pages, in notifications and in mail; other names still get one."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from ejan.diary import services as diary
from ejan.friends import services as friends
from ejan.text import honorific
from support import PC_UA, html_of, keitai_login

PARAM = "ejs"


@pytest.mark.parametrize("nickname, addressed", [
    ("佐藤", "佐藤 さん"), ("しげさん", "しげさん"), ("ゆみちゃん", "ゆみちゃん"), ("たかしくん", "たかしくん"),
    ("山田様", "山田様"), ("田中さま", "田中さま"), ("鈴木氏", "鈴木氏"), ("", " さん"),
])
def test_honorific_adds_san_only_when_the_name_has_none(app, nickname, addressed):
    with app.test_request_context():
        assert honorific(nickname) == addressed


@pytest.fixture(params=["pc", "keitai"])
def device(request, app, keitai, login):
    """get(member, path) -> page text, on a PC or a cookieless DoCoMo."""
    def make(member):
        if request.param == "pc":
            client = app.test_client()
            client.environ_base["HTTP_USER_AGENT"] = PC_UA
            login(client, member)
            return lambda path: html_of(client.get(path))
        phone = keitai("docomo_nocookie")
        token = parse_qs(urlsplit(keitai_login(phone, member)).query)[PARAM][0]
        return lambda path: html_of(phone.get(f"{path}{'&' if '?' in path else '?'}{PARAM}={token}"))
    return make


def test_pages_say_shigesan_once(device, make_member, befriend):
    shige, sato = make_member("しげさん"), make_member("佐藤")
    befriend(shige, sato)
    diary.create_entry(shige, title="茶摘み", body="今年も", visibility="members")
    get = device(sato)
    pages = {path: get(path) for path in (
        f"/members/{shige.id}/diary", f"/members/{shige.id}/friends", f"/members/{shige.id}",
        f"/members/{shige.id}/block", f"/members/{shige.id}/introduction")}
    pages["home"] = device(shige)("/")
    for path, page in pages.items():
        assert "しげさん さん" not in page, path
    assert "しげさんの日記" in pages[f"/members/{shige.id}/diary"]
    assert "しげさん、こんにちは" in pages["home"]
    # Everyone else still gets their さん.
    assert "佐藤 さん、こんにちは" in device(sato)("/")


def test_notifications_and_mail_say_shigesan_once(make_member, login, app, mailbox):
    shige, sato = make_member("しげさん"), make_member("佐藤")
    friends.request_friend(shige, sato.id, "よろしく")
    client = app.test_client()
    login(client, sato)
    page = html_of(client.get("/notifications"))
    assert "しげさんからマイフレンド申請が届きました" in page and "しげさん さん" not in page
    [mail] = mailbox.to(sato.email)
    text = mailbox.text_of(mail)
    assert "しげさんからマイフレンド申請が届きました" in text and "しげさん さん" not in text
    assert "佐藤 さん" in text  # the greeting to a name without an honorific
    # The other way round: the mail greets しげさん without a second さん.
    friends.request_friend(make_member("鈴木"), shige.id)
    [mail] = mailbox.to(shige.email)
    assert "しげさん さん" not in mailbox.text_of(mail) and "しげさん" in mailbox.text_of(mail)


@pytest.mark.parametrize("language, greeting, diary_title", [
    ("en", "Hello, 佐藤", "佐藤’s diary"),
    ("pt", "Olá, 佐藤", "Diário de 佐藤"),
    ("ja@easy", "佐藤 さん、こんにちは", "佐藤 さんの 日記"),
])
def test_the_suffix_is_part_of_the_translation(app, make_member, login, language, greeting, diary_title):
    """In English and Portuguese no さん at all; やさしい日本語 keeps it."""
    sato = make_member("佐藤")
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = PC_UA
    login(client, sato)
    client.get(f"/language/{language}?next=/")
    home, diary_page = html_of(client.get("/")), html_of(client.get(f"/members/{sato.id}/diary"))
    assert greeting in home and diary_title in diary_page
    if language != "ja@easy":
        assert "さん" not in home and "さん" not in diary_page
