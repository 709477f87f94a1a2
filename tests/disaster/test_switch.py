"""The switch: only admins turn disaster mode on and off, one event at a time, every change logged."""
import pytest
from sqlalchemy import select

from ejan.disaster import events
from ejan.disaster.models import DisasterEvent, DisasterLogEntry, DisasterNotice
from ejan.errors import Forbidden, Invalid
from ejan.extensions import db
from ejan.members.models import Member

from helpers_disaster import NOTICE, start
from support import at_the_same_moment


def log_of(event):
    return [(entry.action, entry.actor_id) for entry in db.session.scalars(
        select(DisasterLogEntry).where(DisasterLogEntry.event_id == event.id).order_by(DisasterLogEntry.id))]


def test_an_admin_starts_and_ends_an_event_and_both_are_logged_with_who(app, make_member):
    admin = make_member("防災課", role="admin")
    event = start(admin)
    assert events.active_event().id == event.id
    assert events.active_summary()["title"] == "大雨による浸水"
    events.end_event(admin, event)
    assert events.active_event() is None and events.active_summary() is None
    assert event.ended_at is not None and event.ended_by_id == admin.id
    assert log_of(event) == [("start", admin.id), ("notice", admin.id), ("end", admin.id)]
    # Ending again changes nothing and logs nothing.
    events.end_event(admin, event)
    assert len(log_of(event)) == 3


@pytest.mark.parametrize("who", ["member", "suspended_admin"])
def test_only_an_admin_may_switch(app, make_member, who):
    admin = make_member("防災課", role="admin")
    actor = make_member("住民") if who == "member" else make_member("元職員", role="admin", suspended=True)
    with pytest.raises(Forbidden):
        start(actor)
    event = start(admin)
    with pytest.raises(Forbidden):
        events.end_event(actor, event)
    with pytest.raises(Forbidden):
        events.post_notice(event, NOTICE, by=actor)
    with pytest.raises(Forbidden):
        events.confirm_event(actor, event)
    assert events.active_event() is not None


def test_a_second_start_while_one_is_active_is_refused(app, make_member):
    admin = make_member("防災課", role="admin")
    first = start(admin)
    with pytest.raises(events.EventActive) as refused:
        start(admin, title="別の災害")
    assert refused.value.event.id == first.id


def test_two_admins_starting_at_the_same_moment_make_one_active_event(app, make_member, monkeypatch):
    a, b = make_member("防災課A", role="admin"), make_member("防災課B", role="admin")
    ids = iter([a.id, b.id])

    def work():
        return start(db.session.get(Member, next(ids))).id

    results, refused = at_the_same_moment(app, monkeypatch, events, "active_event", work,
                                          when=lambda event: event is None, catch=(events.EventActive,))
    assert len(results) == 1 and len(refused) == 1
    assert db.session.scalar(select(db.func.count()).select_from(DisasterEvent)) == 1


def test_a_telegram_starts_an_unconfirmed_event_once_and_its_cancellation_ends_it(app, make_member):
    admin = make_member("防災課", role="admin")
    event = events.start_event("震度6弱", "earthquake", [], NOTICE, automatic=True, source_ref="20261201024000")
    again = events.start_event("震度6弱", "earthquake", [], NOTICE, automatic=True, source_ref="20261201024000")
    assert again.id == event.id and event.started_by_id is None and not event.confirmed
    assert events.cancel_automatic(event, "取消報") is True
    db.session.refresh(event)
    assert event.ended_at is not None and event.cancel_reason == "取消報"
    # Once an admin has confirmed one, a cancellation telegram no longer ends it.
    other = events.start_event("震度5強", "earthquake", [], NOTICE, automatic=True, source_ref="x2")
    events.confirm_event(admin, other)
    assert events.cancel_automatic(other, "取消報") is False and events.active_event().id == other.id


def test_without_a_person_only_a_telegram_may_start(app):
    with pytest.raises(Forbidden):
        events.start_event("手動", "flood", [], NOTICE)


def test_start_says_everything_wrong_at_once(app, make_member):
    admin = make_member("防災課", role="admin")
    with pytest.raises(Invalid) as wrong:
        events.start_event("", "meteor", ["火星"], {"ja": {"title": "", "body": ""}}, by=admin)
    assert {p.code for p in wrong.value.problems} == {"title", "kind", "districts", "notice"}
    assert events.active_event() is None


def test_update_changes_an_active_event_and_is_logged(app, make_member):
    admin = make_member("防災課", role="admin")
    event = start(admin)
    events.update_event(event, by=admin, title="大雨・洪水", districts=["大東"])
    assert event.title == "大雨・洪水" and event.districts == ["大東"]
    assert ("update", admin.id) in log_of(event)


def test_notices_are_kept_in_the_event_and_a_double_submit_posts_one(app, make_member):
    admin = make_member("防災課", role="admin")
    event = start(admin)
    events.post_notice(event, NOTICE, by=admin, submit_token="t1")
    events.post_notice(event, NOTICE, by=admin, submit_token="t1")
    events.end_event(admin, event)
    assert db.session.scalar(select(db.func.count()).select_from(DisasterNotice)) == 2
    with pytest.raises(Invalid):
        events.post_notice(event, NOTICE, by=admin)
