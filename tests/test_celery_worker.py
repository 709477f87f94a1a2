"""With EJAN_TEST_BROKER_URL set, mail goes through Redis to a real Celery worker and on to SMTP."""
from __future__ import annotations

import os
import uuid

import pytest
import redis

from ejan.extensions import celery

from support import wait_until

BROKER = os.environ.get("EJAN_TEST_BROKER_URL")
pytestmark = pytest.mark.skipif(not BROKER, reason="EJAN_TEST_BROKER_URL not set: Celery runs eagerly")


@pytest.fixture
def worker(app):
    from celery.contrib.testing.worker import start_worker

    queue = f"ejan-test-{uuid.uuid4().hex[:8]}"  # our own queue: a stray worker elsewhere cannot take our tasks
    saved = {key: celery.conf[key] for key in ("task_always_eager", "task_default_queue")}
    celery.conf.update(task_always_eager=False, task_default_queue=queue)
    # Celery builds its routing (the default queue among it) once, at the first publish of the process:
    # forget it, so this queue is heard whatever earlier tests published.
    celery.__dict__.pop("amqp", None)
    try:
        with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
            yield
    finally:
        celery.conf.update(saved)
        celery.__dict__.pop("amqp", None)
        broker = redis.Redis.from_url(BROKER)
        broker.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        broker.close()


def test_invitation_mail_travels_through_redis_and_a_worker(worker, client, make_member, login, mailbox):
    sato = make_member("佐藤")
    login(client, sato)
    response = client.post("/invitations", data={"email": "neighbour@example.jp", "message": "お茶会の写真を見てね"})
    assert response.status_code == 302
    # The request returned before delivery: the worker, not the web process, sends it.
    assert wait_until(lambda: mailbox.to("neighbour@example.jp")), "the worker never delivered the invitation"
    body = mailbox.text_of(mailbox.to("neighbour@example.jp")[0])
    assert "お茶会の写真を見てね" in body and "http://ejan.test/join/" in body
