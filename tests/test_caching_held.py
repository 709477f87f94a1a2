"""caching.held: a large value kept in the process, counted again in the background once its seconds pass.

The background count runs when the test says (a thread stand-in that starts nothing until run), so no test
waits on the wall clock or on a real thread."""
from __future__ import annotations

from ejan import caching


def test_kept_for_its_seconds_then_given_stale_while_counted_again(app, clock, counting):
    counted = []

    def compute():
        counted.append(len(counted) + 1)
        return counted[-1]

    with app.app_context():
        assert caching.held("city", 5, compute) == 1
        clock[0] += 4
        assert caching.held("city", 5, compute) == 1 and counted == [1]
        clock[0] += 2  # run out: the old value now, the new one counted beside
        assert caching.held("city", 5, compute) == 1
        assert caching.held("city", 5, compute) == 1 and len(counting) == 1  # one count at a time
        counting.run()
        assert counted == [1, 2] and caching.held("city", 5, compute) == 2


def test_too_old_a_value_is_counted_before_answering(app, clock, counting):
    values = iter([1, 2])
    with app.app_context():
        assert caching.held("city", 5, lambda: next(values)) == 1
        clock[0] += 5 * caching.STALE_AT_MOST + 1
        assert caching.held("city", 5, lambda: next(values)) == 2 and not counting


def test_a_failing_count_keeps_the_old_value_and_logs(app, clock, counting, caplog):
    def fail():
        raise RuntimeError("database away")

    with app.app_context():
        assert caching.held("city", 5, lambda: 1) == 1
        clock[0] += 6
        assert caching.held("city", 5, fail) == 1
        counting.run()
        assert "counting city again failed" in caplog.text
        assert caching.held("city", 5, lambda: 3) == 1  # counted again, in the background
        counting.run()
        assert caching.held("city", 5, lambda: 4) == 3


def test_a_count_begun_before_forgetting_does_not_come_back(app, clock, counting):
    with app.app_context():
        caching.held("city", 5, lambda: "first")
        clock[0] += 6

        def forgotten_meanwhile():
            caching.forget_held()
            return "old"

        caching.held("city", 5, forgotten_meanwhile)
        counting.run()
        assert caching.held("city", 5, lambda: "fresh") == "fresh"


def test_with_update_the_background_count_brings_the_held_value_up_to_date(app, clock, counting):
    whole = iter([[1]])
    with app.app_context():
        assert caching.held("city", 5, lambda: next(whole), update=lambda old: old + [len(old) + 1]) == [1]
        clock[0] += 6
        assert caching.held("city", 5, lambda: next(whole), update=lambda old: old + [len(old) + 1]) == [1]
        counting.run()
        assert caching.held("city", 5, lambda: next(whole), update=lambda old: old + [len(old) + 1]) == [1, 2]
