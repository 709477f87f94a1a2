"""安否: five statuses, who sees them (the matrix), the counts each viewer gets, proxies, search, retention."""
from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from ejan.clock import utcnow
from ejan.communities import directory, membership
from ejan.disaster import checkins, events
from ejan.disaster.models import SafetyCheckIn
from ejan.errors import Forbidden, Invalid
from ejan.extensions import db
from ejan.members.models import Block

from helpers_disaster import start
from support import at_the_same_moment, html_of, keitai_login

VISIBILITIES = ("friends", "communities", "staff")
# viewer -> what they see of a check-in with each visibility
EXPECTED = {
    "self":             {"friends": True, "communities": True, "staff": True},
    "friend":           {"friends": True, "communities": True, "staff": False},
    "community_member": {"friends": False, "communities": True, "staff": False},
    "stranger":         {"friends": False, "communities": False, "staff": False},
    "blocked_friend":   {"friends": False, "communities": False, "staff": False},
    "logged_out":       {"friends": False, "communities": False, "staff": False},
    "admin":            {"friends": True, "communities": True, "staff": True},
}


@pytest.fixture
def people(make_member, befriend):
    admin = make_member("防災課", role="admin")
    poster = make_member("佐藤", district="大東")
    friend, neighbour, stranger, blocked = (make_member("鈴木"), make_member("田中"), make_member("他人"),
                                            make_member("元友"))
    befriend(poster, friend)
    befriend(poster, blocked)
    db.session.add(Block(blocker_id=poster.id, blocked_id=blocked.id))
    db.session.commit()
    community = directory.create_community(poster, name="大東の防災", category="地域", description="防災")
    membership.join(neighbour, community.id)
    event = start(admin)
    return {"self": poster, "friend": friend, "community_member": neighbour, "stranger": stranger, "community": community,
            "blocked_friend": blocked, "logged_out": AnonymousUserMixin(), "admin": admin, "event": event}


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("viewer", list(EXPECTED))
def test_who_sees_a_checkin(people, viewer, visibility):
    event, poster = people["event"], people["self"]
    checkin = checkins.check_in(poster, event, status="shelter", comment="公民館にいます", visibility=visibility)
    who = people[viewer]
    assert checkins.can_see(who, checkin) is EXPECTED[viewer][visibility]
    listed = db.session.query(SafetyCheckIn).filter(checkins.visible_to(who)).all()
    assert (checkin in listed) is EXPECTED[viewer][visibility]


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_the_friend_line_counts_a_check_in_exactly_where_its_friends_may_see_it(people, visibility):
    """The counts come from what each process keeps of the city (checkins.for_screen), the rule from can_see:
    they must agree for every viewer; and a friend suspended meanwhile leaves the line once those seconds pass."""
    from ejan import caching
    from ejan.members import access
    from ejan.members import services as member_services

    event, poster = people["event"], people["self"]
    checkin = checkins.check_in(poster, event, status="home", visibility=visibility)
    for name in ("friend", "blocked_friend", "community_member", "stranger", "admin"):
        viewer = people[name]
        counts = checkins.friend_counts(viewer, event.id)
        expected = access.is_friend(viewer.id, poster.id) and checkins.can_see(viewer, checkin)
        assert (counts.get("home") == 1) is expected, (name, counts)
        assert counts == checkins.for_screen(viewer.id, event.id)["friend_counts"]
    before = checkins.friend_counts(people["friend"], event.id)
    assert member_services.suspend(people["admin"], poster, "通報による停止")
    caching.forget_held()
    after = checkins.friend_counts(people["friend"], event.id)
    assert sum(after.values()) == sum(before.values()) - 1 and "home" not in after


def test_friend_counts_show_statuses_and_the_unchecked(people, make_member, befriend):
    event, viewer = people["event"], people["friend"]
    others = [make_member() for _ in range(4)]
    for other in others:
        befriend(viewer, other)
    checkins.check_in(people["self"], event, status="safe")
    checkins.check_in(others[0], event, status="safe", visibility="communities")
    checkins.check_in(others[1], event, status="rescue")
    checkins.check_in(others[2], event, status="shelter", visibility="staff")  # hidden from friends: unchecked
    checkins.check_in(others[0], event, status="injured", person="祖母")  # a proxy does not count as the friend
    assert checkins.friend_counts(viewer, event.id) == {"safe": 2, "rescue": 1, "unchecked": 2}
    assert checkins.friend_counts(AnonymousUserMixin(), event.id) == {}


@pytest.mark.parametrize("viewer", list(EXPECTED))
def test_a_suspended_posters_checkin_is_seen_by_staff_only_on_every_path(people, viewer):
    from ejan.members import services as member_services

    event, poster = people["event"], people["self"]
    checkin = checkins.check_in(poster, event, status="safe", visibility="communities")
    assert member_services.suspend(people["admin"], poster, "通報による停止")
    db.session.expire_all()
    who = people[viewer]
    expected = viewer in ("admin", "self") and who.status == "active"
    assert checkins.can_see(who, checkin) is expected
    listed = db.session.query(SafetyCheckIn).filter(checkins.visible_to(who)).all()
    assert (checkin in listed) is expected


# viewer -> the poster's check-in counted on their community line, by the poster's visibility
COMMUNITY_LINE = {
    "self": set(), "friend": set(), "community_member": {"communities"}, "stranger": set(),
    "blocked_friend": set(), "logged_out": set(), "admin": set(),
}


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("viewer", list(COMMUNITY_LINE))
def test_community_counts_hold_what_a_member_shared_with_their_communities(people, viewer, visibility):
    event, poster = people["event"], people["self"]
    membership.join(people["blocked_friend"], people["community"].id)
    checkins.check_in(poster, event, status="shelter", visibility=visibility)
    expected = {"shelter": 1} if visibility in COMMUNITY_LINE[viewer] else {}
    assert checkins.community_counts(people[viewer], event.id) == expected


def test_a_friend_in_the_same_community_is_counted_once_on_the_friends_line(people, browser, keitai):
    event, poster, friend = people["event"], people["self"], people["friend"]
    membership.join(friend, people["community"].id)
    checkins.check_in(poster, event, status="safe", visibility="communities")
    assert checkins.friend_counts(friend, event.id) == {"safe": 1}
    assert checkins.community_counts(friend, event.id) == {}
    page = html_of(browser(people["community_member"]).get("/"))
    assert "コミュニティ: 無事 1" in page
    phone = keitai("au")
    keitai_login(phone, people["community_member"])
    assert "コミュニティ: 無事 1" in html_of(phone.get("/"))


def test_a_communitys_check_ins_are_read_once_for_all_its_members(people, make_member, app):
    from support import count_queries

    event, poster, community = people["event"], people["self"], people["community"]
    second = directory.create_community(poster, name="大東の消防団", category="地域", description="消防")
    readers = [people["community_member"], make_member("近所の人"), make_member("三つ目の人")]
    for reader in readers[1:]:
        membership.join(reader, community.id)
        membership.join(reader, second.id)
    checkins.check_in(poster, event, status="rescue", visibility="communities")
    [reader.status for reader in readers]  # loaded again before counting: the check-in's commit expired them
    event_id = event.id
    with count_queries(db.engine) as first:
        assert checkins.community_counts(readers[1], event_id) == {"rescue": 1}  # in two of their communities: once
    with count_queries(db.engine) as then:
        assert checkins.community_counts(readers[2], event_id) == {"rescue": 1}
        assert checkins.community_counts(readers[0], event_id) == {"rescue": 1}
    # The first reader's circle and the city's lists (who told their friends, their communities, who is not
    # active); then each reader's own circle only: the lists are shared.
    assert first.count == 4 and then.count == 2, (first.statements, then.statements)
    checkins.check_in(readers[2], event, status="safe", visibility="communities")  # within the kept seconds...
    assert checkins.community_counts(readers[1], event.id) == {"rescue": 1}
    from ejan import caching
    caching.forget_held()  # ... which have passed
    assert checkins.community_counts(readers[1], event.id) == {"rescue": 1, "safe": 1}
    assert checkins.community_counts(readers[2], event.id) == {"rescue": 1}  # never themselves


def test_the_screen_says_the_counts(people, browser):
    event = people["event"]
    checkins.check_in(people["self"], event, status="safe")
    page = html_of(browser(people["friend"]).get("/"))
    assert "マイフレンド: 無事 1" in page


def test_admins_see_counts_by_district_and_who_needs_rescue(people, browser):
    event = people["event"]
    checkins.check_in(people["self"], event, status="rescue", comment="1階が浸水", visibility="friends")
    checkins.check_in(people["friend"], event, status="safe")
    counts = checkins.district_counts(people["admin"], event)
    assert counts["大東"] == {"rescue": 1} and counts[None] == {"safe": 1}
    page = html_of(browser(people["admin"]).get("/disaster/admin/safety"))
    assert "1階が浸水" in page and "大東" in page
    with pytest.raises(Forbidden):
        checkins.district_counts(people["friend"], event)
    assert browser(people["friend"]).get("/disaster/admin/safety").status_code == 403


def test_a_member_checks_in_a_family_member_and_search_finds_what_the_searcher_may_see(people, browser):
    event, poster = people["event"], people["self"]
    checkins.check_in(poster, event, status="home", person="佐藤ハナ")
    checkins.check_in(poster, event, status="safe", visibility="staff")
    found = checkins.search(people["friend"], event, "ハナ", 1, 10).items
    assert [c.person for c in found] == ["佐藤ハナ"]
    assert checkins.search(people["stranger"], event, "ハナ", 1, 10).items == []
    assert checkins.search(people["friend"], event, "佐藤", 1, 10).items == found  # own is staff-only
    assert len(checkins.search(people["admin"], event, "佐藤", 1, 10).items) == 2
    page = html_of(browser(people["friend"]).get("/disaster/search?q=ハナ"))
    assert "佐藤ハナ" in page and "自宅にいます" in page


def test_checkin_form_validation_keeps_what_was_typed(people, browser):
    client = browser(people["self"])
    response = client.post("/disaster/checkin", data={"status": "safe", "comment": "あ" * 101,
                                                       "visibility": "friends", "person": ""})
    page = html_of(response)
    assert response.status_code == 200 and "100文字以内" in page and "あ" * 101 in page
    response = client.post("/disaster/checkin", data={"status": "shelter", "comment": "元気です",
                                                       "visibility": "friends", "person": "", "shelter_id": ""})
    assert response.status_code == 302
    assert db.session.query(SafetyCheckIn).one().status == "shelter"


def test_checking_in_again_updates_and_two_taps_at_once_make_one(people, app, monkeypatch):
    event, poster = people["event"], people["self"]
    checkins.check_in(poster, event, status="safe")
    checkins.check_in(poster, event, status="home")
    assert db.session.query(SafetyCheckIn).count() == 1
    db.session.query(SafetyCheckIn).delete()
    db.session.commit()
    from ejan.disaster.models import DisasterEvent
    from ejan.members.models import Member
    ids = (poster.id, event.id)

    def work():
        return checkins.check_in(db.session.get(Member, ids[0]), db.session.get(DisasterEvent, ids[1]),
                                 status="safe").id

    results, _ = at_the_same_moment(app, monkeypatch, checkins, "_check", work)
    assert db.session.query(SafetyCheckIn).count() == 1 and len(set(results)) == 1


def test_checkins_are_deleted_after_the_retention_time_and_reports_stay(people, app):
    from ejan.disaster import reports
    event, poster, admin = people["event"], people["self"], people["admin"]
    checkins.check_in(poster, event, status="safe")
    reports.create_report(poster, event, category="road", body="通行止め", district="大東")
    events.end_event(admin, event)
    assert checkins.purge_expired() == 0  # kept for EJAN_DISASTER_CHECKIN_DAYS
    later = utcnow() + timedelta(days=app.config["EJAN_DISASTER_CHECKIN_DAYS"] + 1)
    assert checkins.purge_expired(later) == 1
    assert reports.reports_of(admin, event).items


def test_no_checkin_after_the_event_ended(people):
    event = people["event"]
    events.end_event(people["admin"], event)
    with pytest.raises(Invalid):
        checkins.check_in(people["self"], event, status="safe")


def test_the_purge_command_runs(app):
    result = app.test_cli_runner().invoke(args=["ejan", "disaster-purge"])
    assert result.exit_code == 0 and "0 safety check-ins deleted" in result.output
