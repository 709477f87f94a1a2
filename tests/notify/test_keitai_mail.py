"""Keitai mail: an address registered and confirmed by a mailed link (carrier addresses that break the
RFC included), short ISO-2022-JP text with readable substitutes, never a mail lost to its characters."""
from __future__ import annotations

import re

import pytest

from ejan import mail
from ejan.extensions import db
from ejan.notify import keitai
from ejan.notify.api import notify

RFC_BREAKING = "taro..x.@docomo.ne.jp"


def _register_and_confirm(member, client, mailbox, address=RFC_BREAKING):
    keitai.register(member, address)
    [confirmation] = mailbox.to(address)
    url = re.search(r"http://ejan\.test(/notifications/keitai/\S+)", _decoded(confirmation)).group(1)
    assert client.get(url).status_code == 200
    mailbox.clear()


def _decoded(message) -> str:
    part = message if not message.is_multipart() else message.get_body(("plain",))
    return part.get_payload(decode=True).decode(part.get_content_charset())


@pytest.mark.parametrize("address", [RFC_BREAKING, "..hanako@ezweb.ne.jp", "jiro.-_.@softbank.ne.jp"])
def test_a_carrier_address_that_breaks_the_rfc_is_accepted(address):
    assert mail.loose_address(address) == address


@pytest.mark.parametrize("address", ["", "taro", "taro@", "@docomo.ne.jp", "ta ro@docomo.ne.jp", "taro@docomo",
                                     "taro@@docomo.ne.jp", "<x>@docomo.ne.jp"])
def test_what_no_carrier_would_deliver_is_refused(address):
    assert mail.loose_address(address) is None


def test_registering_mails_a_link_that_confirms_the_address(make_member, browser, mailbox, client):
    sato = make_member("佐藤")
    web = browser(sato)
    response = web.post("/notifications/settings/keitai", data={"address": RFC_BREAKING})
    assert response.status_code == 302
    db.session.refresh(sato)
    assert keitai.state_of(sato).pending
    [confirmation] = mailbox.to(RFC_BREAKING)
    assert confirmation["Content-Type"].startswith('text/plain; charset="iso-2022-jp"')
    text = _decoded(confirmation)
    assert "佐藤 さん" in text
    url = re.search(r"http://ejan\.test(/notifications/keitai/\S+)", text).group(1)
    assert "確認しました" in client.get(url).get_data(as_text=True)  # no login needed: the phone opens it
    db.session.refresh(sato)
    assert keitai.state_of(sato).confirmed and sato.keitai_email == RFC_BREAKING


def test_a_bad_address_is_shown_again_with_the_message(make_member, browser):
    response = browser(make_member()).post("/notifications/settings/keitai", data={"address": "taro@@docomo"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "携帯メールアドレスの形式が正しくありません。" in page and 'value="taro@@docomo"' in page


def test_an_unconfirmed_address_gets_no_keitai_mail(make_member, mailbox):
    sato = make_member("佐藤")
    keitai.register(sato, RFC_BREAKING)
    mailbox.clear()
    notify([sato.id], "official_notice", {"subject": "x", "texts": {"ja": {"title": "お知らせ", "body": "本文"}}})
    assert mailbox.to(RFC_BREAKING) == []
    assert len(mailbox.to(sato.email)) == 1


def test_a_keitai_mail_decodes_as_iso_2022_jp_with_the_japanese_intact(make_member, client, mailbox):
    sato = make_member("佐藤")
    _register_and_confirm(sato, client, mailbox)
    notify([sato.id], "official_notice", {"subject": "給水", "link": "/notices/1",
                                          "texts": {"ja": {"title": "給水車のお知らせ", "body": "大東支所に給水車が来ます。"}}})
    [message] = mailbox.to(RFC_BREAKING)
    assert message["To"] == RFC_BREAKING
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "iso-2022-jp"
    raw = message.as_bytes()
    assert all(byte < 128 for byte in raw)  # 7-bit, as ISO-2022-JP is
    assert str(message["Subject"]) == "給水車のお知らせ"
    text = _decoded(message)
    assert "大東支所に給水車が来ます。" in text and "佐藤 さん" in text and "http://ejan.test/notices/1" in text
    assert len(text) <= mail.KEITAI_BODY_MAX + 10


def test_characters_iso_2022_jp_cannot_carry_get_readable_substitutes(make_member, client, mailbox):
    sato = make_member("髙橋")
    _register_and_confirm(sato, client, mailbox)
    body = "集合場所①は髙橋さん宅です🙏 Reunião na associação ～ ｶﾀｶﾅ"
    notify([sato.id], "official_notice", {"subject": "x", "texts": {"ja": {"title": "①髙🌊ação", "body": body}}})
    [message] = mailbox.to(RFC_BREAKING)
    text = _decoded(message)
    assert "集合場所(1)は高橋さん宅です Reuniao na associacao 〜 カタカナ" in text
    assert "高橋 さん" in text
    assert str(message["Subject"]) == "(1)高acao"


def test_jis_safe_never_fails_whatever_the_text():
    for text in ["①②⑳", "髙﨑", "😀👨‍👩‍👧", "ação çé ñ", "\u200d\ufe0f", "한국어", "¼ ™ ℃"]:
        safe = mail.jis_safe(text)
        safe.encode("iso-2022-jp")  # never raises
    assert mail.jis_safe("①髙😀ação") == "(1)高acao"


def test_a_long_notice_is_cut_for_the_phone_but_keeps_its_link(make_member, client, mailbox):
    sato = make_member("佐藤")
    _register_and_confirm(sato, client, mailbox)
    notify([sato.id], "official_notice", {"subject": "x", "link": "/notices/9",
                                          "texts": {"ja": {"title": "長いお知らせ" * 20, "body": "あ" * 5000}}})
    [message] = mailbox.to(RFC_BREAKING)
    text = _decoded(message)
    assert len(text) <= mail.KEITAI_BODY_MAX + 20
    assert "http://ejan.test/notices/9" in text
    assert max(len(line) for line in text.splitlines()) <= mail.KEITAI_LINE_MAX
    assert len(str(message["Subject"])) <= mail.KEITAI_SUBJECT_MAX
