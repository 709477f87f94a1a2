"""Every setting in one place. Defaults are the embedded site; production overrides them with EJAN_* variables."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"EJAN_{name}")
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_bool(name: str, default: bool) -> bool:
    return (_env(name, "1" if default else "0") or "").lower() in ("1", "true", "yes", "on")


def load(instance_path: str) -> dict:
    """Build the settings dict from the environment; instance_path holds the embedded site's files."""
    instance = Path(instance_path)
    broker = _env("BROKER_URL")
    return {
        "SECRET_KEY": _env("SECRET_KEY") or _instance_secret(instance),
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL", f"sqlite:///{instance / 'ejan.sqlite3'}"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "EJAN_MEDIA_DIR": _env("MEDIA_DIR", str(instance / "media")),
        "EJAN_BASE_URL": _env("BASE_URL", "http://127.0.0.1:5000"),
        "EJAN_SITE_NAME": "e-じゃん掛川",
        # The feature packages, in menu and registration order; a new feature is one more line here.
        "EJAN_FEATURES": [
            "ejan.site",
            "ejan.members",
            "ejan.friends",
            "ejan.diary",
            "ejan.communities",
            "ejan.notify",
        ],
        "EJAN_PASSWORD_METHOD": _env("PASSWORD_METHOD", "scrypt"),
        # Invitations
        "EJAN_INVITE_DAYS": _env_int("INVITE_DAYS", 7),
        "EJAN_INVITE_QUOTA": _env_int("INVITE_QUOTA", 5),
        # Login throttling: failed attempts only (see members.views.login).
        "EJAN_LOGIN_LIMIT_ACCOUNT": _env("LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes"),
        "EJAN_LOGIN_LIMIT_ADDRESS": _env("LOGIN_LIMIT_ADDRESS", "30 per 15 minutes"),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URL", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Sessions live in the database so a cookieless keitai can carry one in its URLs.
        "EJAN_SESSION_DAYS": _env_int("SESSION_DAYS", 14),
        "EJAN_SESSION_COOKIE": "ejan_session",
        "EJAN_SESSION_PARAM": "ejs",  # not sid/uid/pid: SoftBank gateways rewrite those
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SECURE_COOKIES", False),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=_env_int("SESSION_DAYS", 14)),
        # Keitai
        "EJAN_KEITAI_PAGE_BUDGET": _env_int("KEITAI_PAGE_BUDGET", 10 * 1024),
        "EJAN_STRICT_PAGE_BUDGET": _env_bool("STRICT_PAGE_BUDGET", False),
        # Rows per page, per template set and kind of list; views ask ejan.mobile.per_page(kind).
        # Keitai pages hold fewer rows so they stay inside the page budget, heavy rows fewer still.
        "EJAN_PAGE_SIZES": {
            "pc": {"list": 20, "comments": 20, "requests": 20,
                   "community_topics": 5, "community_events": 5, "community_members": 12},
            "mobile": {"list": 10, "comments": 5, "requests": 5,
                       "community_topics": 5, "community_events": 3, "community_members": 6},
        },
        # Uploads: media.py enforces 10 MB per image; the request may carry a few.
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        # Mail: with no SMTP host, mail is written to the log (embedded default).
        "EJAN_MAIL_FROM": _env("MAIL_FROM", "e-じゃん掛川 <noreply@e-jan.kakegawa.example>"),
        "EJAN_SMTP_HOST": _env("SMTP_HOST"),
        "EJAN_SMTP_PORT": _env_int("SMTP_PORT", 25),
        "EJAN_SMTP_USER": _env("SMTP_USER"),
        "EJAN_SMTP_PASSWORD": _env("SMTP_PASSWORD"),
        "EJAN_SMTP_STARTTLS": _env_bool("SMTP_STARTTLS", False),
        # Celery: no broker means tasks run eagerly in-process.
        "CELERY": {
            "broker_url": broker or "memory://localhost/",
            "result_backend": None,
            "task_always_eager": broker is None,
            "task_eager_propagates": True,
            "task_ignore_result": True,
            "task_acks_late": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
        },
        # WTForms' own messages ("Not a valid integer value.") come from WTForms' catalogues in the page's
        # language through Flask-Babel; ja@easy falls back to WTForms' ja catalogue.
        "WTF_I18N_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,  # a resident may leave a long diary form open all evening
    }


def _instance_secret(instance: Path) -> str:
    """A per-installation key kept under instance/, so the embedded site needs no setup."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
