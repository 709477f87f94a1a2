"""gunicorn's logger for deploy/gunicorn.conf.py: access lines without credentials, and JSON-safe.

Every atom an access format can use (the request line, path, query, Referer, any header or environ
value) is scrubbed (ejan/ops/scrub.py) and escaped for a JSON string, so the shipped format, one JSON
object per line, stays valid whatever a client sends. The error log's handlers scrub too.
"""
from __future__ import annotations

import json

from gunicorn.glogging import Logger

from .logs import ScrubFilter
from .scrub import scrub


def _safe(value):
    if not isinstance(value, str):
        return value
    return json.dumps(scrub(value), ensure_ascii=False)[1:-1]


class ScrubbingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(ScrubFilter())

    def atoms(self, resp, req, environ, request_time):
        return {key: _safe(value) for key, value in super().atoms(resp, req, environ, request_time).items()}
