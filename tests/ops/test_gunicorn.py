"""gunicorn with the shipped deploy/gunicorn.conf.py: probes answer, readiness follows Redis, and no
log line (the app's, gunicorn's access log) holds a keitai's session id or a feed key."""
from __future__ import annotations

import json
import secrets
import shutil

import pytest

from ops_servers import RedisServer, app_env, get, gunicorn, wait_until
from support import phone_ua

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server (Debian's redis-server)")


@pytest.fixture
def database(app):
    return app.config["SQLALCHEMY_DATABASE_URI"]  # migrated by the app fixture; the servers share it


def test_healthz_answers_and_readyz_follows_redis(database, tmp_path):
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        with gunicorn(app_env(database, tmp_path, EJAN_BROKER_URL=redis.url), tmp_path) as (url, _, _):
            status, headers, body = get(url + "/healthz")
            assert status == 200 and json.loads(body) == {"status": "ok"}
            assert headers["Content-Type"].startswith("application/json")

            status, _, body = get(url + "/readyz")
            report = json.loads(body)
            assert status == 200, report
            assert report["checks"]["database"]["ok"] and report["checks"]["redis_broker"]["ok"]
            assert "worker_heartbeat_age_seconds" in report["facts"]  # reported, never failing
            assert redis.url not in body.decode() and "127.0.0.1" not in body.decode()  # no addresses

            redis.stop()
            status, _, body = get(url + "/readyz")
            assert status == 503
            report = json.loads(body)
            assert report["status"] == "unavailable" and not report["checks"]["redis_broker"]["ok"]
            assert report["checks"]["database"]["ok"]
            assert get(url + "/healthz")[0] == 200  # the process is still up

            redis.start()
            assert wait_until(lambda: get(url + "/readyz")[0] == 200, 10), "readyz did not recover with Redis"
    finally:
        redis.stop()


def test_keitai_session_id_and_feed_key_never_reach_a_log(database, tmp_path):
    session_id = secrets.token_urlsafe(32)
    feed_key = secrets.token_hex(16)
    invitation = secrets.token_urlsafe(24)
    docomo = {"User-Agent": phone_ua("docomo_nocookie")}
    with gunicorn(app_env(database, tmp_path), tmp_path, workers=1) as (url, access, errors):
        requests = [
            (f"/diary/everyone?page=2&ejs={session_id}", docomo),
            (f"/login?next=%2Fdiary%2Ffriends%3Fejs%3D{session_id}", docomo),
            (f"/members/1?%65js={session_id}", docomo),  # a percent-encoded name is the same parameter
            (f"/?ejs={session_id}", {**docomo, "Referer": f"http://ejan.test/diary?ejs={session_id}"}),
            (f"/diary/feed/{feed_key}.atom", {}),
            (f"/join/{invitation}", {}),
        ]
        for path, headers in requests:
            status = get(url + path, headers)[0]
            assert status < 500, path
    assert wait_until(lambda: access.exists() and access.read_text().count("\n") >= len(requests), 5)
    logs = {"access": access.read_text(), "errors": errors.read_text(), "app": (tmp_path / "app.log").read_text()}
    for name, text in logs.items():
        for secret in (session_id, feed_key, invitation):
            assert secret not in text, f"a credential reached the {name} log"
    # The lines are still there, one JSON object each, with what an operator needs.
    access_lines = [json.loads(line) for line in logs["access"].splitlines()]
    assert all(line["status"].isdigit() and line["ms"].isdigit() for line in access_lines)
    assert {"/diary/everyone", "/diary/feed/-", "/join/-"} <= {line["path"] for line in access_lines}
    assert any(line["query"] == "page=2&ejs=-" for line in access_lines)
    app_lines = [json.loads(line) for line in logs["app"].splitlines() if line.startswith("{")]
    requests_logged = [line for line in app_lines
                       if line.get("logger") == "ejan.request" and line["path"] != "/healthz"]  # the start-up probe
    assert len(requests_logged) == len(requests)
    assert {"method", "path", "status", "ms", "member", "endpoint"} <= set(requests_logged[0])
