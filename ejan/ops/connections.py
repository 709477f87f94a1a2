"""The Redis servers this process uses, by role, and one client (with short timeouts) per address.

Health checks and metrics must answer fast when a server is gone: half a second to connect or read,
then the check says "unreachable" rather than holding a web worker.
"""
from __future__ import annotations

from functools import lru_cache

REDIS_SCHEMES = ("redis://", "rediss://")


def redis_urls(config) -> dict[str, str]:
    """role -> URL for every Redis the app is configured to use (broker, rate limits, cache)."""
    celery = config["CELERY"]
    urls = {
        "broker": None if celery.get("task_always_eager") else celery.get("broker_url"),
        "rate_limits": config.get("RATELIMIT_STORAGE_URI"),
        "cache": config.get("CACHE_REDIS_URL") if config.get("CACHE_TYPE") == "RedisCache" else None,
    }
    return {role: url for role, url in urls.items() if url and url.startswith(REDIS_SCHEMES)}


def broker_redis_url(config) -> str | None:
    return redis_urls(config).get("broker")


@lru_cache(maxsize=16)
def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5,
                                health_check_interval=30)
