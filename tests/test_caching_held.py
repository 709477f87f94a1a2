"""caching.held: a large value kept in the process, counted again in the background once its seconds pass."""
from __future__ import annotations

import threading

import pytest

from ejan import caching


@pytest.fixture
def clock(monkeypatch):
    moment = [1000.0]
    monkeypatch.setattr(caching, "now", lambda: moment[0])
    return moment


def _wait_for_counting():
    for thread in threading.enumerate():
        if thread.name.startswith("held:"):
            thread.join(5)


def test_kept_for_its_seconds_then_given_stale_while_counted_again(app, clock):
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
        _wait_for_counting()
        assert counted == [1, 2] and caching.held("city", 5, compute) == 2


def test_too_old_a_value_is_counted_before_answering(app, clock):
    values = iter([1, 2])
    with app.app_context():
        assert caching.held("city", 5, lambda: next(values)) == 1
        clock[0] += 5 * caching.STALE_AT_MOST + 1
        assert caching.held("city", 5, lambda: next(values)) == 2


def test_a_failing_count_keeps_the_old_value_and_logs(app, clock, caplog):
    def fail():
        raise RuntimeError("database away")

    with app.app_context():
        assert caching.held("city", 5, lambda: 1) == 1
        clock[0] += 6
        assert caching.held("city", 5, fail) == 1
        _wait_for_counting()
        assert "counting city again failed" in caplog.text
        assert caching.held("city", 5, lambda: 3) == 1  # counted again, in the background
        _wait_for_counting()
        assert caching.held("city", 5, lambda: 4) == 3


def test_a_count_begun_before_forgetting_does_not_come_back(app, clock):
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(5)
        return "old"

    with app.app_context():
        caching.held("city", 5, lambda: "first")
        clock[0] += 6
        caching.held("city", 5, slow)
        started.wait(5)
        caching.forget_held()
        release.set()
        _wait_for_counting()
        assert caching.held("city", 5, lambda: "fresh") == "fresh"
