"""`flask ejan check-config`: the settings that are fine on a laptop and unsafe on the city's servers.

Each check is one function returning a finding or None, so a test can switch each setting on and
see its own finding. Run it with the production environment loaded (the systemd units' env file).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "test-secret", "development", "ejan"}


@dataclass(frozen=True)
class Finding:
    name: str
    message: str


def _debug(app):
    if app.debug or os.environ.get("FLASK_DEBUG", "").lower() in ("1", "true", "yes", "on"):
        return "debug is on: tracebacks and the debugger are served to anyone (unset FLASK_DEBUG)"


def _secret_key(app):
    key = app.config.get("SECRET_KEY") or ""
    generated = Path(app.instance_path) / "secret_key"
    if key.lower() in WEAK_SECRETS or len(key) < 32:
        return "SECRET_KEY is a default or shorter than 32 characters: set EJAN_SECRET_KEY to a long random value"
    if generated.is_file() and generated.read_text().strip() == key:
        return ("SECRET_KEY was generated under instance/ on this machine: set EJAN_SECRET_KEY, the same "
                "on every web and worker machine")


def _cookies(app):
    if not app.config.get("SESSION_COOKIE_SECURE") and app.config.get("EJAN_HTTPS", "off") == "off":
        return "cookies may travel over plain HTTP: set EJAN_HTTPS=pc (keitai keep HTTP) or EJAN_SECURE_COOKIES=1"


def _sqlite(app):
    if str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        return "the database is SQLite: set EJAN_DATABASE_URL to PostgreSQL"


def _eager_celery(app):
    if app.config["CELERY"].get("task_always_eager"):
        return "Celery runs tasks inside the web process (no broker): set EJAN_BROKER_URL to Redis"


def _proxy(app):
    if not app.config.get("EJAN_PROXY_COUNT"):
        return ("EJAN_PROXY_COUNT is 0: behind nginx every client has nginx's address (one login limit for "
                "the whole city) and HTTPS is not recognised; set it to the number of proxies in front")


def _rate_limits(app):
    if str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        return "login limits are counted per process: set EJAN_RATELIMIT_STORAGE_URL (or a Redis broker)"


def _base_url(app):
    base = app.config.get("EJAN_BASE_URL", "")
    if "127.0.0.1" in base or "localhost" in base:
        return "EJAN_BASE_URL points at this machine: mailed links would not work; set the public address"


def _metrics_token(app):
    token = app.config.get("EJAN_METRICS_TOKEN")
    if token is not None and len(token) < 16:
        return "EJAN_METRICS_TOKEN is shorter than 16 characters"


CHECKS = {
    "debug": _debug,
    "secret_key": _secret_key,
    "insecure_cookies": _cookies,
    "sqlite": _sqlite,
    "eager_celery": _eager_celery,
    "proxy": _proxy,
    "rate_limits": _rate_limits,
    "base_url": _base_url,
    "metrics_token": _metrics_token,
}


def unsafe_settings(app) -> list[Finding]:
    return [Finding(name, message) for name, check in CHECKS.items() if (message := check(app))]
