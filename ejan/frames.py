"""A page kept with holes: the bytes many readers share, cut around the few values that are each one's own.

A member's disaster screen is the page every member sees with a couple of values of their own in it (their
safety counts and own check-ins, their id in two menu links). Flask renders it once, the page
is cut at those values (`cut`), and for a few seconds every member's request is answered by joining the
shared bytes with that member's values (`Frame.fill`), in front of Flask (ejan/disaster/front.py). The
response Flask itself sends is made the same way, from the frame it has just cut, so both ways give the
same page by construction.

Frames live in a dict per process, bounded, each for a few seconds; any value that is not cut out is
shared by everyone who gets the frame, so whoever builds one must render it with nothing personal left.
"""
from __future__ import annotations

import re
import time
from threading import Lock
from typing import Hashable, NamedTuple

MAX_FRAMES = 512

now = time.monotonic  # tests move the clock


class Frame(NamedTuple):
    parts: tuple[bytes | str, ...]  # the shared bytes, and between them the names of the holes
    status: str
    headers: tuple[tuple[str, str], ...]  # as Flask sent them, without Set-Cookie and Content-Length
    nonce: str | None  # the CSP nonce in the headers, replaced on every answer (microcache.with_nonce)
    endpoint: str | None
    context: dict  # plain values the filler needs that the app knew when it rendered (URLs, say)
    expires: float

    def fill(self, values: dict[str, bytes]) -> bytes:
        return b"".join(part if isinstance(part, bytes) else values[part] for part in self.parts)


def cut(body: bytes, holes: dict[str, bytes]) -> tuple[bytes | str, ...]:
    """`body` as shared bytes and hole names: every occurrence of a hole's value becomes its name."""
    found = {value: name for name, value in holes.items() if value}
    if not found:
        return (body,)
    pattern = re.compile(b"|".join(re.escape(value) for value in sorted(found, key=len, reverse=True)))
    parts: list[bytes | str] = []
    at = 0
    for match in pattern.finditer(body):
        parts += [body[at:match.start()], found[match.group()]]
        at = match.end()
    parts.append(body[at:])
    return tuple(parts)


class Frames:
    """Frames under their keys, each until it expires; the oldest stored first out past MAX_FRAMES."""

    def __init__(self, max_frames: int = MAX_FRAMES):
        self.max_frames = max_frames
        self.kept: dict[Hashable, Frame] = {}
        self._lock = Lock()

    def put(self, key: Hashable, frame: Frame) -> None:
        with self._lock:
            self.kept.pop(key, None)
            while len(self.kept) >= self.max_frames:  # one lifetime for all: the oldest is also the stalest
                del self.kept[next(iter(self.kept))]
            self.kept[key] = frame

    def fresh(self, key: Hashable) -> Frame | None:
        frame = self.kept.get(key)
        if frame is None or frame.expires > now():
            return frame
        with self._lock:
            if self.kept.get(key) is frame:
                del self.kept[key]
        return None

    def clear(self) -> None:
        with self._lock:
            self.kept.clear()

    def __bool__(self) -> bool:
        return bool(self.kept)
