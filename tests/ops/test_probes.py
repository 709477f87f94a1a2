"""/healthz and /readyz in the app: JSON, no login, no private data; facts reported, never failing."""
from __future__ import annotations

from ejan.features import Fact
from support import PC_UA


def test_healthz_is_cheap(app, client):
    from ejan.extensions import db
    from support import count_queries

    with count_queries(db.engine) as counter:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert counter.statements == []  # not even the session: a probe every second costs nothing
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_reports_checks_and_facts(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["checks"]["database"]["ok"]
    # Until notifications and disaster mode are installed, their facts are unknown (null), not errors.
    assert set(response.json["facts"]) >= {"worker_heartbeat_age_seconds", "disaster_active"}


def test_a_fact_that_fails_never_fails_readiness(app, client, monkeypatch):
    def broken():
        raise RuntimeError("the heartbeat table is gone")

    facts = {**app.extensions["ejan.facts"], "worker_heartbeat_age_seconds": Fact(broken, "x", ready=True)}
    monkeypatch.setitem(app.extensions, "ejan.facts", facts)
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json["facts"]["worker_heartbeat_age_seconds"] is None
    assert "heartbeat table" not in response.get_data(as_text=True)


def test_a_stale_heartbeat_is_reported_but_ready(app, client, monkeypatch):
    facts = {**app.extensions["ejan.facts"], "worker_heartbeat_age_seconds": Fact(lambda: 7200.0, "x", ready=True)}
    monkeypatch.setitem(app.extensions, "ejan.facts", facts)
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json["facts"]["worker_heartbeat_age_seconds"] == 7200.0


def test_readyz_fails_when_the_database_does_not_answer(app, client, monkeypatch):
    from ejan.ops import health

    def down():
        raise ConnectionRefusedError("connection to server at 10.0.0.5 refused")

    monkeypatch.setattr(health, "_database", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == {"ok": False, "error": "ConnectionRefusedError",
                                                   "ms": response.json["checks"]["database"]["ms"]}
    assert "10.0.0.5" not in response.get_data(as_text=True)


def test_probes_are_not_sent_to_https(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "EJAN_HTTPS", "all")
    headers = {"User-Agent": PC_UA}
    assert client.get("/login", headers=headers).status_code == 301
    for path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(path, headers=headers).status_code == 200, path
