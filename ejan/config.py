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
        # A directory (one every web machine mounts, when there are several) or s3://bucket/prefix (ejan/storage.py).
        "EJAN_MEDIA_DIR": _env("MEDIA_DIR", str(instance / "media")),
        # Behind the shipped nginx: images from a directory are handed to nginx's internal location
        # with this prefix (X-Accel-Redirect) once the app has said the viewer may see them.
        "EJAN_MEDIA_ACCEL": _env("MEDIA_ACCEL"),
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
            "ejan.reports",
            "ejan.maps",
            "ejan.disaster",
            "ejan.intake",
            "ejan.surveys",
            "ejan.leaving",  # 退会
            "ejan.admin",  # audit log, members, 通報 queue, announcements, statistics
            "ejan.ops",  # health, metrics, request and task logs
        ],
        # Disaster mode: safety check-ins are deleted this many days after their event ends (reports stay).
        "EJAN_DISASTER_CHECKIN_DAYS": _env_int("DISASTER_CHECKIN_DAYS", 30),
        # What the privacy page promises (ejan/templates/_shared/policy.html); the operator keeps the server's logs
        # (journald, nginx) and the backup copies (`flask ejan backup`) no longer than this (docs/operations.md).
        "EJAN_LOG_DAYS": _env_int("LOG_DAYS", 90),
        "EJAN_BACKUP_DAYS": _env_int("BACKUP_DAYS", 30),
        "EJAN_PASSWORD_METHOD": _env("PASSWORD_METHOD", "scrypt"),
        # Invitations
        "EJAN_INVITE_DAYS": _env_int("INVITE_DAYS", 7),
        "EJAN_INVITE_QUOTA": _env_int("INVITE_QUOTA", 5),
        # Login throttling (ejan/members/throttle.py): failed attempts only. After the account's free
        # failures each attempt makes the next one wait, doubling from LOGIN_WAIT_SECONDS up to the max.
        "EJAN_LOGIN_LIMIT_ACCOUNT": _env("LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes"),
        "EJAN_LOGIN_WAIT_SECONDS": _env_int("LOGIN_WAIT_SECONDS", 30),
        "EJAN_LOGIN_WAIT_MAX_SECONDS": _env_int("LOGIN_WAIT_MAX_SECONDS", 600),
        "EJAN_LOGIN_LIMIT_ADDRESS": _env("LOGIN_LIMIT_ADDRESS", "30 per 15 minutes"),
        # Carrier gateways (comma-separated networks, from the carriers' published lists): many phones, one address.
        "EJAN_CARRIER_GATEWAYS": _env("CARRIER_GATEWAYS", ""),
        "EJAN_LOGIN_LIMIT_GATEWAY": _env("LOGIN_LIMIT_GATEWAY", "600 per 15 minutes"),
        # Counters shared by every worker: Redis whenever one is configured.
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URL") or (
            broker if broker and broker.startswith(("redis://", "rediss://")) else "memory://"),
        # Figures costly to count and fine to show a few minutes old (ejan/caching.py): Redis, shared by
        # every web worker, whenever one is configured; else a small cache inside each process.
        **_cache_settings(_env("CACHE_URL") or (
            broker if broker and broker.startswith(("redis://", "rediss://")) else None)),
        # How many proxies (nginx, a load balancer) stand in front and may be trusted for X-Forwarded-For/-Proto.
        "EJAN_PROXY_COUNT": _env_int("PROXY_COUNT", 0),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Sessions live in the database so a cookieless keitai can carry one in its URLs.
        "EJAN_SESSION_DAYS": _env_int("SESSION_DAYS", 14),
        "EJAN_SESSION_COOKIE": "ejan_session",
        "EJAN_SESSION_PARAM": "ejs",  # not sid/uid/pid: SoftBank gateways rewrite those
        # A session gets a new token after this long in use; a URL-carried one (it leaks) much sooner.
        "EJAN_SESSION_ROTATE_URL_MINUTES": _env_int("SESSION_ROTATE_URL_MINUTES", 10),
        "EJAN_SESSION_ROTATE_COOKIE_HOURS": _env_int("SESSION_ROTATE_COOKIE_HOURS", 24),
        "EJAN_SESSION_ROTATE_GRACE_SECONDS": _env_int("SESSION_ROTATE_GRACE_SECONDS", 120),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SECURE_COOKIES", False),
        # HTTPS redirects, HSTS and Secure cookies (ejan/security.py): off | pc (not keitai) | all.
        "EJAN_HTTPS": _env("HTTPS", "off"),
        "EJAN_HSTS_SECONDS": _env_int("HSTS_SECONDS", 365 * 24 * 3600),
        # Content-Security-Policy; script-src gets a per-response nonce. Features that load from
        # elsewhere (map tiles) add their hosts here.
        "EJAN_CSP": {
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "img-src": "'self' data:",
            "object-src": "'none'",
            "base-uri": "'self'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
        },
        # The map (ejan/maps/tiles.py): background tiles and their credit (none set: 地理院タイル's own), and
        # the map service a keitai's "地図で見る" link opens ({lat}, {lon} in WGS84 degrees).
        "EJAN_MAP_TILES_URL": _env("MAP_TILES_URL", "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"),
        "EJAN_MAP_TILES_ATTRIBUTION": _env("MAP_TILES_ATTRIBUTION"),
        "EJAN_MAP_LINK": _env("MAP_LINK", "https://maps.gsi.go.jp/#16/{lat}/{lon}/"),
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
        # Uploads: media.py enforces 10 MB per image; a request to a view that takes photos may carry a few.
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        # Every other form (ejan/request_size.py): small, so a big post costs neither time nor memory.
        "EJAN_MAX_FORM_BYTES": _env_int("MAX_FORM_BYTES", 256 * 1024),
        "MAX_FORM_MEMORY_SIZE": _env_int("MAX_FORM_BYTES", 256 * 1024),  # one text field in a multipart form
        # Mail: with no SMTP host, mail is written to the log (embedded default).
        "EJAN_MAIL_FROM": _env("MAIL_FROM", "e-じゃん掛川 <noreply@e-jan.kakegawa.example>"),
        "EJAN_SMTP_HOST": _env("SMTP_HOST"),
        "EJAN_SMTP_PORT": _env_int("SMTP_PORT", 25),
        "EJAN_SMTP_USER": _env("SMTP_USER"),
        "EJAN_SMTP_PASSWORD": _env("SMTP_PASSWORD"),
        "EJAN_SMTP_STARTTLS": _env_bool("SMTP_STARTTLS", False),
        # Operations (ejan/ops): who may read /metrics (addresses or networks, or the token as
        # "Authorization: Bearer …"), and the Celery queues whose length it reports.
        "EJAN_METRICS_ALLOW": _env("METRICS_ALLOW", "127.0.0.1/32,::1/128"),
        "EJAN_METRICS_TOKEN": _env("METRICS_TOKEN"),
        "EJAN_METRICS_QUEUES": _env("METRICS_QUEUES", "celery,disaster"),
        # Notifications (ejan/notify, docs/notify.md): recipients per batch task; up to INLINE_MAX explicit
        # recipients get their in-app notices inside the request; rows marked sent every MARK_EVERY mails
        # (a worker killed mid-batch mails at most that many twice); a claimed row's lease.
        "EJAN_NOTIFY_BATCH": _env_int("NOTIFY_BATCH", 500),
        "EJAN_NOTIFY_INLINE_MAX": _env_int("NOTIFY_INLINE_MAX", 20),
        "EJAN_MAIL_MARK_EVERY": _env_int("MAIL_MARK_EVERY", 50),
        "EJAN_MAIL_CLAIM_SECONDS": _env_int("MAIL_CLAIM_SECONDS", 120),
        "EJAN_MAIL_RETRIES": _env_int("MAIL_RETRIES", 10),
        "EJAN_MAIL_RETRY_BASE_SECONDS": _env_int("MAIL_RETRY_BASE_SECONDS", 2),
        "EJAN_MAIL_RETRY_MAX_SECONDS": _env_int("MAIL_RETRY_MAX_SECONDS", 120),
        # Queues: ordinary mail on MAIL_QUEUE (empty: Celery's default), disaster broadcasts on their own,
        # so a backlog of ordinary mail never delays them (give it workers of its own: -Q disaster).
        "EJAN_MAIL_QUEUE": _env("MAIL_QUEUE"),
        "EJAN_DISASTER_QUEUE": _env("DISASTER_QUEUE", "disaster"),
        "EJAN_BOUNCE_LIMIT": _env_int("BOUNCE_LIMIT", 3),  # hard bounces before mail to an address stops
        "EJAN_HEARTBEAT_SECONDS": _env_int("HEARTBEAT_SECONDS", 60),
        "EJAN_HEARTBEAT_STALE_SECONDS": _env_int("HEARTBEAT_STALE_SECONDS", 300),
        # Disaster intake (ejan/intake). JMA telegrams whose intensity for Kakegawa reaches the threshold
        # start an earthquake event; 訓練 telegrams start a drill only when JMA_DRILLS is on. The feed
        # relay POSTs to /intake/jma with the shared secret in X-Ejan-Intake-Secret (no secret: no endpoint).
        "EJAN_JMA_THRESHOLD": _env("JMA_THRESHOLD", "5-"),
        "EJAN_JMA_DRILLS": _env_bool("JMA_DRILLS", False),
        "EJAN_JMA_SECRET": _env("JMA_SECRET", ""),
        "EJAN_JMA_MAX_BYTES": _env_int("JMA_MAX_BYTES", 2 * 1024 * 1024),
        # Damage reports by mail: the address residents mail (empty: any recipient at the receiver), the
        # largest photo taken (a larger one gets a reply saying so) and the largest message at all.
        "EJAN_REPORT_MAIL_ADDRESS": _env("REPORT_MAIL_ADDRESS", ""),
        # Envelope sender of outgoing mail and the receiver's address for bounce reports (RFC 3464):
        # a hard failure reported there counts like a refusal while sending (ejan/notify/bounces.py).
        "EJAN_BOUNCE_ADDRESS": _env("BOUNCE_ADDRESS", ""),
        "EJAN_REPORT_MAIL_PHOTO_BYTES": _env_int("REPORT_MAIL_PHOTO_BYTES", 5 * 1024 * 1024),
        "EJAN_REPORT_MAIL_MAX_BYTES": _env_int("REPORT_MAIL_MAX_BYTES", 12 * 1024 * 1024),
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
            # A task whose worker died (acks_late) goes back to the queue after visibility_timeout; the
            # sweep that puts it back runs every interval x throttle seconds.
            "broker_transport_options": {
                "visibility_timeout": _env_int("BROKER_VISIBILITY_SECONDS", 600),
                "unacked_restore_interval": _env_int("BROKER_RESTORE_SECONDS", 10),
                "unacked_restore_throttle": 1,
            },
        },
        # WTForms' own messages ("Not a valid integer value.") come from WTForms' catalogues in the page's
        # language through Flask-Babel; ja@easy falls back to WTForms' ja catalogue.
        "WTF_I18N_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,  # a resident may leave a long diary form open all evening
    }


def _cache_settings(url: str | None) -> dict:
    if url is None:
        return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 5000}
    return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_KEY_PREFIX": "ejan:cache:",
            "CACHE_OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}}


def _instance_secret(instance: Path) -> str:
    """A per-installation key kept under instance/, so the embedded site needs no setup."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
