"""The pieces of bench/run.py that need no gunicorn: the phone it poses as, the table it prints, the crowd of
members it logs in and the wrk script that takes turns over them."""
from __future__ import annotations

import hashlib
import re
import shutil
import sys
import threading
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

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


def test_the_crowd_script_lists_every_members_cookie_once_after_the_figures():
    cookies = [f"ejan_session=token{i}" for i in range(3)]
    script = run.crowd_script(cookies, threads=2)
    assert script.startswith(run.WRK_SCRIPT)  # the figures line run_wrk reads
    assert re.findall(r'^"(ejan_session=token\d)",?$', script, re.M) == cookies
    assert "local threads, started = 2, 0" in script


def test_the_crowd_warms_up_on_a_tenth_and_is_measured_on_the_others():
    cookies = [f"ejan_session=m{i}" for i in range(30)]
    warm, measured = run.crowd_split(cookies)
    assert warm == cookies[:3] and measured == cookies[3:]
    assert run.crowd_split(cookies[:2]) == (cookies[:2], cookies[:2])  # too few to split: a toy's figures


class _RecordCookies(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like gunicorn for wrk
    seen: list[str] = []

    def do_GET(self):
        self.seen.append(self.headers["Cookie"])
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def _crowd_under_wrk(tmp_path, cookies: list[str]) -> tuple[dict, list[str]]:
    """wrk's figures and the Cookie header of every request it sent for 1 s with the crowd's script."""
    script = tmp_path / "crowd.lua"
    script.write_text(run.crowd_script(cookies, run.wrk_threads(2)))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordCookies)
    _RecordCookies.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        figures = run.run_wrk(shutil.which("wrk"), server.server_address[1], "/", "pytest", "ejan_session=given",
                              1, 2, str(script))
    finally:
        server.shutdown()
        server.server_close()
    return figures, _RecordCookies.seen


needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (bench/run.py installs it)")


@needs_wrk
def test_under_wrk_each_thread_takes_its_turns_through_the_crowd(tmp_path):
    cookies = [f"ejan_session=m{i}" for i in range(10)]
    figures, seen = _crowd_under_wrk(tmp_path, cookies)
    assert figures["errors"] == 0 and len(seen) >= figures["requests"] >= 20
    assert set(seen) == set(cookies)  # the script's cookie replaces the one wrk was given
    # Thread 0 takes m0, m2, m4...; thread 1 m1, m3...: within a thread's turn every member comes up as often,
    # give or take the request the run stopped in.
    for parity in (0, 1):
        times = [seen.count(cookie) for cookie in cookies[parity::2]]
        assert max(times) - min(times) <= 2


@needs_wrk
def test_a_crowd_smaller_than_wrk_s_threads_gives_each_thread_a_member(tmp_path):
    figures, seen = _crowd_under_wrk(tmp_path, ["ejan_session=only"])
    assert figures["errors"] == 0 and len(seen) >= figures["requests"] > 0 and set(seen) == {"ejan_session=only"}


def _sessions(url: str) -> set[tuple[str, int]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = {tuple(row) for row in conn.execute(text("SELECT token_hash, member_id FROM web_sessions"))}
    engine.dispose()
    return rows


def test_the_crowd_is_logged_in_by_rows_made_for_it_and_forgotten_after(city_url, own_app):
    before = _sessions(city_url)
    crowd = run.make_crowd(city_url, "t", run.PC_UA, 4)
    try:
        made = _sessions(city_url) - before
        assert len(set(crowd)) == 4
        assert {token_hash for token_hash, _ in made} == {
            hashlib.sha256(cookie.split("=", 1)[1].encode()).hexdigest() for cookie in crowd}
        assert len({member_id for _, member_id in made}) == 4  # four members, one browser each
        client = run.bench_app(city_url, "t").test_client()
        client.environ_base["HTTP_USER_AGENT"] = run.PC_UA
        client.set_cookie(*crowd[-1].split("=", 1))
        assert client.get("/notifications").status_code == 200  # a copied session is a member's, not a stranger's
    finally:
        run.forget_crowd(city_url, crowd)
    assert _sessions(city_url) == before


def test_the_crowd_row_is_driven_unless_turned_off_and_shown_with_its_cost():
    assert [page.device for page, _ in run.disaster_jobs(None, run.CROWD)] == ["guest", "pc", "keitai", "crowd"]
    assert [page.device for page, _ in run.disaster_jobs(["/disaster/"], 0)] == ["guest", "pc", "keitai"]
    assert run.disaster_jobs(["/"], run.CROWD) == []
    assert run.DISASTER_AIMS["crowd"] == run.DISASTER_AIMS["pc"]
    crowd_page = run.disaster_jobs(None, run.CROWD)[-1][0]
    hello = {"name": "hello", "device": "pc", "path": "/hello/", "rps": 1000.0, "p50_ms": 1.0, "p95_ms": 2.0,
             "sql": None, "bytes": 5}
    row = {**asdict(crowd_page), "rps": 250.0, "p50_ms": 12.0, "p95_ms": 30.0, "sql": 5, "bytes": 4000}
    assert run.table([row], hello).splitlines()[3] == (
        "| disaster screen, logged in, many members | crowd | `/disaster/` | 250 | 12.0 | 30.0 | 5 | 4,000 | 4.0 |")
