"""「友達の友達 N人」 on the profile: members two steps away, each counted once,
never me and never someone who is already my friend."""
from __future__ import annotations

import pytest

from ejan.friends import services as friends
from ejan.members import services as members


@pytest.fixture
def town(make_member, befriend):
    """
        me ── b ── d ── g        me's friends: b, c
         │  ╲ │ ╲                b's friends: me, c, d, e
         └── c ── e              c's friends: me, b, e, f
              ╲                  d's friends: b, g   (g is three steps away)
               f
    Two steps from me: d, e (reached twice), f  →  3.   c is a friend; me is me.
    """
    people = {name: make_member(name) for name in ("me", "b", "c", "d", "e", "f", "g")}
    for x, y in [("me", "b"), ("me", "c"), ("b", "c"), ("b", "d"), ("b", "e"), ("c", "e"), ("c", "f"),
                 ("d", "g")]:
        befriend(people[x], people[y])
    return people


def test_friends_of_friends_counts_each_member_two_steps_away_once(town):
    assert friends.friends_of_friends_count(town["me"]) == 3


def test_friends_of_friends_from_other_points_of_view(town):
    # b knows me, c, d, e directly; two steps away: f (via c), g (via d).
    assert friends.friends_of_friends_count(town["b"]) == 2
    # g knows only d; two steps away: b.
    assert friends.friends_of_friends_count(town["g"]) == 1


def test_a_member_without_friends_has_no_friends_of_friends(make_member, town):
    assert friends.friends_of_friends_count(make_member("ひとり")) == 0


def test_becoming_friends_moves_someone_out_of_friends_of_friends(befriend, town):
    befriend(town["me"], town["e"])
    # e is a friend now; e brings nobody new (e knows b and c, both already my friends).
    assert friends.friends_of_friends_count(town["me"]) == 2


def test_suspended_members_do_not_count_as_friends_of_friends(make_member, befriend, town):
    admin = make_member("管理者", role="admin")
    members.suspend(admin, town["f"])  # two steps away, now hidden
    hidden_friend = make_member("停止された友達")
    befriend(town["me"], hidden_friend)
    befriend(hidden_friend, make_member("その友達"))  # reachable only through a hidden friend
    members.suspend(admin, hidden_friend)

    assert friends.friend_count(town["me"]) == 2
    assert friends.friends_of_friends_count(town["me"]) == 2  # d and e


def test_profile_shows_the_friends_of_friends_count(browser, town):
    client = browser(town["g"])

    page = client.get(f"/members/{town['me'].id}").get_data(as_text=True)

    assert "マイフレンド 2人 ・ 友達の友達 3人" in page
