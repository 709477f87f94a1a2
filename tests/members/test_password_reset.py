"""Forgotten passwords: the mail, the one-time link, and saying nothing about who is a member."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from ejan.errors import Invalid
from ejan.extensions import db
from ejan.members import services

PASSWORD = "tea-harvest-2026"  # what make_member gives everyone (tests/conftest.py)
NEW_PASSWORD = "new-green-tea-77"
LINK = re.compile(r"http://ejan\.test(/password/reset/\S+)")
WRONG = "メールアドレスかパスワードが違います。"


def ask_for_reset(client, email: str):
    return client.post("/password/forgot", data={"email": email})


def mailed_reset_path(mailbox, address: str) -> str:
    [mail] = mailbox.to(address)
    assert mail.get_content_type() == "multipart/alternative"
    return LINK.search(mailbox.text_of(mail)).group(1)


def log_in(app, email: str, password: str):
    return app.test_client().post("/login", data={"email": email, "password": password})


def test_a_member_resets_a_forgotten_password_from_the_mailed_link(app, client, make_member, mailbox):
    member = make_member("佐藤")

    response = ask_for_reset(client, member.email.upper())
    assert response.status_code == 200
    assert "メールを確認してください" in response.get_data(as_text=True)
    path = mailed_reset_path(mailbox, member.email)

    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"

    old = log_in(app, member.email, PASSWORD)
    assert old.status_code == 200 and WRONG in old.get_data(as_text=True)
    assert log_in(app, member.email, NEW_PASSWORD).status_code == 302


def test_a_reset_link_works_only_once(client, make_member, mailbox):
    member = make_member()
    ask_for_reset(client, member.email)
    path = mailed_reset_path(mailbox, member.email)
    client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    response = client.get(path)
    assert response.status_code == 410
    assert "このリンクはすでに使われたか、無効です。" in response.get_data(as_text=True)
    response = client.post(path, data={"password": "attacker-pass-1", "password_confirm": "attacker-pass-1"})
    assert response.status_code == 410
    db.session.expire_all()  # the requests changed the member in their own sessions
    with pytest.raises(Invalid):
        services.reset_password(path.rsplit("/", 1)[1], "attacker-pass-2")


def test_an_unknown_address_gets_the_same_neutral_page_and_no_mail(client, make_member, mailbox):
    member = make_member()

    known = ask_for_reset(client, member.email)
    unknown = ask_for_reset(client, "nobody@example.jp")

    assert unknown.status_code == known.status_code == 200
    assert unknown.get_data(as_text=True) == known.get_data(as_text=True)
    assert mailbox.to("nobody@example.jp") == []
    assert len(mailbox) == 1


def test_a_suspended_member_gets_no_reset_mail(client, make_member, mailbox):
    member = make_member(suspended=True)

    response = ask_for_reset(client, member.email)

    assert response.status_code == 200
    assert mailbox.to(member.email) == []


def test_a_tampered_reset_link_is_refused(client, make_member, mailbox):
    member = make_member()
    ask_for_reset(client, member.email)
    path = mailed_reset_path(mailbox, member.email)

    response = client.get(path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"))

    assert response.status_code == 410
    assert "このリンクは無効です。" in response.get_data(as_text=True)


def test_a_new_password_must_be_long_enough_and_typed_twice_alike(client, make_member, mailbox):
    member = make_member()
    ask_for_reset(client, member.email)
    path = mailed_reset_path(mailbox, member.email)

    short = client.post(path, data={"password": "short", "password_confirm": "short"})
    differ = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "x"})

    assert short.status_code == 200 and "パスワードは8文字以上にしてください。" in short.get_data(as_text=True)
    assert differ.status_code == 200 and "パスワードが一致しません。" in differ.get_data(as_text=True)
    # Neither attempt spent the link.
    assert client.get(path).status_code == 200


def test_resetting_the_password_logs_out_other_devices(app, make_member, login, mailbox):
    member = make_member()
    other_device = app.test_client()
    login(other_device, member)
    assert other_device.get("/profile/edit").status_code == 200

    client = app.test_client()
    ask_for_reset(client, member.email)
    path = mailed_reset_path(mailbox, member.email)
    client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    response = other_device.get("/profile/edit")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_two_submits_of_one_reset_link_at_once_change_the_password_once(app, make_member):
    import threading

    sato = make_member("佐藤")
    token = services._reset_serializer().dumps({"m": sato.id, "p": sato.password_hash[-12:]})
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(password):
        with app.app_context():
            services.member_for_reset(token)
            barrier.wait()
            try:
                services.reset_password(token, password)
                outcomes.append(("ok", password))
            except Invalid as error:
                outcomes.append(("refused", error.message))

    threads = [threading.Thread(target=submit, args=(p,)) for p in ("first-choice-1", "second-choice-2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
