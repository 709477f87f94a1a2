"""A broadcast through Redis and real Celery worker processes into a real SMTP server (aiosmtpd):
every member exactly once, also when the server refuses mail for a while, and when a worker is
killed (SIGKILL) in the middle and another one starts.

Runs where EJAN_TEST_BROKER_URL is set (lane 2 of .ci/run); the workers are separate processes
(`celery -A ejan.celery_worker worker`) reading the test database.
"""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, insert, select

from ejan.extensions import celery, db
from ejan.members.models import Member
from ejan.notify.api import Audience, notify
from ejan.notify.models import Delivery

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.mail_workers import start_sink, start_worker, stop_worker  # noqa: E402
from support import wait_until  # noqa: E402

BROKER = os.environ.get("EJAN_TEST_BROKER_URL")
pytestmark = pytest.mark.skipif(not BROKER, reason="EJAN_TEST_BROKER_URL not set: Celery runs eagerly")

MEMBERS = 2000
BATCH = 200
MARK_EVERY = 50
PAYLOAD = {"subject": "避難所の開設", "link": "/", "texts": {"ja": {"title": "避難所を開設しました", "body": "大東公民館"}}}


@pytest.fixture
def city(app):
    rows = [dict(email=f"resident{n}@example.jp", password_hash="-", stored_nickname=f"住民{n}", intro="", role="member",
                 status="active") for n in range(MEMBERS)]
    db.session.execute(insert(Member), rows)
    db.session.commit()
    return {row["email"] for row in rows}


@pytest.fixture
def sink():
    controller, counting = start_sink()
    yield controller, counting
    controller.stop()


@pytest.fixture
def workers(app, sink, tmp_path):
    """Start worker processes on queues of our own; the app sends to them instead of running eagerly."""
    controller, _counting = sink
    queues = {"EJAN_MAIL_QUEUE": f"ejan-test-mail-{uuid.uuid4().hex[:8]}",
              "EJAN_DISASTER_QUEUE": f"ejan-test-disaster-{uuid.uuid4().hex[:8]}"}
    env = {
        "EJAN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "EJAN_BROKER_URL": BROKER,
        "EJAN_SECRET_KEY": app.config["SECRET_KEY"], "EJAN_BASE_URL": app.config["EJAN_BASE_URL"],
        "EJAN_SMTP_HOST": controller.hostname, "EJAN_SMTP_PORT": str(controller.port),
        "EJAN_NOTIFY_BATCH": str(BATCH), "EJAN_MAIL_MARK_EVERY": str(MARK_EVERY),
        # Short enough for a test: a dead worker's task returns after 4 s, its claimed rows after 3 s.
        "EJAN_BROKER_VISIBILITY_SECONDS": "4", "EJAN_BROKER_RESTORE_SECONDS": "1", "EJAN_MAIL_CLAIM_SECONDS": "3",
        "EJAN_MAIL_RETRY_BASE_SECONDS": "1", "EJAN_MAIL_RETRY_MAX_SECONDS": "3", **queues,
    }
    saved_config = {key: app.config[key] for key in queues}
    saved_eager = celery.conf.task_always_eager
    app.config.update(queues)
    celery.conf.task_always_eager = False
    started = []
    logs = tmp_path

    def start(name: str):
        log = open(logs / f"{name}.log", "wb")
        process = start_worker(env, list(queues.values()), name, log=log, loglevel="INFO")
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            stop_worker(process)
        celery.conf.task_always_eager = saved_eager
        # Publishing built Celery's routing (default queue included) from the settings of this moment;
        # let the next test that changes task_default_queue (tests/test_celery_worker.py) be heard.
        celery.__dict__.pop("amqp", None)
        app.config.update(saved_config)
        broker = redis.Redis.from_url(BROKER)
        for queue in queues.values():
            broker.delete(queue, f"_kombu.binding.{queue}")
        broker.close()
        for path in logs.glob("*.log"):  # shown when the test fails (pytest prints a failed test's output)
            text = path.read_text(errors="replace")
            print(f"--- {path.name}\n{text[-4000:]}")


def _all_sent() -> bool:
    db.session.rollback()  # see the workers' commits
    left = db.session.scalar(select(func.count(Delivery.id)).where(
        Delivery.channel == "pc", Delivery.status.in_(("queued", "sending"))))
    total = db.session.scalar(select(func.count(Delivery.id)).where(Delivery.channel == "pc"))
    return total == MEMBERS and left == 0


def _state(counting) -> str:
    """What a failed wait saw: the sink, the broadcasts, the delivery rows and the broker's queues."""
    from ejan.notify.models import Broadcast

    db.session.rollback()
    broadcasts = [(b.id, b.kind, b.queue, b.batches) for b in db.session.scalars(select(Broadcast))]
    rows = dict(db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
    broker = redis.Redis.from_url(BROKER)
    try:
        queues = {key.decode(): broker.llen(key) for key in broker.keys("ejan-test-*") if broker.type(key) == b"list"}
    finally:
        broker.close()
    return (f"{counting.recipients()} of {MEMBERS} reached, {counting.accepted} accepted; broadcasts {broadcasts}; "
            f"deliveries {rows}; queued messages {queues}; eager={celery.conf.task_always_eager} "
            f"broker={celery.conf.broker_url}")


def test_a_broadcast_to_2000_members_sends_exactly_one_mail_each(city, sink, workers):
    _controller, counting = sink
    workers("w1")
    workers("w2")
    notify(Audience(everyone=True), "official_notice", PAYLOAD)

    assert wait_until(lambda: counting.recipients() == MEMBERS and _all_sent(), 180), _state(counting)
    assert set(counting.by_recipient) == city
    assert counting.duplicates() == {}
    assert counting.accepted == MEMBERS


def test_a_mail_server_refusing_for_a_while_still_ends_with_one_mail_each(city, sink, workers):
    _controller, counting = sink
    counting.refuse(count=25)  # 451 to the first 25 mails tried: batches back off and try again
    workers("w1")
    notify(Audience(everyone=True), "disaster_broadcast", PAYLOAD)

    assert wait_until(lambda: counting.recipients() == MEMBERS and _all_sent(), 240), _state(counting)
    assert counting.refused > 0
    assert counting.duplicates() == {}
    assert set(counting.by_recipient) == city


def test_a_worker_killed_mid_broadcast_and_restarted_reaches_everyone(city, sink, workers):
    _controller, counting = sink
    first = workers("w1")
    notify(Audience(everyone=True), "disaster_broadcast", PAYLOAD)
    assert wait_until(lambda: counting.accepted >= 400, 120), "the first worker never got going: " + _state(counting)
    stop_worker(first, kill=True)  # SIGKILL: no warm shutdown, its claimed rows and task stay in flight
    at_kill = counting.accepted
    workers("w2")

    assert wait_until(lambda: counting.recipients() == MEMBERS and _all_sent(), 240), _state(counting)
    twice = counting.duplicates()
    print(f"\nkilled after {at_kill} mails; {len(twice)} members mailed twice (those in flight)")
    assert set(counting.by_recipient) == city
    # Only what was in flight at the kill: at most one group of one batch, each resent with its Message-ID.
    assert len(twice) <= MARK_EVERY
    assert all(len(ids) == 2 and ids[0] == ids[1] for ids in twice.values())
    assert counting.accepted == MEMBERS + len(twice)
