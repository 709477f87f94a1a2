"""Test helpers that are not fixtures: real phone User-Agents and a SQL statement counter."""
from __future__ import annotations

import csv
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
KEITAI_CSV = SHARED_DATA / "keitai_ua_2007.csv"

# Used only when ../shared/data is missing (a clone without it); copied from that file's rows.
FALLBACK = {
    "docomo_nocookie": "DoCoMo/2.0 N905i",
    "au": "KDDI-CA31 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0",
    "softbank3g": "SoftBank/1.0/910SH/SHJ001 Browser/NetFront/3.4 Profile/MIDP-2.0 Configuration/CLDC-1.1",
    "jphone": "J-PHONE/4.3/V602SH/SNJSHA3029293 SH/0007aa Profile/MIDP-1.0 Configuration/CLDC-1.0 Ext-Profile/JSCL-1.3.2",
}

PC_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")


@lru_cache
def phone_rows() -> list[dict]:
    if not KEITAI_CSV.exists():
        return []
    with KEITAI_CSV.open(encoding="utf-8", newline="") as f:
        lines = f.read().splitlines()[1:]  # line 1 is the list's title
    return list(csv.DictReader(lines))


def phone_ua(kind: str) -> str:
    """A real 2007 User-Agent of the kind asked for, from the reference list."""
    def pick(pred):
        for row in phone_rows():
            ua = row["ユーザエージェント"]
            if pred(row, ua):
                return ua
        return FALLBACK[kind]

    if kind == "docomo_nocookie":  # i-mode browser 1.0: no cookies, Shift_JIS
        return pick(lambda r, ua: ua.startswith("DoCoMo/2.0") and r["クッキー"] == "0")
    if kind == "au":
        return pick(lambda r, ua: ua.startswith("KDDI-") and r["クッキー"] == "1")
    if kind == "softbank3g":
        return pick(lambda r, ua: ua.startswith("SoftBank/"))
    if kind == "jphone":
        return pick(lambda r, ua: ua.startswith("J-PHONE/4"))
    raise KeyError(kind)


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(engine):
    counter = QueryCounter()

    def before(conn, cursor, statement, params, context, executemany):
        counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)
