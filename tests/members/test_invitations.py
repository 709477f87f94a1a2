"""Invitations: the only way into e-じゃん掛川. What an invited neighbour sees when following a link,
what an inviter sees when the quota is used up, and the mail that carries the link."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from ejan.clock import utcnow
from ejan.errors import Forbidden, Invalid, NotFound
from ejan.extensions import db
from ejan.members import services
from ejan.members.models import Invitation, Member

LINK = re.compile(r"http://ejan\.test(/join/[A-Za-z0-9_\-]+)")
QUOTA_WORDS = "招待できる人数の上限に達しています"


def problem_words(app, state: str) -> str:
    """The sentence _shared/words.html gives a resident for an invitation that does not work."""
    return str(app.jinja_env.get_template("_shared/words.html").module.invitation_problem(state))


def join_path(mailbox, message) -> str:
    return LINK.search(mailbox.text_of(message)).group(1)


@pytest.fixture
def inviter(make_member):
    return make_member("鈴木")


# --- the invitation page, in every state ------------------------------------------------------

def test_valid_invitation_link_shows_the_registration_form_and_who_invited(client, inviter):
    issued = services.invite(inviter, "hanako@example.jp", "お茶の会で話した件です")

    response = client.get(f"/join/{issued.token}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "鈴木" in page
    assert "hanako@example.jp" in page
    assert "お茶の会で話した件です" in page
    assert 'name="nickname"' in page and 'name="password_confirm"' in page


def _expire(issued, inviter, admin):
    issued.invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def _use(issued, inviter, admin):
    services.register(issued.token, nickname="花子", password="ochazuke-123", district=None)


def _revoke(issued, inviter, admin):
    services.revoke_invitation(inviter, issued.invitation.id)


def _suspend_inviter(issued, inviter, admin):
    services.suspend(admin, inviter)


@pytest.mark.parametrize("state, spoil", [
    ("expired", _expire),
    ("used", _use),
    ("revoked", _revoke),
    ("inviter_suspended", _suspend_inviter),
])
def test_an_invitation_that_no_longer_works_says_why_with_410(app, client, make_member, inviter, state, spoil):
    admin = make_member("管理者", role="admin")
    issued = services.invite(inviter, "hanako@example.jp")
    spoil(issued, inviter, admin)

    response = client.get(f"/join/{issued.token}")

    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert f'data-state="{state}"' in page
    assert problem_words(app, state) in page
    assert 'name="password"' not in page
    # Posting the form anyway does not create anyone either.
    before = db.session.scalar(select(db.func.count(Member.id)))
    response = client.post(f"/join/{issued.token}", data={
        "nickname": "花子", "password": "ochazuke-123", "password_confirm": "ochazuke-123"})
    assert response.status_code == 410
    assert db.session.scalar(select(db.func.count(Member.id))) == before


def test_an_unknown_invitation_link_says_it_was_not_found_with_404(app, client, inviter):
    services.invite(inviter, "hanako@example.jp")

    response = client.get("/join/this-token-was-never-issued")

    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert 'data-state="unknown"' in page
    assert problem_words(app, "unknown") in page


def test_each_kind_of_broken_invitation_has_its_own_explanation(app):
    words = {state: problem_words(app, state)
             for state in ("unknown", "expired", "used", "revoked", "inviter_suspended")}
    assert len(set(words.values())) == len(words)
    assert all(words.values())


# --- the quota -------------------------------------------------------------------------------

def test_a_member_with_five_open_invitations_is_told_the_quota_is_full_and_keeps_what_they_typed(
        app, client, login, inviter, mailbox):
    quota = app.config["EJAN_INVITE_QUOTA"]
    assert quota == 5
    for n in range(quota):
        services.invite(inviter, f"friend{n}@example.jp")
    mailbox.clear()
    login(client, inviter)

    response = client.post("/invitations", data={"email": "sixth@example.jp", "message": "茶畑で会いましょう"})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert QUOTA_WORDS in page
    assert 'value="sixth@example.jp"' in page
    assert "茶畑で会いましょう" in page
    assert "あと <strong>0</strong> 人招待できます" in page
    assert db.session.scalar(select(Invitation.id).where(Invitation.email == "sixth@example.jp")) is None
    assert mailbox.to("sixth@example.jp") == []


def test_revoking_an_unused_invitation_frees_a_place(client, login, inviter, mailbox):
    issued = [services.invite(inviter, f"friend{n}@example.jp") for n in range(5)]
    login(client, inviter)

    response = client.post(f"/invitations/{issued[0].invitation.id}/revoke")
    assert response.status_code == 302

    response = client.post("/invitations", data={"email": "sixth@example.jp", "message": ""})
    assert response.status_code == 302
    assert len(mailbox.to("sixth@example.jp")) == 1
    # The revoked link itself no longer works.
    assert client.get(f"/join/{issued[0].token}").status_code == 410


def test_expired_invitations_do_not_use_up_the_quota(inviter):
    issued = [services.invite(inviter, f"friend{n}@example.jp") for n in range(5)]
    with pytest.raises(Invalid) as refused:
        services.invite(inviter, "sixth@example.jp")
    assert refused.value.code == "quota"

    issued[0].invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    assert services.invite_quota_left(inviter) == 1
    services.invite(inviter, "sixth@example.jp")


def test_used_invitations_do_not_use_up_the_quota(inviter):
    issued = [services.invite(inviter, f"friend{n}@example.jp") for n in range(5)]
    services.register(issued[0].token, nickname="花子", password="ochazuke-123", district=None)

    assert services.invite_quota_left(inviter) == 1


def test_administrators_can_invite_without_a_limit(client, login, make_member):
    admin = make_member("市役所", role="admin")
    for n in range(7):
        services.invite(admin, f"friend{n}@example.jp")
    assert services.invite_quota_left(admin) is None

    login(client, admin)
    page = client.get("/invitations").get_data(as_text=True)
    assert "管理者は人数の制限なく招待できます" in page
    assert client.post("/invitations", data={"email": "eighth@example.jp"}).status_code == 302


# --- whom one may invite ------------------------------------------------------------------

def test_inviting_someone_who_is_already_a_member_is_refused_with_a_message(client, login, inviter, make_member,
                                                                             mailbox):
    neighbour = make_member("田中")
    login(client, inviter)

    response = client.post("/invitations", data={"email": neighbour.email.upper(), "message": ""})

    assert response.status_code == 200
    assert "このメールアドレスの方はすでに会員です。" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Invitation.id))) == 0
    assert mailbox.to(neighbour.email) == []


def test_a_malformed_address_is_refused_with_a_message(client, login, inviter):
    login(client, inviter)

    response = client.post("/invitations", data={"email": "not-an-address", "message": ""})

    assert response.status_code == 200
    assert "メールアドレスの形式が正しくありません。" in response.get_data(as_text=True)


def test_a_suspended_member_cannot_invite(make_member):
    suspended = make_member("停止中", suspended=True)
    with pytest.raises(Forbidden):
        services.invite(suspended, "hanako@example.jp")


def test_a_member_cannot_revoke_someone_elses_invitation(inviter, make_member):
    issued = services.invite(inviter, "hanako@example.jp")
    stranger = make_member("他人")

    with pytest.raises(NotFound):
        services.revoke_invitation(stranger, issued.invitation.id)
    assert services.invitation_state(issued.token)[1] == "valid"


def test_a_used_invitation_cannot_be_revoked(inviter):
    issued = services.invite(inviter, "hanako@example.jp")
    services.register(issued.token, nickname="花子", password="ochazuke-123", district=None)

    with pytest.raises(Invalid):
        services.revoke_invitation(inviter, issued.invitation.id)


# --- the mail ---------------------------------------------------------------------------------

def test_invitation_mail_arrives_with_text_and_html_and_a_link_that_registers(client, login, inviter, mailbox):
    login(client, inviter)
    response = client.post("/invitations", data={"email": "Hanako@Example.JP", "message": "ぜひどうぞ"})
    assert response.status_code == 302

    [mail] = mailbox.to("hanako@example.jp")
    assert "鈴木" in mail["Subject"]
    assert mail.get_content_type() == "multipart/alternative"
    text_part = mail.get_body(("plain",)).get_content()
    html_part = mail.get_body(("html",)).get_content()
    path = join_path(mailbox, mail)
    assert "ぜひどうぞ" in text_part and "ぜひどうぞ" in html_part
    assert path in html_part

    visitor = client.application.test_client()
    assert visitor.get(path).status_code == 200
    response = visitor.post(path, data={"nickname": "花子", "password": "ochazuke-123",
                                        "password_confirm": "ochazuke-123"})
    assert response.status_code == 302
    assert db.session.scalar(select(Member).where(Member.email == "hanako@example.jp")).nickname == "花子"


def test_invitation_token_is_stored_only_as_a_hash(inviter):
    issued = services.invite(inviter, "hanako@example.jp")

    row = db.session.execute(text("SELECT * FROM invitations")).mappings().one()

    assert all(issued.token not in str(value) for value in row.values())
    assert row["token_hash"] == services.hash_token(issued.token)


def test_an_invitation_to_a_keitai_address_is_plain_text_only(inviter, mailbox):
    services.invite(inviter, "hanako.k@docomo.ne.jp")

    [mail] = mailbox.to("hanako.k@docomo.ne.jp")
    assert not mail.is_multipart()
    assert mail.get_content_type() == "text/plain"
    assert LINK.search(mail.get_content())
