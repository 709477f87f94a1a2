"""The decision, as a pure function of the telegram, the settings and what is stored for its EventID."""
from __future__ import annotations

import pytest

from ejan.intake import jma
from ejan.intake.decide import Active, Known, decide
from jma_samples import DRILL, IWATE, IWATE_CANCEL, OSAKA_2021, SAME_QUAKE_DETAIL, SHINDO_SOKUHO, data


def read(name):
    return jma.read(data(name))


def started_from(name, event_id=7, **state):
    return Known(latest=read(name).order_key, event_id=event_id, active=True, **state)


# What each sample does on a quiet site (nothing stored, nothing active).
@pytest.mark.parametrize("name, threshold, action, reason", [
    (SHINDO_SOKUHO, "5-", "started", "静岡県西部 intensity 6- reaches 5-"),
    (SAME_QUAKE_DETAIL, "5-", "started", "掛川市 intensity 5- reaches 5-"),
    (SAME_QUAKE_DETAIL, "5+", "ignored", "掛川市 intensity 5- below 5+"),
    (IWATE, "5-", "ignored", "掛川市 intensity 1 below 5-"),
    (IWATE, "1", "started", "掛川市 intensity 1 reaches 1"),
    (IWATE_CANCEL, "5-", "ignored", "取消: nothing was started for EventID 20080614084350"),
    (IWATE_CANCEL, "1", "ignored", "取消: nothing was started for EventID 20080614084350"),
    (OSAKA_2021, "1", "ignored", "掛川市 not listed (below 1)"),
    (DRILL, "5-", "ignored", "訓練 (drill) telegram; drills from telegrams are off"),
    (DRILL, "1", "ignored", "訓練 (drill) telegram; drills from telegrams are off"),
])
def test_each_sample_on_a_quiet_site(name, threshold, action, reason):
    decision = decide(read(name), threshold=threshold)
    assert (decision.action, decision.reason) == (action, reason)


def test_a_drill_telegram_starts_only_a_drill_and_only_when_drills_are_on():
    assert decide(read(DRILL), threshold="5-", drills=True).action == "ignored"  # 4 is below 5-
    decision = decide(read(DRILL), threshold="1", drills=True)
    assert (decision.action, decision.drill) == ("drill", True)
    assert decision.reason == "掛川市 intensity 4 reaches 1"


@pytest.mark.parametrize("threshold", ["5-", "1"])
def test_the_later_telegram_of_a_started_quake_updates_it(threshold):
    decision = decide(read(SAME_QUAKE_DETAIL), threshold=threshold, known=started_from(SHINDO_SOKUHO))
    assert decision.action == "updated"
    assert decision.reason == "event #7: 掛川市 intensity 5-"


def test_an_earlier_telegram_arriving_late_is_superseded():
    decision = decide(read(SHINDO_SOKUHO), known=started_from(SAME_QUAKE_DETAIL))
    assert decision.action == "ignored" and decision.reason.startswith("superseded")


def test_the_same_telegram_again_changes_nothing():
    assert decide(read(IWATE), threshold="1", known=started_from(IWATE)).action == "ignored"


def test_a_cancellation_calls_off_what_its_event_id_started_automatically():
    decision = decide(read(IWATE_CANCEL), threshold="1", known=started_from(IWATE))
    assert decision.action == "cancelled"
    assert decision.reason == "取消: automatic event #7 of EventID 20080614084350 called off"


def test_a_cancellation_leaves_an_event_an_admin_confirmed():
    decision = decide(read(IWATE_CANCEL), threshold="1", known=started_from(IWATE, confirmed=True))
    assert decision.action == "ignored" and "confirmed by an admin" in decision.reason


def test_a_cancellation_of_an_ended_event_is_ignored():
    known = Known(latest=read(IWATE).order_key, event_id=7, active=False)
    assert decide(read(IWATE_CANCEL), threshold="1", known=known).action == "ignored"


def test_a_test_telegram_is_ignored_whatever_it_says():
    telegram = jma.read(data(SAME_QUAKE_DETAIL).replace("<Status>通常".encode(), "<Status>試験".encode()))
    decision = decide(telegram, threshold="1", drills=True)
    assert (decision.action, decision.reason) == ("ignored", "試験 (test) telegram")


def test_a_quake_while_another_event_is_active_starts_nothing():
    decision = decide(read(SAME_QUAKE_DETAIL), active=Active(event_id=3, drill=False))
    assert decision.action == "ignored" and "event #3 is already active" in decision.reason
    during_a_drill = decide(read(SAME_QUAKE_DETAIL), active=Active(event_id=4, drill=True))
    assert during_a_drill.action == "ignored" and "drill #4 is already active" in during_a_drill.reason
    drill = decide(read(DRILL), threshold="1", drills=True, active=Active(event_id=3, drill=True))
    assert drill.action == "ignored"


def test_a_bad_threshold_setting_falls_back_to_5_lower():
    assert decide(read(SAME_QUAKE_DETAIL), threshold="five").action == "started"
    assert decide(read(IWATE), threshold="").action == "ignored"
