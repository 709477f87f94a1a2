"""Figures that are costly to count and fine to show a few minutes old, kept in the cache.

The cache is Redis when one is configured (EJAN_CACHE_URL, else a Redis EJAN_BROKER_URL), shared by
every web worker; the embedded default keeps a small cache in each process. Only what a page may show
slightly stale goes here: never who may see what. A cache that does not answer (Redis down) costs a
recount, never an error page.
"""
from __future__ import annotations

import logging
from typing import Callable, TypeVar

from .extensions import cache

T = TypeVar("T")
log = logging.getLogger(__name__)


def remembered(key: str, seconds: int, compute: Callable[[], T]) -> T:
    """The value kept under `key`, or compute() kept for `seconds` from now."""
    try:
        value = cache.get(key)
    except Exception:  # the cache is an optimisation: its failures are logged, not shown
        log.warning("cache get %s failed", key, exc_info=True)
        return compute()
    if value is not None:
        return value
    value = compute()
    try:
        cache.set(key, value, timeout=seconds)
    except Exception:
        log.warning("cache set %s failed", key, exc_info=True)
    return value


def remembered_many(keys: list[str], seconds: int, compute: Callable[[list[str]], dict[str, T]]) -> dict[str, T]:
    """The values kept under `keys`; those missing come from one compute(missing) and are kept for `seconds`."""
    try:
        found = dict(zip(keys, cache.get_many(*keys))) if keys else {}
    except Exception:
        log.warning("cache get_many failed", exc_info=True)
        return compute(list(keys))
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        computed = compute(missing)
        found.update(computed)
        try:
            cache.set_many(computed, timeout=seconds)
        except Exception:
            log.warning("cache set_many failed", exc_info=True)
    return found


def forget(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        log.warning("cache delete %s failed", key, exc_info=True)
