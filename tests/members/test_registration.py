"""Registration from an invitation: the neighbour who got the mail becomes a member, exactly once."""
from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from ejan.errors import Invalid
from ejan.extensions import db
from ejan.members import services
from ejan.members.models import Invitation, Member

LINK = re.compile(r"http://ejan\.test(/join/[A-Za-z0-9_\-]+)")
NEW_PASSWORD = "ochazuke-123"


@pytest.fixture
def inviter(make_member):
    return make_member("鈴木")


def mailed_join_path(mailbox, address: str) -> str:
    [mail] = mailbox.to(address)
    return LINK.search(mailbox.text_of(mail)).group(1)


def members_with(email: str) -> list[Member]:
    db.session.expire_all()
    return db.session.scalars(select(Member).where(Member.email == email)).all()


def test_invitee_registers_from_the_mailed_link_and_is_logged_in(app, client, login, inviter, mailbox):
    login(client, inviter)
    assert client.post("/invitations", data={"email": "Hanako@Example.JP", "message": ""}).status_code == 302
    path = mailed_join_path(mailbox, "hanako@example.jp")

    newcomer = app.test_client()
    response = newcomer.post(path, data={
        "nickname": "花子", "district": "日坂", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/profile/edit")
    assert "花子 さん、こんにちは" in newcomer.get("/").get_data(as_text=True)
    [hanako] = members_with("hanako@example.jp")
    assert hanako.nickname == "花子"
    assert hanako.district == "日坂"
    assert hanako.invited_by_id == inviter.id
    # The invite tree, as both sides see it.
    assert services.invite_tree(hanako) == (inviter, [])
    assert services.invite_tree(inviter)[1] == [hanako]
    assert "あなたを招待した人：" in newcomer.get("/invitations").get_data(as_text=True)
    invitation = db.session.scalar(select(Invitation))
    assert invitation.used_by_id == hanako.id and invitation.used_at is not None


def test_the_new_member_can_log_in_later_with_the_chosen_password(app, inviter, login):
    issued = services.invite(inviter, "hanako@example.jp")
    hanako = services.register(issued.token, nickname="花子", password=NEW_PASSWORD, district=None)

    login(app.test_client(), hanako, NEW_PASSWORD)


@pytest.mark.parametrize("form, message, nickname_kept", [
    ({"nickname": "花子", "password": NEW_PASSWORD, "password_confirm": "ochazuke-999"},
     "パスワードが一致しません。", True),
    ({"nickname": "花子", "password": "short", "password_confirm": "short"},
     "パスワードは8文字以上にしてください。", True),
    ({"nickname": "   ", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
     "入力してください。", False),
    ({"nickname": "花子", "district": "渋谷", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
     "地区を一覧から選んでください。", True),
], ids=["passwords-differ", "password-too-short", "no-nickname", "district-not-in-kakegawa"])
def test_a_wrong_registration_form_is_shown_again_with_the_reason(client, inviter, form, message, nickname_kept):
    issued = services.invite(inviter, "hanako@example.jp")

    response = client.post(f"/join/{issued.token}", data=form)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    if nickname_kept:
        assert 'value="花子"' in page
    assert members_with("hanako@example.jp") == []
    # Nothing was spent: the link still works.
    assert services.invitation_state(issued.token)[1] == "valid"


def test_a_district_not_in_kakegawa_is_refused_at_registration(inviter):
    issued = services.invite(inviter, "hanako@example.jp")

    with pytest.raises(Invalid) as refused:
        services.register(issued.token, nickname="花子", password=NEW_PASSWORD, district="渋谷")
    assert refused.value.code == "district"
    assert services.invitation_state(issued.token)[1] == "valid"


def test_the_same_invitation_link_cannot_register_twice(app, inviter):
    issued = services.invite(inviter, "hanako@example.jp")
    first = app.test_client()
    second = app.test_client()
    form = {"nickname": "花子", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}

    assert first.post(f"/join/{issued.token}", data=form).status_code == 302
    response = second.post(f"/join/{issued.token}", data={**form, "nickname": "二人目"})

    assert response.status_code == 410
    assert 'data-state="used"' in response.get_data(as_text=True)
    with pytest.raises(Invalid) as refused:
        services.register(issued.token, nickname="三人目", password=NEW_PASSWORD, district=None)
    assert refused.value.code == "invitation"
    assert [m.nickname for m in members_with("hanako@example.jp")] == ["花子"]


def test_two_invitations_to_one_address_make_only_one_member(client, inviter, make_member):
    other_inviter = make_member("山本")
    first = services.invite(inviter, "hanako@example.jp")
    second = services.invite(other_inviter, "hanako@example.jp")
    services.register(first.token, nickname="花子", password=NEW_PASSWORD, district=None)

    response = client.post(f"/join/{second.token}", data={
        "nickname": "花子2", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    assert response.status_code == 200
    assert "このメールアドレスの方はすでに会員です。" in response.get_data(as_text=True)
    assert [m.nickname for m in members_with("hanako@example.jp")] == ["花子"]


@pytest.mark.parametrize("run", range(3))
def test_two_simultaneous_registrations_with_one_link_make_exactly_one_account(app, inviter, run):
    issued = services.invite(inviter, "hanako@example.jp")
    token = issued.token
    db.session.commit()
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def register(name: str) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                member = services.register(token, nickname=name, password=NEW_PASSWORD, district=None)
                outcomes[name] = member.id
            except Exception as error:  # noqa: BLE001 - the test sorts them out below
                outcomes[name] = error

    threads = [threading.Thread(target=register, args=(name,)) for name in ("花子", "華子")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    winners = {name: result for name, result in outcomes.items() if isinstance(result, int)}
    losers = {name: result for name, result in outcomes.items() if not isinstance(result, int)}
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    [loser_error] = losers.values()
    assert isinstance(loser_error, Invalid), repr(loser_error)
    assert loser_error.code == "invitation"

    [hanako] = members_with("hanako@example.jp")
    [(winner_name, winner_id)] = winners.items()
    assert (hanako.id, hanako.nickname) == (winner_id, winner_name)
    assert db.session.scalar(select(func.count(Member.id))) == 2  # the inviter and the one newcomer
    invitation = db.session.scalar(select(Invitation))
    assert invitation.used_by_id == hanako.id
