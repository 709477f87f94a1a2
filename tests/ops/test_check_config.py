"""`flask ejan check-config` names each unsafe production setting and exits non-zero."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from ejan.ops.checks import CHECKS, unsafe_settings

SAFE = {
    "SECRET_KEY": "k" * 20 + "0123456789abcdef0123456789abcdef",
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://ejan@db/ejan",
    "CELERY": {"task_always_eager": False, "broker_url": "redis://redis:6379/0"},
    "SESSION_COOKIE_SECURE": False,
    "EJAN_HTTPS": "pc",
    "EJAN_PROXY_COUNT": 1,
    "RATELIMIT_STORAGE_URI": "redis://redis:6379/1",
    "EJAN_BASE_URL": "https://e-jan.kakegawa.example",
    "EJAN_METRICS_TOKEN": None,
}

UNSAFE = {
    "debug": {"DEBUG": True},
    "secret_key": {"SECRET_KEY": "dev"},
    "insecure_cookies": {"EJAN_HTTPS": "off", "SESSION_COOKIE_SECURE": False},
    "sqlite": {"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/ejan/instance/ejan.sqlite3"},
    "eager_celery": {"CELERY": {"task_always_eager": True, "broker_url": "memory://localhost/"}},
    "proxy": {"EJAN_PROXY_COUNT": 0},
    "rate_limits": {"RATELIMIT_STORAGE_URI": "memory://"},
    "base_url": {"EJAN_BASE_URL": "http://127.0.0.1:5000"},
    "metrics_token": {"EJAN_METRICS_TOKEN": "short"},
}


def settings(tmp_path, **changes):
    config = {**SAFE, **changes}
    return SimpleNamespace(config=config, debug=config.get("DEBUG", False), instance_path=str(tmp_path))


def test_every_check_has_a_case():
    assert set(UNSAFE) == set(CHECKS)


def test_production_settings_pass(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert unsafe_settings(settings(tmp_path)) == []


@pytest.mark.parametrize("name", sorted(UNSAFE))
def test_each_unsafe_setting_is_flagged_alone(tmp_path, monkeypatch, name):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert [f.name for f in unsafe_settings(settings(tmp_path, **UNSAFE[name]))] == [name]


def test_a_secret_key_generated_on_this_machine_is_flagged(tmp_path):
    key = "f" * 64
    (tmp_path / "secret_key").write_text(key)
    assert [f.name for f in unsafe_settings(settings(tmp_path, SECRET_KEY=key))] == ["secret_key"]


def test_flask_debug_in_the_environment_is_flagged(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert [f.name for f in unsafe_settings(settings(tmp_path))] == ["debug"]


def test_the_command_exits_non_zero_and_names_each_setting(app, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    result = app.test_cli_runner().invoke(args=["ejan", "check-config"])
    assert result.exit_code == 1
    # The test app is the embedded site: eager Celery, no proxy, memory rate limits, weak key (and
    # SQLite, unless the suite runs on PostgreSQL).
    expected = ["secret_key", "eager_celery", "proxy", "rate_limits", "insecure_cookies"]
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        expected.append("sqlite")
    for name in expected:
        assert f"UNSAFE {name}:" in result.output
    for key, value in SAFE.items():
        monkeypatch.setitem(app.config, key, value)
    result = app.test_cli_runner().invoke(args=["ejan", "check-config"])
    assert result.exit_code == 0, result.output
    assert "no unsafe setting" in result.output
