"""A local SMTP sink that counts what it receives, and real Celery worker processes to feed it.

Shared by bench/broadcast.py and the real-worker tests (tests/notify/test_broadcast_workers.py).
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[1]
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class CountingSink:
    """aiosmtpd handler: every accepted mail by envelope recipient, with its Message-ID.

    refuse(seconds) makes it answer 451 (try again later) to every mail for a while, as a mail server
    with a bad minute does."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_recipient: dict[str, list[str]] = defaultdict(list)
        self.accepted = 0
        self.refused = 0
        self._refuse_until = 0.0
        self._refuse_count = 0

    def refuse(self, seconds: float = 0.0, count: int = 0) -> None:
        self._refuse_until = time.monotonic() + seconds
        self._refuse_count = count

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if time.monotonic() < self._refuse_until or self._refuse_count > 0:
                self._refuse_count = max(0, self._refuse_count - 1)
                self.refused += 1
                return "451 4.3.0 Mail server busy, try again later"
            match = _MESSAGE_ID.search(envelope.original_content or envelope.content)
            message_id = match.group(1).decode() if match else ""
            for recipient in envelope.rcpt_tos:
                self.by_recipient[recipient].append(message_id)
            self.accepted += 1
        return "250 OK"

    def recipients(self) -> int:
        with self.lock:
            return len(self.by_recipient)

    def duplicates(self) -> dict[str, list[str]]:
        with self.lock:
            return {r: ids for r, ids in self.by_recipient.items() if len(ids) > 1}


def start_sink(port: int = 0) -> tuple[Controller, CountingSink]:
    import socket

    if not port:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, sink


def start_worker(env: dict[str, str], queues: list[str], name: str, *, concurrency: int = 1,
                 pool: str = "solo", log=None, loglevel: str = "WARNING") -> subprocess.Popen:
    """`celery -A ejan.celery_worker:celery worker` as a process of its own, configured by EJAN_* variables."""
    command = [sys.executable, "-m", "celery", "-A", "ejan.celery_worker:celery", "worker", "-Q", ",".join(queues),
               "-n", f"{name}@%h", "--pool", pool, "--concurrency", str(concurrency), "--without-gossip",
               "--without-mingle", "--without-heartbeat", "--loglevel", loglevel]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log or subprocess.DEVNULL,
                            stderr=subprocess.STDOUT if log else subprocess.DEVNULL, start_new_session=True)


def stop_worker(process: subprocess.Popen, *, kill: bool = False, timeout: float = 20) -> None:
    """SIGTERM (a warm shutdown) or SIGKILL; a worker's prefork children go with its process group."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)
