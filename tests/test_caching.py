"""Figures kept in the cache: shown a few minutes old, recounted when the cache does not answer."""
from ejan import caching
from ejan.extensions import cache
from ejan.friends import services as friends


def test_a_profile_shows_friends_of_friends_as_counted_a_moment_ago(make_member, befriend):
    me, friend, far = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    befriend(me, friend)
    assert friends.friends_of_friends_shown(me) == 0
    befriend(friend, far)
    assert friends.friends_of_friends_count(me) == 1  # the rule itself always counts afresh
    assert friends.friends_of_friends_shown(me) == 0  # the profile's figure is kept for a while
    caching.forget(f"fof:{me.id}")
    assert friends.friends_of_friends_shown(me) == 1


def test_a_cache_that_fails_costs_a_recount_not_an_error(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    calls = []
    assert caching.remembered("k", 60, lambda: calls.append(1) or 42) == 42
    assert caching.remembered("k", 60, lambda: calls.append(1) or 42) == 42
    assert len(calls) == 2


def test_a_kept_value_is_computed_once(app):
    calls = []
    for _ in range(3):
        assert caching.remembered("answer", 60, lambda: calls.append(1) or 7) == 7
    assert len(calls) == 1
