"""あしあと: a member sees who came to look at their profile and diary, once per visitor per day."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from ejan.clock import today_jst
from ejan.diary import services
from ejan.diary.models import MEMBERS, PRIVATE, Footprint
from ejan.extensions import db
from ejan.members import services as members


def footprints_on(owner) -> list[Footprint]:
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
