"""Is this web process fit to take requests? The database and every configured Redis must answer.

Nothing here needs a login or tells anything private: each check says ok or the kind of error (never
an address or a password from a URL). The worker heartbeat and the other facts features mark `ready`
are reported beside the checks and never fail readiness: a worker outage must not take the web
machines out of the load balancer.
"""
from __future__ import annotations

import time

from sqlalchemy import text

from ..extensions import db
from .connections import redis_client, redis_urls
from .metrics import read_fact


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__, "ms": _ms(started)}
    return {"ok": True, "ms": _ms(started)}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _database() -> None:
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def readiness(config, facts: dict) -> tuple[bool, dict]:
    checks = {"database": _timed(_database)}
    for role, url in redis_urls(config).items():
        checks[f"redis_{role}"] = _timed(lambda url=url: redis_client(url).ping())
    ready = all(check["ok"] for check in checks.values())
    info = {name: read_fact(name, fact) for name, fact in sorted(facts.items()) if fact.ready}
    return ready, {"status": "ok" if ready else "unavailable", "checks": checks, "facts": info}
