"""Credentials in URLs (a keitai's session id, the tokens of feed, invitation and reset routes) never
reach a log line; the in-process half of the gunicorn and nginx log tests."""
from __future__ import annotations

import json
import logging
import re

import pytest

from ejan.ops import hooks, logs
from ejan.ops.scrub import scrub
from ops_servers import ROOT


@pytest.mark.parametrize("raw, clean", [
    ("/diary?ejs=abcDEF_-12&page=2", "/diary?ejs=-&page=2"),
    ("ejs=abc", "ejs=-"),
    ("/?page=1&EJS=abc;x=1", "/?page=1&EJS=-;x=1"),
    ("/login?next=%2Fdiary%3Fejs%3Dsecret%26page%3D2", "/login?next=%2Fdiary%3Fejs%3D-"),
    ("/x?next=%252Fd%253Fejs%253Dtok", "/x?next=%252Fd%253Fejs%253D-"),
    ("/x?%65js=tok", "/x?ejs=-"),
    ("/diary/feed/0123abcd.atom", "/diary/feed/-"),
    ("GET /join/TOKEN123?x=1 HTTP/1.1", "GET /join/-?x=1 HTTP/1.1"),
    ("http://e-jan.example/password/reset/abc", "http://e-jan.example/password/reset/-"),
    ("/communities/5/join", "/communities/5/join"),
    ("/?rejs=1&q=ejs", "/?rejs=1&q=ejs"),
])
def test_scrub(raw, clean):
    assert scrub(raw) == clean


def test_every_token_route_is_scrubbed_by_the_app_and_by_the_shipped_nginx_site(app):
    prefixes = hooks.token_route_prefixes(app)
    assert {"/diary/feed/", "/join/", "/password/reset/"} <= set(prefixes)
    site = (ROOT / "deploy" / "nginx" / "ejan.conf").read_text()
    nginx_routes = re.search(r"\(\?<ejan_secret_route>([^)]*)\)", site).group(1).split("|")
    for prefix in prefixes:
        assert scrub(f"{prefix}s3cr3t") == f"{prefix}-"
        assert prefix in nginx_routes, f"deploy/nginx/ejan.conf does not scrub {prefix}"
    assert app.config["EJAN_SESSION_PARAM"] == "ejs"  # the nginx maps spell it out


def test_a_keitai_session_in_the_url_stays_out_of_the_app_log(app, keitai, make_member, caplog):
    member = make_member()
    phone = keitai("docomo_nocookie")
    response = phone.post("/login", data={"email": member.email, "password": "tea-harvest-2026"})
    token = re.search(r"ejs=([\w-]+)", response.headers["Location"]).group(1)
    formatter = logs.JsonLines()
    with caplog.at_level(logging.INFO, logger="ejan.request"):
        assert phone.get(f"/diary/friends?ejs={token}").status_code == 200
    lines = [formatter.format(record) for record in caplog.records if record.name == "ejan.request"]
    assert lines and all(token not in line for line in lines)
    line = json.loads(lines[-1])
    assert line["path"] == "/diary/friends" and line["query"] == "ejs=-" and line["member"] == member.id


def test_the_filter_scrubs_what_other_libraries_log(caplog):
    record = logging.LogRecord("flask.app", logging.ERROR, __file__, 1, "Exception on %s [GET]",
                               ("/diary/feed/deadbeef.atom",), None)
    logs.ScrubFilter().filter(record)
    assert record.getMessage() == "Exception on /diary/feed/- [GET]"
    try:
        raise ValueError("bad link /x?ejs=SECRETTOKEN")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    logs.ScrubFilter().filter(record)
    formatted = logs.JsonLines().format(record)
    assert "SECRETTOKEN" not in formatted and "\n" not in formatted
