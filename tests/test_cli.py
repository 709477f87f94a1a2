"""The `flask ejan …` commands a city administrator runs on the server."""
from sqlalchemy import func, select

from ejan.communities.models import Community
from ejan.diary.models import DiaryEntry
from ejan.extensions import db
from ejan.friends.models import Friendship
from ejan.members import services as members
from ejan.members.models import Invitation, Member


def test_create_admin_makes_an_administrator_who_can_log_in(app, client):
    result = app.test_cli_runner().invoke(args=["ejan", "create-admin", "--email", "duty@city.example.jp",
                                                "--nickname", "防災課", "--password", "flood-night-0210"])
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(Member).where(Member.email == "duty@city.example.jp"))
    assert admin.is_admin
    assert client.post("/login", data={"email": "duty@city.example.jp", "password": "flood-night-0210"}).status_code == 302


def test_invite_prints_a_link_that_opens_the_registration_page(app, client, make_member, mailbox):
    make_member("市役所", role="admin")
    result = app.test_cli_runner().invoke(args=["ejan", "invite", "neighbour@example.jp"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://ejan.test/join/")
    assert client.get(link.removeprefix("http://ejan.test")).status_code == 200
    assert mailbox.to("neighbour@example.jp")


def test_invite_without_any_administrator_says_what_to_do(app):
    result = app.test_cli_runner().invoke(args=["ejan", "invite", "neighbour@example.jp"])
    assert result.exit_code != 0 and "create-admin" in result.output


def test_demo_loads_an_admin_and_thirty_residents_with_friends_once(app, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["ejan", "demo"]).exit_code == 0
    assert runner.invoke(args=["ejan", "demo"]).exit_code == 0  # idempotent
    assert db.session.scalar(select(func.count(Member.id))) == 31
    assert db.session.scalar(select(func.count()).select_from(Friendship)) > 30
    admin = members.authenticate("admin@e-jan.kakegawa.example", "kakegawa-demo")
    assert admin.is_admin
    resident = db.session.scalar(select(Member).where(Member.email == "resident10@e-jan.kakegawa.example"))
    assert resident.invited_by is not None  # the invite tree is there to look at
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    assert db.session.scalar(select(func.count(DiaryEntry.id))) == 60
    assert db.session.scalar(select(func.count(Community.id))) == 4
