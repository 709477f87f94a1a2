"""The 通報 queue: admins work all of it under /admin, a community's runners their community's part only."""
from sqlalchemy import select

from ejan.communities import topics
from ejan.communities.models import Topic
from ejan.diary import services as diary
from ejan.diary.models import DiaryEntry
from ejan.extensions import db
from ejan.members.models import Invitation
from ejan.notify.models import Notification
from ejan.reports import moderation, services as reports
from ejan.reports.models import Tsuho


def notices_of(member):
    return [n.kind for n in db.session.scalars(select(Notification).where(Notification.member_id == member.id))]


def test_a_moderator_reaches_their_communitys_tsuho_and_no_other(app, browser, make_member, make_community):
    owner, other_owner, writer, reporter = (make_member(n) for n in ("茶畑の管理人", "城の管理人", "書いた人", "通報者"))
    tea = make_community(owner, "倉真の茶畑", members=[writer, reporter])
    castle = make_community(other_owner, "掛川城", members=[writer, reporter])
    tea_topic = topics.create_topic(writer, tea.id, title="売ります", body="安いお茶")
    castle_topic = topics.create_topic(writer, castle.id, title="広告", body="宣伝")
    tea_topic_id, castle_topic_id = tea_topic.id, castle_topic.id
    ours, _ = reports.report(reporter, "topic", tea_topic.id, reason="spam")
    theirs, _ = reports.report(reporter, "topic", castle_topic.id, reason="spam")
    assert (ours.community_id, theirs.community_id) == (tea.id, castle.id)

    client = browser(owner)
    page = client.get(f"/communities/{tea.id}/tsuho")
    assert page.status_code == 200 and f"/communities/{tea.id}/tsuho/{ours.id}" in page.get_data(as_text=True)
    assert f"/tsuho/{theirs.id}" not in page.get_data(as_text=True)
    assert client.get(f"/communities/{castle.id}/tsuho").status_code == 403
    assert client.get(f"/communities/{tea.id}/tsuho/{theirs.id}").status_code == 404  # not this community's
    assert client.get(f"/communities/{castle.id}/tsuho/{theirs.id}").status_code == 403
    assert client.get("/admin/tsuho").status_code == 403
    assert browser(writer).get(f"/communities/{tea.id}/tsuho").status_code == 403  # a plain member

    response = client.post(f"/communities/{tea.id}/tsuho/{ours.id}", data={"outcome": "hide", "note": "宣伝"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Topic, tea_topic_id) is None
    assert db.session.get(Topic, castle_topic_id) is not None
    # Suspending is for admins only; a runner cannot act on another community's 通報.
    assert client.post(f"/communities/{castle.id}/tsuho/{theirs.id}", data={"outcome": "dismiss"}).status_code == 403
    assert "suspend" not in moderation.outcomes_for(owner, db.session.get(Tsuho, theirs.id))


def test_admins_hide_and_every_reporter_is_told(app, browser, make_member):
    admin, author, first, second = (make_member(n) for n in ("市役所", "書いた人", "一人目", "二人目"))
    admin.role = "admin"
    db.session.commit()
    entry = diary.create_entry(author, title="悪口", body="ひどい言葉", visibility="members")
    entry_id = entry.id
    one, _ = reports.report(first, "diary_entry", entry.id, reason="harassment")
    two, _ = reports.report(second, "diary_entry", entry.id, reason="harassment", detail="つらいです")
    client = browser(admin)
    assert "悪口" in client.get(f"/admin/tsuho/{one.id}").get_data(as_text=True)
    assert client.post(f"/admin/tsuho/{one.id}", data={"outcome": "hide"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(DiaryEntry, entry_id) is None
    assert {t.status for t in db.session.scalars(select(Tsuho))} == {"resolved"}
    assert {t.outcome for t in db.session.scalars(select(Tsuho))} == {"hide"}
    assert notices_of(first) == ["tsuho_resolved"] and notices_of(second) == ["tsuho_resolved"]
    # Sent again (a double tap): nothing more happens.
    page = client.post(f"/admin/tsuho/{two.id}", data={"outcome": "hide"})
    assert page.status_code == 400 and "対応済み" in page.get_data(as_text=True)
    assert notices_of(first) == ["tsuho_resolved"]


def test_dismiss_warn_and_suspend(app, make_member):
    admin, author, reporter = make_member("市役所", role="admin"), make_member("書いた人"), make_member("通報者")
    from ejan.members import services as members

    members.invite(author, "friend@example.jp")
    entries = [diary.create_entry(author, title=f"日記{n}", body="本文", visibility="members") for n in range(3)]
    filed = [reports.report(reporter, "diary_entry", e.id, reason="spam")[0] for e in entries]
    moderation.act(admin, filed[0].id, "dismiss")
    assert notices_of(reporter) == ["tsuho_dismissed"]
    moderation.act(admin, filed[1].id, "warn", "言葉づかいに気をつけてください")
    assert notices_of(author) == ["tsuho_warning"]
    moderation.act(admin, filed[2].id, "suspend", "繰り返しのため")
    db.session.expire_all()
    assert author.status == "suspended"
    assert db.session.scalar(select(Invitation).where(Invitation.inviter_id == author.id)).revoked_at is not None
    assert db.session.get(DiaryEntry, entries[0].id) is not None  # dismissed: it stays


def test_a_profile_cannot_be_hidden_only_its_member_suspended(app, make_member):
    admin, member, reporter = make_member("市役所", role="admin"), make_member("なりすまし"), make_member("通報者")
    tsuho, _ = reports.report(reporter, "member", member.id, reason="other")
    assert moderation.outcomes_for(admin, tsuho) == ("dismiss", "warn", "suspend")
