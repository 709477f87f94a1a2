"""Preferences per kind and channel: honoured for every kind and channel, the daily digest for chatty
kinds, no opt-out from disaster broadcasts and official notices, one-click unsubscribe, the pages."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ejan.extensions import db
from ejan.notify import digest, preferences
from ejan.notify.api import Audience, notify
from ejan.notify.kinds import CHANNELS, MANDATORY, registry
from ejan.notify.models import Delivery, KeitaiConfirmation, Notification
from ejan.clock import utcnow
from support import html_of, keitai_login


def _with_keitai(member, address):
    member.keitai_email = address
    db.session.add(KeitaiConfirmation(member_id=member.id, address=address, token_hash=f"h{member.id}",
                                      confirmed_at=utcnow()))
    db.session.commit()
    return member


def _reached(member, kind, mailbox) -> dict[str, bool]:
    web = db.session.scalar(select(Notification.id).where(Notification.member_id == member.id,
                                                          Notification.kind == kind)) is not None
    return {"web": web, "pc": bool(mailbox.to(member.email)), "keitai": bool(mailbox.to(member.keitai_email))}


PAYLOAD = {"subject": "お茶", "link": "/", "texts": {"ja": {"title": "お知らせ", "body": "本文"}}}


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_kind_honours_an_opt_out_on_every_channel_except_the_mandatory_ones(app, make_member, mailbox, channel):
    for kind, spec in registry().items():
        mailbox.clear()
        member = _with_keitai(make_member(), f"k{kind[:10]}{channel}@docomo.ne.jp")
        preferences.set_mode(member.id, kind, channel, "off")
        notify([member.id], kind, PAYLOAD)
        reached = _reached(member, kind, mailbox)
        if spec.mandatory:
            assert reached == {"web": True, "pc": True, "keitai": True}, kind
        else:
            assert reached[channel] is False, (kind, channel)


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_kind_reaches_a_channel_the_member_turned_on(app, make_member, mailbox, channel):
    for kind in registry():
        mailbox.clear()
        member = _with_keitai(make_member(), f"on{kind[:10]}{channel}@ezweb.ne.jp")
        preferences.set_mode(member.id, kind, channel, "instant")
        notify([member.id], kind, PAYLOAD)
        assert _reached(member, kind, mailbox)[channel] is True, (kind, channel)


def test_disaster_broadcasts_ignore_opt_outs_even_for_an_audience(app, make_member, mailbox):
    member = make_member(district="大東")
    for channel in CHANNELS:
        assert preferences.set_mode(member.id, "disaster_broadcast", channel, "off") is False
    notify(Audience(districts=("大東",)), "disaster_broadcast", PAYLOAD)
    assert _reached(member, "disaster_broadcast", mailbox)["pc"]
    [mail] = mailbox.to(member.email)
    assert "List-Unsubscribe" not in mail  # nothing to unsubscribe from


def test_chatty_kinds_go_to_the_daily_digest_by_default(app, make_member, mailbox):
    assert registry()["diary_comment"].chatty and registry()["topic_comment"].chatty
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    for title in ("茶摘み", "新茶"):
        notify([sato.id], "diary_comment", {"subject": title, "link": "/diary/1", "actor_id": suzuki.id})
    assert mailbox.to(sato.email) == []  # not one mail per comment
    assert digest.send_all() == 1
    [mail] = mailbox.to(sato.email)
    text = mailbox.text_of(mail)
    assert "鈴木 さんが日記「茶摘み」にコメントしました" in text and "新茶" in text
    assert "http://ejan.test/diary/1" in text
    assert digest.send_all() == 0  # sent once


def test_a_chatty_kind_can_be_mailed_at_once_and_an_ordinary_one_cannot_be_digested(app, make_member, mailbox):
    sato = make_member("佐藤")
    assert preferences.set_mode(sato.id, "diary_comment", "pc", "instant")
    assert not preferences.set_mode(sato.id, "friend_accepted", "pc", "digest")
    notify([sato.id], "diary_comment", {"subject": "茶摘み", "link": "/diary/1"})
    assert len(mailbox.to(sato.email)) == 1


def test_one_click_unsubscribe_turns_off_that_kind_on_that_channel_without_login(app, make_member, mailbox, client):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    notify([sato.id], "friend_accepted", {"link": "/", "actor_id": suzuki.id})
    [mail] = mailbox.to(sato.email)
    url = re.fullmatch(r"<(.+)>", mail["List-Unsubscribe"]).group(1)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in mailbox.text_of(mail)
    response = client.post(url.replace("http://ejan.test", ""), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    mailbox.clear()
    notify([sato.id], "friend_accepted", {"link": "/", "actor_id": suzuki.id})
    assert mailbox.to(sato.email) == []
    assert _reached(sato, "friend_accepted", mailbox)["web"]  # the site still tells


def test_a_tampered_unsubscribe_token_is_a_plain_404(client):
    assert client.post("/notifications/unsubscribe/abc.def").status_code == 404
    assert client.get("/notifications/unsubscribe/abc.def").status_code == 404


def test_the_preferences_page_saves_choices_on_pc(make_member, browser):
    sato = make_member("佐藤")
    web = browser(sato)
    page = web.get("/notifications/settings").get_data(as_text=True)
    assert "マイフレンド申請" in page and "災害時の緊急連絡" in page and "指定受信" in page
    assert 'name="disaster_broadcast.pc"' not in page  # nothing to choose
    response = web.post("/notifications/settings", data={"friend_requested.pc": "off", "diary_comment.pc": "instant",
                                                         "disaster_broadcast.pc": "off", "bogus.pc": "off"})
    assert response.status_code == 302
    rows = {c.field: c.mode for row in preferences.choices_for(sato) for c in row}
    assert rows["friend_requested.pc"] == "off" and rows["diary_comment.pc"] == "instant"
    assert rows["disaster_broadcast.pc"] == "instant"


def test_the_keitai_preferences_page_is_shift_jis_and_small(make_member, keitai):
    sato = make_member("佐藤")
    phone = keitai("docomo_nocookie")
    landing = keitai_login(phone, sato)
    token = re.search(r"ejs=([^&]+)", landing).group(1)
    response = phone.get(f"/notifications/settings?ejs={token}")
    assert response.status_code == 200
    assert response.mimetype_params["charset"].lower() == "shift_jis"
    assert len(response.data) <= 10 * 1024
    page = html_of(response)
    assert "お知らせの設定" in page and "指定受信" in page


def test_mandatory_kinds_are_declared_mandatory_whoever_words_them(app):
    for kind in MANDATORY:
        assert registry()[kind].mandatory


def test_deliveries_are_unique_per_broadcast_member_and_channel(app, make_member):
    from sqlalchemy.exc import IntegrityError

    sato = make_member()
    notify([sato.id], "friend_accepted", {"link": "/"})
    row = db.session.scalars(select(Delivery)).first()
    db.session.add(Delivery(broadcast_id=row.broadcast_id, member_id=row.member_id, channel=row.channel))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
