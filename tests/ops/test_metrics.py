"""/metrics: Prometheus text, only for allowed addresses or the token; requests per endpoint, tasks,
queue lengths and the facts features declare."""
from __future__ import annotations

import os
import uuid

import pytest

from ejan.extensions import celery
from ejan.features import Fact
from ejan.ops import metrics


def scrape(client, **kwargs):
    return client.get("/metrics", **kwargs)


@pytest.mark.parametrize("remote, headers, token, allowed", [
    ("127.0.0.1", {}, None, True),
    ("203.0.113.9", {}, None, False),
    ("203.0.113.9", {"Authorization": "Bearer a-long-metrics-token"}, "a-long-metrics-token", True),
    ("203.0.113.9", {"Authorization": "Bearer wrong-token-wrong"}, "a-long-metrics-token", False),
    ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, None, False),  # through a proxy the app does not count
    ("10.0.0.7", {}, None, True),  # EJAN_METRICS_ALLOW below holds 10.0.0.0/24
])
def test_who_may_read_the_metrics(app, client, monkeypatch, remote, headers, token, allowed):
    monkeypatch.setitem(app.config, "EJAN_METRICS_TOKEN", token)
    monkeypatch.setitem(app.config, "EJAN_METRICS_ALLOW", "127.0.0.1/32,::1/128,10.0.0.0/24")
    response = scrape(client, headers=headers, environ_base={"REMOTE_ADDR": remote})
    assert response.status_code == (200 if allowed else 404)
    if allowed:
        assert response.mimetype == "text/plain"


def test_requests_are_counted_per_endpoint_with_latency(client, make_member):
    make_member()
    client.get("/login")
    client.get("/no/such/page/12345")
    text = scrape(client).get_data(as_text=True)
    assert 'ejan_http_requests_total{endpoint="members.login",method="GET",status="200"}' in text
    assert 'ejan_http_requests_total{endpoint="unmatched",method="GET",status="404"}' in text
    assert "/no/such/page" not in text  # a raw path never becomes a label
    assert 'ejan_http_request_duration_seconds_bucket{endpoint="members.login",le="0.5"}' in text


def test_facts_become_gauges(app, client, monkeypatch):
    facts = {
        **app.extensions["ejan.facts"],
        "disaster_active": Fact(lambda: True, "1 while a disaster event is in force"),
        "broadcast_deliveries": Fact(lambda: {"queued": 120, "sent": 880, "failed": 2}, "deliveries"),
        "worker_heartbeat_age_seconds": Fact(lambda: None, "unknown"),
    }
    monkeypatch.setitem(app.extensions, "ejan.facts", facts)
    text = scrape(client).get_data(as_text=True)
    assert "ejan_disaster_active 1.0" in text
    assert 'ejan_broadcast_deliveries{state="sent"} 880.0' in text
    assert "ejan_worker_heartbeat_age_seconds " not in text  # unknown: left out, not zero


def test_eager_tasks_are_counted(app, client):
    @celery.task(name=f"ejan.test.ops_count_{uuid.uuid4().hex[:6]}")
    def noop():
        return None

    with app.app_context():
        noop.delay()
        noop.delay()
    assert f'ejan_tasks_total{{state="SUCCESS",task="{noop.name}"}} 2.0' in scrape(client).get_data(as_text=True)


@pytest.mark.skipif(not os.environ.get("EJAN_TEST_BROKER_URL"), reason="EJAN_TEST_BROKER_URL not set")
def test_queue_lengths_and_task_counts_come_from_redis(app, client, monkeypatch):
    import redis

    url = os.environ["EJAN_TEST_BROKER_URL"]
    queue = f"ejan-test-{uuid.uuid4().hex[:6]}"
    monkeypatch.setitem(app.config, "CELERY", {**app.config["CELERY"], "task_always_eager": False, "broker_url": url})
    monkeypatch.setitem(app.config, "EJAN_METRICS_QUEUES", f"{queue},disaster")
    server = redis.Redis.from_url(url)
    try:
        server.rpush(queue, "a", "b", "c")
        server.rpush(f"{queue}{metrics.KOMBU_PRIORITY_SEP}6", "d")  # a priority list of the same queue
        metrics.count_task(app.config, "ejan.test.remote", "SUCCESS")  # as a worker on another machine would
        text = scrape(client).get_data(as_text=True)
        assert f'ejan_queue_length{{queue="{queue}"}} 4.0' in text
        assert 'ejan_tasks_total{state="SUCCESS",task="ejan.test.remote"}' in text
    finally:
        server.delete(queue, f"{queue}{metrics.KOMBU_PRIORITY_SEP}6")
        server.hdel(metrics.TASKS_KEY, "ejan.test.remote|SUCCESS")
        server.close()
