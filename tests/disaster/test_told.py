"""What each process keeps of the city's check-ins (ejan/disaster/told.py): read whole, then brought up to
date from the check-ins changed since, and read whole again every WHOLE_SECONDS."""
import math
from datetime import datetime

import pytest

from ejan.communities import directory, membership
from ejan.disaster import checkins, told
from ejan.disaster.told import Told, with_changes
from ejan.extensions import db

from helpers_disaster import start
from support import count_queries

EARLIER, LATER = datetime(2026, 12, 2, 9, 0), datetime(2026, 12, 2, 9, 0, 5)


def _told():
    """Member 1 told friends; member 2 told communities 10 and 11; member 3 community 10."""
    return Told({1: "safe", 2: "home", 3: "rescue"}, {10: {2: "home", 3: "rescue"}, 11: {2: "home"}},
                {2: [10, 11], 3: [10]}, EARLIER, 100.0, {})


def test_no_change_moves_only_the_moment():
    old = _told()
    new = with_changes(old, [], LATER)
    assert new.since == LATER and new.friends is old.friends and new.communities is old.communities


def test_a_new_check_in_for_friends_and_one_for_communities():
    old = _told()
    new = with_changes(old, [(4, "safe", "friends", None), (5, "injured", "communities", 11)], LATER)
    assert new.friends == {1: "safe", 2: "home", 3: "rescue", 4: "safe", 5: "injured"}
    assert new.communities == {10: {2: "home", 3: "rescue"}, 11: {2: "home", 5: "injured"}}
    assert new.joined[5] == [11] and 4 not in new.joined
    assert new.since == LATER and new.whole_at == old.whole_at


def test_telling_fewer_people_leaves_the_lists_they_no_longer_tell():
    old = _told()
    new = with_changes(old, [(2, "shelter", "friends", None), (3, "rescue", "staff", None)], LATER)
    assert new.friends == {1: "safe", 2: "shelter"}
    assert new.communities == {10: {}, 11: {}} and new.joined == {}


def test_a_member_in_two_communities_comes_in_both_and_a_status_changes_everywhere():
    new = with_changes(_told(), [(3, "safe", "communities", 10), (3, "safe", "communities", 11)], LATER)
    assert new.friends[3] == "safe" and new.communities[10][3] == "safe" and new.communities[11][3] == "safe"
    assert new.joined[3] == [10, 11]


def test_the_lists_a_request_holds_never_change_under_it():
    old = _told()
    friends, communities = dict(old.friends), {key: dict(value) for key, value in old.communities.items()}
    with_changes(old, [(2, "rescue", "staff", None), (6, "safe", "communities", 10)], LATER)
    assert old.friends == friends and old.communities == communities


def _nonzero(found):
    return {status: count for status, count in found.items() if count}  # a negative count would show


def test_co_members_counts_each_once_and_leaves_out_whom_it_is_told():
    city = Told({}, {10: {1: "safe", 2: "home", 3: "rescue", 4: "safe"}, 11: {2: "home", 5: "safe"},
                     12: {5: "safe", 6: "injured"}}, {}, EARLIER, 100.0, {})
    assert _nonzero(city.co_members([10, 11, 12], [], frozenset())) == {"safe": 3, "home": 1, "rescue": 1,
                                                                        "injured": 1}
    assert _nonzero(city.co_members([11, 12, 11], [5, 9], frozenset())) == {"home": 1, "injured": 1}
    assert _nonzero(city.co_members([10, 12], [1, 6], frozenset({3, 6}))) == {"safe": 2, "home": 1}
    assert _nonzero(city.co_members([], [1], frozenset())) == {} == _nonzero(city.co_members([99], [], frozenset()))


def test_a_community_s_tally_is_counted_again_when_the_inactive_change():
    city = Told({}, {10: {1: "safe", 2: "home", 3: "rescue"}}, {}, EARLIER, 100.0, {})
    assert _nonzero(city.co_members([10], [], frozenset())) == {"safe": 1, "home": 1, "rescue": 1}
    assert _nonzero(city.co_members([10], [], frozenset({1}))) == {"home": 1, "rescue": 1}
    assert _nonzero(city.co_members([10], [], frozenset())) == {"safe": 1, "home": 1, "rescue": 1}


def test_changes_are_counted_from_lists_of_their_own():
    old = _told()
    assert _nonzero(old.co_members([10], [], frozenset())) == {"home": 1, "rescue": 1}
    new = with_changes(old, [(3, "safe", "communities", 10)], LATER)
    assert _nonzero(new.co_members([10], [], frozenset())) == {"home": 1, "safe": 1}
    assert _nonzero(old.co_members([10], [], frozenset())) == {"home": 1, "rescue": 1}


@pytest.fixture
def city(make_member, befriend):
    admin = make_member("防災課", role="admin")
    poster, friend, neighbour = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    befriend(poster, friend)
    community = directory.create_community(poster, name="大東の防災", category="地域", description="防災")
    membership.join(neighbour, community.id)
    return {"poster": poster, "friend": friend, "neighbour": neighbour, "event": start(admin)}


def test_held_lists_catch_up_from_the_changes_alone_then_are_read_whole_again(city, clock, counting):
    event_id, poster, friend, neighbour = city["event"].id, city["poster"], city["friend"], city["neighbour"]
    checkins.check_in(poster, city["event"], status="home", visibility="communities")
    assert checkins.friend_counts(friend, event_id) == {"home": 1}
    assert checkins.community_counts(neighbour, event_id) == {"home": 1}

    checkins.check_in(poster, city["event"], status="rescue", visibility="friends")  # told fewer people
    step = told.CITY_SECONDS + 1  # conftest's clock moved past the held seconds: one catch-up begins
    clock[0] += step
    assert checkins.friend_counts(friend, event_id) == {"home": 1}  # the held lists, while they catch up
    assert _reads(counting) == "changes"
    assert checkins.friend_counts(friend, event_id) == {"rescue": 1}
    assert checkins.community_counts(neighbour, event_id) == {}

    # Each later catch-up reads the changes, until WHOLE_SECONDS after the whole read: that one reads whole.
    catch_ups = math.ceil(told.WHOLE_SECONDS / step)
    kinds = []
    for _ in range(catch_ups - 1):
        clock[0] += step
        checkins.friend_counts(friend, event_id)
        kinds.append(_reads(counting))
    assert kinds == ["changes"] * (catch_ups - 2) + ["whole"]
    assert checkins.friend_counts(friend, event_id) == {"rescue": 1}


def _reads(counting) -> str | list:
    """Run the catch-up held() has begun: "changes" or "whole" by what it read of the check-ins."""
    with count_queries(db.engine) as refreshed:
        counting.run()
    read = [statement for statement in refreshed.statements if "safety_checkins" in statement]
    if len(read) == 1 and "updated_at >=" in read[0]:
        return "changes"
    if len(read) == 2 and not any("updated_at" in statement for statement in read):
        return "whole"  # who told their friends, who told their communities
    return read
