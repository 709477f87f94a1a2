"""More worker machines make a broadcast faster: two Celery worker processes on one Redis share one
disaster broadcast, and every member is mailed exactly once.

Needs a Redis broker (EJAN_TEST_BROKER_URL). It goes through the public contract only:
notify(Audience(everyone=True), "disaster_broadcast", …).
"""
from __future__ import annotations

import json
import os
import subprocess
from collections import Counter

import pytest

from ejan.extensions import celery
from ops_servers import BIN, ROOT, app_env, wait_until

BROKER = os.environ.get("EJAN_TEST_BROKER_URL")
MEMBERS = 600  # several batches of "a few hundred", so both workers get some
QUEUES = ("celery", "disaster")


pytestmark = [
    pytest.mark.skipif(not BROKER, reason="EJAN_TEST_BROKER_URL not set: no Redis for real workers"),
]


def _worker(name: str, env: dict, tmp_path):
    log = (tmp_path / f"{name}.log").open("wb")
    process = subprocess.Popen(
        [str(BIN / "celery"), "-A", "ejan.celery_worker", "worker", "--queues", ",".join(QUEUES),
         "--pool", "solo", "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle",
         "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, log


def _task_lines(path) -> list[dict]:
    lines = []
    for raw in path.read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            line = json.loads(raw)
            if line.get("logger") == "ejan.task":
                lines.append(line)
    return lines


def test_one_broadcast_split_across_two_workers_reaches_everyone_once(app, make_member, mailbox, smtp_server,
                                                                     tmp_path):
    import redis

    from ejan.notify.api import Audience, notify

    server = redis.Redis.from_url(BROKER)
    server.delete(*QUEUES)
    members = [make_member() for _ in range(MEMBERS)]
    env = app_env(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, EJAN_BROKER_URL=BROKER,
                  EJAN_SMTP_HOST=smtp_server.hostname, EJAN_SMTP_PORT=smtp_server.port)
    workers = [_worker(name, env, tmp_path) for name in ("ops-one", "ops-two")]
    saved = celery.conf.task_always_eager
    try:
        assert wait_until(lambda: all(b"ready." in (tmp_path / f"{n}.log").read_bytes() for n in ("ops-one", "ops-two")),
                          60), "the workers did not start"
        celery.conf.task_always_eager = False
        with app.app_context():
            notify(Audience(everyone=True), "disaster_broadcast", {
                "subject": "避難指示", "link": "/", "actor_id": None,
                "texts": {"ja": {"title": "避難指示", "body": "大東地区に避難指示が出ました。"}},
            })
        addresses = {m.email for m in members}
        assert wait_until(lambda: addresses <= {a for message in mailbox for a in message.envelope_to}, 180), \
            "not every member was reached"
        wait_until(lambda: False, 2)  # a late duplicate would arrive now
    finally:
        celery.conf.task_always_eager = saved
        for process, log in workers:
            process.terminate()
            process.wait(30)
            log.close()
        server.delete(*QUEUES)
        server.close()
    per_address = Counter(a for message in mailbox for a in message.envelope_to if a in addresses)
    assert set(per_address.values()) == {1}, "somebody was mailed twice"
    ran = {name: _task_lines(tmp_path / f"{name}.log") for name in ("ops-one", "ops-two")}
    for name, lines in ran.items():
        assert any(line["state"] == "SUCCESS" for line in lines), f"worker {name} took no part of the broadcast"
