"""あしあと: a member sees who came to look at their profile and diary, once per visitor per day."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from ejan.clock import today_jst
from ejan import batching
from ejan.diary import footprints, services
from ejan.diary.models import MEMBERS, PRIVATE, Footprint
from ejan.extensions import db
from ejan.members.models import STATUS_LEFT, Member
from ejan.members import services as members
from support import at_the_same_moment, count_queries


def footprints_on(owner) -> list[Footprint]:
    """The owner's footprints in the table, after this process's gathered visits are written."""
    footprints.flush()
    db.session.expire_all()
    return list(db.session.scalars(select(Footprint).where(Footprint.owner_id == owner.id)))


def visitors_listed(client) -> list[str]:
    """Nicknames on the あしあと page, top to bottom."""
    page = client.get("/footprints").get_data(as_text=True)
    main = page.split("<h1>あしあと</h1>", 1)[1]
    return re.findall(r'<a href="/members/\d+">(?:<[^>]+>[^<]*</span>|<img[^>]*>)?\s*([^<]+?)</a>', main)


def test_looking_at_a_profile_leaves_a_footprint_the_owner_sees(browser, make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    browser(suzuki).get(f"/members/{sato.id}")
    (footprint,) = footprints_on(sato)
    assert footprint.visitor_id == suzuki.id and footprint.day == today_jst()
    assert visitors_listed(browser(sato)) == ["鈴木"]


def test_looking_at_a_diary_or_an_entry_leaves_a_footprint(browser, make_member):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    entry = services.create_entry(sato, title="茶畑", body="本文", visibility=MEMBERS)
    browser(suzuki).get(f"/members/{sato.id}/diary")
    browser(tanaka).get(f"/diary/{entry.id}")
    assert {f.visitor_id for f in footprints_on(sato)} == {suzuki.id, tanaka.id}


def test_many_visits_in_one_day_leave_one_footprint(browser, make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    entry = services.create_entry(sato, title="茶畑", body="本文", visibility=MEMBERS)
    client = browser(suzuki)
    for url in (f"/members/{sato.id}", f"/members/{sato.id}/diary", f"/diary/{entry.id}", f"/members/{sato.id}"):
        assert client.get(url).status_code == 200
    assert len(footprints_on(sato)) == 1
    assert visitors_listed(browser(sato)) == ["鈴木"]


def test_a_visit_on_another_day_leaves_another_footprint(browser, make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    client = browser(suzuki)
    client.get(f"/members/{sato.id}")
    footprints.flush()
    db.session.execute(update(Footprint).values(day=today_jst() - timedelta(days=1)))  # that was yesterday
    db.session.commit()
    client.get(f"/members/{sato.id}")
    assert sorted(f.day for f in footprints_on(sato)) == [today_jst() - timedelta(days=1), today_jst()]


def test_looking_at_ones_own_pages_leaves_no_footprint(browser, make_member):
    sato = make_member("佐藤")
    entry = services.create_entry(sato, title="茶畑", body="本文", visibility=MEMBERS)
    client = browser(sato)
    for url in (f"/members/{sato.id}", f"/members/{sato.id}/diary", f"/diary/{entry.id}", "/diary"):
        client.get(url, follow_redirects=True)
    assert footprints_on(sato) == []
    assert "まだあしあとはありません。" in client.get("/footprints").get_data(as_text=True)


def test_an_entry_one_may_not_see_leaves_no_footprint(browser, make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    entry = services.create_entry(sato, title="秘密", body="本文", visibility=PRIVATE)
    assert browser(suzuki).get(f"/diary/{entry.id}").status_code == 404
    assert footprints_on(sato) == [], "a footprint would tell 佐藤 that 鈴木 tried a private entry's address"


def test_the_newest_visitor_is_at_the_top_and_a_return_visit_moves_up(browser, make_member):
    sato = make_member("佐藤")
    suzuki, tanaka, takahashi = browser(make_member("鈴木")), browser(make_member("田中")), browser(make_member("高橋"))
    for client in (suzuki, tanaka, takahashi):
        client.get(f"/members/{sato.id}")
    owner = browser(sato)
    assert visitors_listed(owner) == ["高橋", "田中", "鈴木"]
    suzuki.get(f"/members/{sato.id}/diary")
    assert visitors_listed(owner) == ["鈴木", "高橋", "田中"]
    assert len(footprints_on(sato)) == 3


def test_everyone_sees_only_their_own_footprints(browser, make_member):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    browser(suzuki).get(f"/members/{sato.id}")
    assert visitors_listed(browser(tanaka)) == []
    assert visitors_listed(browser(suzuki)) == []


def test_a_suspended_visitors_footprint_is_no_longer_listed(browser, make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    browser(suzuki).get(f"/members/{sato.id}")
    members.suspend(make_member("管理者", role="admin"), suzuki)
    assert visitors_listed(browser(sato)) == []


def test_the_footprints_page_needs_a_login(browser):
    response = browser().get("/footprints")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- written in batches ------------------------------------------------------------------------------------

def test_a_visit_costs_the_page_no_write_of_its_own(browser, make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    client = browser(suzuki)
    with count_queries(db.engine) as queries:
        assert client.get(f"/members/{sato.id}").status_code == 200
    assert not [q for q in queries.statements if "footprints" in q]  # gathered in memory until the flush
    assert [f.visitor_id for f in footprints_on(sato)] == [suzuki.id]


def test_a_batch_is_written_when_it_is_due_and_keeps_the_latest_visit(app, make_member, monkeypatch):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    monkeypatch.setattr(footprints._pending, "size", 3)
    monkeypatch.setattr(batching, "now", lambda: 100.0)  # the batch's clock stands still: only the size counts
    footprints._pending.take()
    early, late = datetime(2026, 5, 1, 1, 0), datetime(2026, 5, 1, 2, 0)
    for visitor, moment in ((suzuki, late), (suzuki, early)):
        monkeypatch.setattr(footprints, "utcnow", lambda moment=moment: moment)
        footprints.record(visitor, sato)
    assert len(footprints._pending) == 1 and count_rows() == 0  # two visits, one key, not due yet
    footprints.record(tanaka, sato)  # the third visit makes it due: written at once
    assert len(footprints._pending) == 0 and count_rows() == 2
    assert {f.visitor_id: f.visited_at for f in footprints_on(sato)}[suzuki.id] == late
    # An earlier time gathered later (another web process's batch) does not move the footprint back.
    monkeypatch.setattr(footprints, "utcnow", lambda: early)
    footprints.record(suzuki, sato)
    assert {f.visitor_id: f.visited_at for f in footprints_on(sato)}[suzuki.id] == late


class HeldTimer:
    """batching.Timer for a test: set like the real one, fired by the test instead of a thread."""

    def __init__(self, seconds, function, args):
        self.seconds, self.function, self.args = seconds, function, args
        self.daemon = False

    def start(self):
        pass

    def cancel(self):
        pass

    def fire(self):
        self.function(*self.args)


def test_a_process_that_gets_no_more_requests_still_writes_what_it_gathered(app, make_member, monkeypatch):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    timers = []
    monkeypatch.setattr(batching, "Timer", lambda *args: timers.append(HeldTimer(*args)) or timers[-1])
    monkeypatch.setattr(batching, "now", lambda: 100.0)
    footprints._pending.take()  # no timer set, and the batch's clock stands still: never due by time
    footprints.record(suzuki, sato)
    footprints.record(suzuki, sato)
    (timer,) = timers  # one timer for the batch, not one per visit
    assert timer.seconds == footprints.FLUSH_SECONDS
    assert len(footprints._pending) == 1 and count_rows() == 0  # not due: nobody flushed it
    timer.fire()  # what the timer's thread does FLUSH_SECONDS later, with no request in between
    db.session.rollback()  # a fresh look at the table, without flushing anything ourselves
    assert len(footprints._pending) == 0 and count_rows() == 1


def test_a_visit_gathered_before_its_visitor_left_is_not_written_after(app, make_member):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    footprints.record(suzuki, sato)
    footprints.record(tanaka, sato)
    pending = footprints._pending.take()  # as if another web process still held them when 鈴木 left
    db.session.execute(update(Member).where(Member.id == suzuki.id).values(status=STATUS_LEFT))
    db.session.commit()
    footprints._pending.give_back(pending)
    assert [f.visitor_id for f in footprints_on(sato)] == [tanaka.id]


def test_a_member_leaving_takes_their_gathered_visits_with_them(app, make_member):
    sato, suzuki, tanaka = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    footprints.record(suzuki, sato)
    footprints.record(sato, tanaka)
    footprints.record(tanaka, suzuki)
    footprints.forget_member(sato.id)
    assert list(footprints._pending.take()) == [(suzuki.id, tanaka.id, today_jst())]


def test_a_database_away_keeps_the_visits_for_the_next_flush(app, make_member, monkeypatch):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    footprints.record(suzuki, sato)

    def away(conn, visits):
        raise RuntimeError("the database is away")

    monkeypatch.setattr(footprints._pending, "_write", away)
    footprints.flush()  # logged, not raised: a page never fails over a footprint
    assert len(footprints._pending) == 1
    monkeypatch.undo()
    assert [f.visitor_id for f in footprints_on(sato)] == [suzuki.id]


def test_two_processes_writing_the_same_visit_at_once_leave_one_footprint(app, make_member, monkeypatch):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    moments = iter([datetime(2026, 5, 1, 1, 0), datetime(2026, 5, 1, 2, 0)])
    key = (sato.id, suzuki.id, today_jst())

    def write_one_batch():
        with db.engine.begin() as conn:
            footprints._write(conn, {key: next(moments)})

    at_the_same_moment(app, monkeypatch, batching, "insert_for", write_one_batch)
    (footprint,) = footprints_on(sato)
    assert footprint.visited_at == datetime(2026, 5, 1, 2, 0)


def count_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Footprint))
