"""Prometheus metrics at /metrics: requests and latency per endpoint, tasks, queues, feature facts.

Per-process figures (requests, latency) are prometheus_client counters and histograms. Under
gunicorn each worker is a process of its own: with PROMETHEUS_MULTIPROC_DIR set (deploy/ sets it,
an empty directory per start) prometheus_client writes them to files there and a scrape adds up all
workers (gunicorn.conf.py tells it when a worker died). Figures of the whole installation are read
when scraped: queue lengths from the Redis broker, task counts that workers on every machine add to
one Redis hash, and the facts features declare (`Feature.facts`).
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections import Counter as _Tally

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .connections import broker_redis_url, redis_client

log = logging.getLogger(__name__)
disable_created_metrics()  # no *_created series: twice the lines for a timestamp nobody graphs

PROCESS = CollectorRegistry(auto_describe=True)  # this process's own figures (single-process mode)
METHODS = {"GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"}
REQUESTS = Counter("ejan_http_requests", "HTTP requests answered, by endpoint, method and status",
                   ["endpoint", "method", "status"], registry=PROCESS)
LATENCY = Histogram("ejan_http_request_duration_seconds", "Time to answer a request, by endpoint", ["endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10), registry=PROCESS)

TASKS_KEY = "ejan:ops:tasks"  # Redis hash "task|state" -> count, shared by every worker
KOMBU_PRIORITY_SEP = "\x06\x16"  # kombu keeps a queue's priorities in lists named queue + sep + step
KOMBU_PRIORITY_STEPS = (3, 6, 9)
_local_tasks: _Tally = _Tally()  # no Redis broker: tasks run in this process, counted here


def observe_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    endpoint = endpoint or "unmatched"  # 404s share one series: the label never takes a raw path
    REQUESTS.labels(endpoint, method if method in METHODS else "other", str(status)).inc()
    LATENCY.labels(endpoint).observe(seconds)


def count_task(config, name: str, state: str) -> None:
    """One more task of this name ended in this state; a metric never fails a task."""
    url = broker_redis_url(config)
    if url is None:
        _local_tasks[(name, state)] += 1
        return
    try:
        redis_client(url).hincrby(TASKS_KEY, f"{name}|{state}", 1)
    except Exception as exc:
        log.warning("task count not recorded: %s", type(exc).__name__)


def allowed(config, remote_addr: str | None, headers) -> bool:
    """A token (Authorization: Bearer …) or an address from EJAN_METRICS_ALLOW."""
    token = config.get("EJAN_METRICS_TOKEN")
    if token:
        sent = headers.get("Authorization", "")
        if hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return True
    if not config["EJAN_PROXY_COUNT"] and "X-Forwarded-For" in headers:
        # It came through a proxy the app does not count: the address is the proxy's, not the client's.
        return False
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in allowed_networks(config))


def allowed_networks(config) -> list:
    networks = []
    for part in (config.get("EJAN_METRICS_ALLOW") or "").split(","):
        if part.strip():
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
    return networks


def exposition(config, facts: dict) -> bytes:
    """The text a scrape receives."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        process = CollectorRegistry()
        multiprocess.MultiProcessCollector(process)
    else:
        process = PROCESS
    state = CollectorRegistry(auto_describe=False)
    state.register(_Installation(config, facts))
    return generate_latest(process) + generate_latest(state)


class _Installation:
    """Figures of the whole installation, read at scrape time."""

    def __init__(self, config, facts: dict):
        self.config, self.facts = config, facts

    def collect(self):
        yield from self._tasks()
        yield from self._queues()
        yield from self._facts()

    def _tasks(self):
        family = CounterMetricFamily("ejan_tasks", "Celery tasks ended, by task and state (every worker)",
                                     labels=["task", "state"])
        url = broker_redis_url(self.config)
        if url is None:
            counts = dict(_local_tasks)
        else:
            try:
                raw = redis_client(url).hgetall(TASKS_KEY)
            except Exception as exc:
                log.warning("task counts unreadable: %s", type(exc).__name__)
                return
            counts = {tuple(k.decode().split("|", 1)): int(v) for k, v in raw.items() if b"|" in k}
        for (name, state), value in sorted(counts.items()):
            family.add_metric([name, state], value)
        yield family

    def _queues(self):
        url = broker_redis_url(self.config)
        if url is None:
            return
        queues = [q.strip() for q in self.config.get("EJAN_METRICS_QUEUES", "").split(",") if q.strip()]
        try:
            pipe = redis_client(url).pipeline(transaction=False)
            for queue in queues:
                pipe.llen(queue)
                for step in KOMBU_PRIORITY_STEPS:
                    pipe.llen(f"{queue}{KOMBU_PRIORITY_SEP}{step}")
            lengths = pipe.execute()
        except Exception as exc:
            log.warning("queue lengths unreadable: %s", type(exc).__name__)
            return
        family = GaugeMetricFamily("ejan_queue_length", "Messages waiting in a Celery queue", labels=["queue"])
        width = 1 + len(KOMBU_PRIORITY_STEPS)
        for index, queue in enumerate(queues):
            family.add_metric([queue], sum(lengths[index * width:(index + 1) * width]))
        yield family

    def _facts(self):
        for name, fact in sorted(self.facts.items()):
            value = read_fact(name, fact)
            if value is None:
                continue
            metric = f"ejan_{name}"
            if isinstance(value, dict):
                family = GaugeMetricFamily(metric, fact.help, labels=[fact.label])
                for label, number in sorted(value.items()):
                    family.add_metric([str(label)], float(number))
            else:
                family = GaugeMetricFamily(metric, fact.help, value=float(value))
            yield family


def read_fact(name: str, fact):
    """A fact's value, or None when it cannot be read now (a fact never breaks a probe or a scrape)."""
    try:
        return fact.read()
    except Exception as exc:
        log.warning("fact %s unreadable: %s", name, type(exc).__name__)
        return None
