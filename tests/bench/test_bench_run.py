"""The pieces of bench/run.py that need no server: the phone it poses as, the table it prints."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import run  # noqa: E402
from ejan.mobile.detect import detect  # noqa: E402


def test_the_keitai_is_a_real_phone_that_keeps_cookies():
    device = detect(run.keitai_ua())
    assert device.is_keitai and device.cookies and device.carrier == "au"


def test_every_page_has_a_device_and_its_targets():
    assert {page.device for page in run.PAGES} == {"pc", "keitai"}
    for page in run.PAGES:
        page.path.format(**{name: 1 for name in run.TARGETS})  # no placeholder without a target


def test_the_table_gives_each_page_its_cost_in_hellos():
    hello = {"name": "hello", "device": "pc", "path": "/hello/", "rps": 1000.0, "p50_ms": 1.0, "p95_ms": 2.0,
             "sql": None, "bytes": 5}
    page = {"name": "home", "device": "pc", "path": "/", "rps": 50.0, "p50_ms": 20.0, "p95_ms": 40.0,
            "sql": 9, "bytes": 4321}
    lines = run.table([page], hello).splitlines()
    assert lines[2].endswith("| - | 5 | 1.0 |")
    assert lines[3] == "| home | pc | `/` | 50 | 20.0 | 40.0 | 9 | 4,321 | 20.0 |"


def test_the_fallback_keitai_is_the_listed_phones_own_user_agent():
    from support import phone_rows

    rows = [row for row in phone_rows() if row["機種名"] == run.KEITAI_MODEL]
    if rows:  # the list is beside the project: the fallback must be that row, not an invented phone
        assert rows[0]["ユーザエージェント"] == run.KEITAI_UA_FALLBACK
    assert detect(run.KEITAI_UA_FALLBACK).cookies
