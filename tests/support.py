"""Test helpers that are not fixtures: real phone User-Agents and a SQL statement counter."""
from __future__ import annotations

import csv
import os
import html as htmllib
import re
import threading
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event
from urllib.parse import parse_qs, urlencode, urlsplit

from ejan.extensions import db

PASSWORD = "tea-harvest-2026"  # every test member's password (conftest.make_member)
SESSION_PARAM = "ejs"

# ../shared/data beside the clone; a worktree (one level deeper) finds it further up.
SHARED_DATA = next((p / "shared" / "data" for p in Path(__file__).resolve().parents[1:4]
                    if (p / "shared" / "data").is_dir()), Path(__file__).resolve().parents[2] / "shared" / "data")
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

# Headless Chromium for tests/browser and tests/journeys. Debian's package puts it here;
# EJAN_TEST_CHROMIUM points elsewhere (or at nothing, to see the skip).
CHROMIUM = Path(os.environ.get("EJAN_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# The two screens every key page is checked on: a PC, and an iPhone 12-15 sized phone.
VIEWPORTS = {
    "pc": {"viewport": {"width": 1280, "height": 800}, "user_agent": PC_UA},
    "phone": {"viewport": {"width": 390, "height": 844}, "user_agent": IPHONE_UA,
              "device_scale_factor": 3, "is_mobile": True, "has_touch": True},
}


def chromium_missing() -> str | None:
    """Why the browser checks cannot run on this machine, or None when they can."""
    if not CHROMIUM.exists():
        return f"no {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


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
    """The statements run inside the block. Batched writes gathered so far (page views, footprints:
    ejan/batching.py) are written first, so a batch never lands inside a page being counted."""
    from ejan import batching

    batching.flush_all(engine)
    counter = QueryCounter()

    def before(conn, cursor, statement, params, context, executemany):
        counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)


# --- pages as a phone sees them ----------------------------------------------------------------------

def html_of(response) -> str:
    """The page text, decoded the way the phone decodes it (Shift_JIS or UTF-8)."""
    charset = response.mimetype_params.get("charset", "utf-8").lower()
    return response.data.decode("cp932" if charset == "shift_jis" else charset)


def links(page: str, contains: str = "") -> list[str]:
    return [htmllib.unescape(h) for h in re.findall(r'href="([^"]+)"', page) if contains in htmllib.unescape(h)]


def form_action(page: str, contains: str = "") -> str:
    for action in re.findall(r'<form[^>]*action="([^"]+)"', page):
        action = htmllib.unescape(action)
        if contains in action:
            return action
    raise AssertionError(f"no form with action containing {contains!r}")


def hidden_fields(page: str, action_contains: str) -> dict:
    """The hidden inputs of the first form whose action contains `action_contains`."""
    for form in re.findall(r"<form.*?</form>", page, flags=re.S):
        action = re.search(r'action="([^"]+)"', form)
        if action and action_contains in htmllib.unescape(action.group(1)):
            fields = {}
            for tag in re.findall(r"<input[^>]*>", form):
                attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
                if attrs.get("type") == "hidden" and "name" in attrs:
                    fields[attrs["name"]] = htmllib.unescape(attrs.get("value", ""))
            return fields
    raise AssertionError(f"no form with action containing {action_contains!r}")


def session_token(url: str) -> str | None:
    return parse_qs(urlsplit(url).query).get(SESSION_PARAM, [None])[0]


def sjis_post(client, url: str, fields: dict):
    """A form post as i-mode and EZweb send it: url-encoded Shift_JIS."""
    return client.post(url, data=urlencode(fields, encoding="cp932"),
                       content_type="application/x-www-form-urlencoded")


def keitai_login(client, member, password: str = PASSWORD) -> str:
    """Log a phone in the way the phone does it; returns the URL it lands on."""
    action = form_action(html_of(client.get("/login")), "/login")
    response = sjis_post(client, action, {"email": member.email, "password": password})
    assert response.status_code == 302, html_of(response)
    return response.headers["Location"]


# --- races ---------------------------------------------------------------------------------------------

def at_the_same_moment(app, monkeypatch, target, name: str, work, *, when=lambda result: True,
                       catch: tuple = ()) -> tuple[list, list]:
    """Run work() in two threads, each with its own app context and database session, that both get
    past `target.name` (the check) before either goes on to write.

    Returns (results, caught): exceptions of the types in `catch` are collected, any other fails the test."""
    barrier = threading.Barrier(2, timeout=10)
    original = getattr(target, name)
    met, waited = [], set()

    def then_wait(*args, **kwargs):
        result = original(*args, **kwargs)
        me = threading.get_ident()
        # Only the first matching call is the check: later ones (a notification's lookups) just run.
        if threading.current_thread() is not threading.main_thread() and me not in waited and when(result):
            waited.add(me)
            barrier.wait()  # BrokenBarrierError here means the race was not set up: the test fails
            met.append(True)
        return result

    monkeypatch.setattr(target, name, then_wait)
    results, caught, errors = [], [], []

    def run():
        try:
            with app.app_context():
                try:
                    results.append(work())
                finally:
                    db.session.remove()
        except catch as expected:
            caught.append(expected)
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    monkeypatch.setattr(target, name, original)
    assert not errors, errors
    assert len(met) == 2, "both must have passed the check before either wrote"
    return results, caught


# --- waiting for another process --------------------------------------------------------------------

def wait_until(predicate, seconds: float = 30.0, step: float = 0.05) -> bool:
    """Poll `predicate` until it holds; False once `seconds` have gone by without it.

    A limit on how long a test waits for a worker, a server or a mail to arrive before it gives up
    and fails with its own message; never a measure of speed (bench/ measures speed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
