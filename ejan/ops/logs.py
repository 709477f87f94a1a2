"""One structured line per request and per task, with credentials scrubbed from every line.

A line is a JSON object (`JsonLines` formatter): time, level, logger, message, and the record's
fields. Request lines (logger `ejan.request`) carry method, path and query without credentials,
status, duration in ms, endpoint and the member's id; task lines (logger `ejan.task`) carry the
task's name, id, state, duration, retries, queue and worker, never its arguments (mail addresses,
texts). `ScrubFilter` on every handler scrubs what other libraries log too (Flask's
"Exception on /join/<token>", a traceback).
"""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timezone

from .scrub import scrub

FIELDS = "ejan"  # the record attribute holding a line's structured fields


class ScrubFilter(logging.Filter):
    """Installed on handlers: the message, its arguments and any traceback leave without credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logging's business, not ours
            return True
        clean = scrub(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class JsonLines(logging.Formatter):
    """Every record as one line of JSON; a traceback stays inside the line (as an escaped string)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(getattr(record, FIELDS, None) or {})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


def install_root_handler(level: int = logging.INFO) -> None:
    """JSON lines on stderr for the web and worker processes (idempotent)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler.formatter, JsonLines):
            return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines())
    handler.addFilter(ScrubFilter())
    root.handlers[:] = [handler]
    root.setLevel(level)


def scrub_handlers(logger: logging.Logger) -> None:
    """Put the scrubbing filter on every handler a library (gunicorn, Celery) set up."""
    for handler in logger.handlers:
        if not any(isinstance(f, ScrubFilter) for f in handler.filters):
            handler.addFilter(ScrubFilter())


request_log = logging.getLogger("ejan.request")
task_log = logging.getLogger("ejan.task")


def log_request(*, method: str, path: str, query: str, status: int, seconds: float,
                endpoint: str | None, member_id: int | None) -> None:
    fields = {"method": method, "path": scrub(path), "status": status, "ms": round(seconds * 1000, 1),
              "endpoint": endpoint, "member": member_id}
    if query:
        fields["query"] = scrub(query)
    request_log.info("request", extra={FIELDS: fields})


def log_task(*, name: str, task_id: str, state: str, seconds: float | None, retries: int,
             queue: str | None, worker: str | None) -> None:
    fields = {"task": name, "id": task_id, "state": state, "retries": retries, "queue": queue, "worker": worker,
              "ms": None if seconds is None else round(seconds * 1000, 1)}
    task_log.log(logging.WARNING if state == "FAILURE" else logging.INFO, "task", extra={FIELDS: fields})


def clock() -> float:
    return time.perf_counter()
