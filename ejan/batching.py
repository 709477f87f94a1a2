"""Writes a web process gathers in memory and sends to the database together.

Some writes come with reading a page (a page view counted, a footprint left) and are read back rarely
and never within a second: a row written per request would cost each page a statement, a commit and a
flush of the database's log. A Batch keeps them per key in this process, merging repeats (views add up,
a later visit moves a footprint's time), and says when it is due: every `seconds` or `size` additions.
Its owner then calls flush(), which writes them in one transaction; so does a timer set when a write is
gathered, so a process that gets no more requests still writes them. A process that dies loses its last
few seconds; a database that is away gets them again at the next flush. Every batch is written at exit
too, and `flush_all` writes them all (tests count statements without a batch landing in the middle).
"""
from __future__ import annotations

import atexit
import logging
import threading
import time
from typing import Callable, Hashable

from flask import current_app, has_app_context
from sqlalchemy.dialects import postgresql, sqlite

log = logging.getLogger(__name__)
_batches: list["Batch"] = []
now = time.monotonic  # tests fix the clock
Timer = threading.Timer  # tests fire it themselves


class Batch:
    def __init__(self, name: str, write: Callable[[object, dict], None], *, merge: Callable = lambda old, new: new,
                 seconds: float = 30, size: int = 200):
        """write(connection, {key: value}) sends what was gathered; merge(old, new) joins two values of a key."""
        self.name = name
        self._write = write
        self._merge = merge
        self.seconds = seconds
        self.size = size
        self._lock = threading.Lock()  # gunicorn's threaded workers share one batch
        self._items: dict[Hashable, object] = {}
        self._added = 0
        self._last = now()
        self._timer = None
        _batches.append(self)

    def add(self, key: Hashable, value: object = None) -> bool:
        """Gather one write; True when the batch is due to be flushed.

        A write gathered with no timer set sets one for `seconds`: a process that gets no more requests for a
        while (a quiet night, one of several workers) still writes what it holds."""
        with self._lock:
            if self._timer is None and has_app_context():
                self._timer = Timer(self.seconds, self._on_time, (current_app._get_current_object(),))
                self._timer.daemon = True
                self._timer.start()
            self._put(key, value)
            self._added += 1
            return self._added >= self.size or now() - self._last >= self.seconds

    def _on_time(self, app) -> None:
        with self._lock:
            self._timer = None
        with app.app_context():
            try:
                self.flush()
            except Exception:
                log.warning("batch %s not written; kept for the next flush", self.name, exc_info=True)

    def _put(self, key, value) -> None:
        if key in self._items:
            value = self._merge(self._items[key], value)
        self._items[key] = value

    def __len__(self) -> int:
        return len(self._items)

    def take(self) -> dict:
        """What was gathered, now out of the batch (the caller writes it or gives it back)."""
        with self._lock:
            items, self._items = self._items, {}
            self._added, self._last = 0, now()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            return items

    def drop(self, which: Callable[[Hashable], bool]) -> None:
        """Forget the gathered writes whose key `which` picks (they must not be written any more)."""
        with self._lock:
            for key in [key for key in self._items if which(key)]:
                del self._items[key]

    def give_back(self, items: dict) -> None:
        with self._lock:
            for key, value in items.items():
                self._put(key, value)

    def flush(self, engine=None) -> dict:
        """Write what was gathered in one transaction, and return it. On an error it stays for the next flush."""
        items = self.take()
        if not items:
            return items
        if engine is None:
            from .extensions import db
            engine = db.engine
        try:
            with engine.begin() as conn:
                self._write(conn, items)
        except Exception:
            self.give_back(items)
            raise
        return items

    def reset(self) -> None:
        """Forget what was gathered and start the clock again (tests)."""
        self.take()


def insert_for(conn):
    """The dialect's INSERT, which can say what to do ON CONFLICT (PostgreSQL and SQLite both can)."""
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def flush_all(engine=None) -> None:
    for batch in _batches:
        batch.flush(engine)


def reset_all() -> None:
    for batch in _batches:
        batch.reset()


_exit: dict = {"app": None}


def install(app) -> None:
    """Write every batch when the process ends (gunicorn's workers exit on a restart): once per process, with
    the app installed last (a web process has one)."""
    if _exit["app"] is None:
        atexit.register(_flush_at_exit)
    _exit["app"] = app


def _flush_at_exit() -> None:
    with _exit["app"].app_context():
        for batch in _batches:
            try:
                batch.flush()
            except Exception:  # the process is ending: a database away now costs these few seconds' rows
                pass
