"""Figures that are costly to count and fine to show a few minutes old, kept in the cache.

The cache is Redis when one is configured (EJAN_CACHE_URL, else a Redis EJAN_BROKER_URL), shared by
every web worker; the embedded default keeps a small cache in each process. Only what a page may show
slightly stale goes here: never who may see what. A cache that does not answer (Redis down) costs a
recount, never an error page.
"""
from __future__ import annotations

import functools
import logging
import time
from threading import Lock, Thread
from typing import Callable, TypeVar

from .extensions import cache

T = TypeVar("T")
log = logging.getLogger(__name__)

now = time.monotonic  # tests move the clock
STALE_AT_MOST = 2
_held: dict[str, tuple[float, object]] = {}
_held_lock = Lock()
_refreshing: set[str] = set()
_generation = [0]  # forget_held() moves it on: a count begun before must not come back afterwards


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


def held(key: str, seconds: float, compute: Callable[[], T], update: Callable[[T], T] | None = None) -> T:
    """remembered() for a large value that many requests read and each process can count for itself: kept
    in this process as the object itself. Flask-Caching serialises even its in-process cache, and unpickling
    a map of thousands of entries on every request costs more than counting it now and then saves.

    Once its seconds have run out the value is still given while one thread of this process counts it again
    in the background (with the app's context): counting a city's list takes a request tens of milliseconds,
    and the request that happened to come next should not wait for it. A value older than STALE_AT_MOST
    times its seconds (the counting failed, or keeps failing) is counted again before answering.

    With `update`, the background count is update(the value held) instead of compute(): for a value that can
    be brought up to date from what changed since, cheaper than counting it whole."""
    found = _held.get(key)
    moment = now()
    if found is not None and found[0] > moment:
        return found[1]  # type: ignore[return-value]
    if found is not None and found[0] + seconds * (STALE_AT_MOST - 1) > moment and _refresh(
            key, seconds, compute if update is None else functools.partial(update, found[1])):
        return found[1]  # type: ignore[return-value]
    with _held_lock:
        found = _held.get(key)
        if found is not None and found[0] > now():
            return found[1]  # type: ignore[return-value]
        value = compute()
        _held[key] = (now() + seconds, value)
        return value


def _refresh(key: str, seconds: float, compute: Callable[[], T]) -> bool:
    """Count `key` again in a thread of its own, unless one already does; False when that cannot start."""
    from flask import current_app

    with _held_lock:
        if key in _refreshing:
            return True
        _refreshing.add(key)
    app = current_app._get_current_object()
    generation = _generation[0]

    def count_again():
        try:
            with app.app_context():
                value = compute()
            if generation == _generation[0]:  # not forgotten meanwhile
                _held[key] = (now() + seconds, value)
        except Exception:
            log.warning("counting %s again failed", key, exc_info=True)
        finally:
            _refreshing.discard(key)

    try:
        Thread(target=count_again, name=f"held:{key}", daemon=True).start()
    except RuntimeError:  # no thread to be had (the interpreter is shutting down)
        _refreshing.discard(key)
        return False
    return True


def forget_held() -> None:
    """Forget what held() keeps in this process (tests)."""
    with _held_lock:
        _generation[0] += 1
        _held.clear()
