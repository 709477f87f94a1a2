"""Static files with versioned URLs: `url_for('static', ...)` adds `?v=<content hash>`, and a request
for the current version may be cached for a year (a new file means a new URL). Anything else (an old
or missing version) is served fresh-checked, so a stale page never pins an old stylesheet.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, abort, current_app, request, send_from_directory

YEAR = 365 * 24 * 3600
DAY = 24 * 3600


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def version_of(filename: str) -> str | None:
    path = Path(current_app.static_folder) / filename
    try:
        stat = path.stat()
    except (OSError, ValueError):
        return None
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


def serve(filename: str):
    current = version_of(filename)
    if current is None:
        abort(404)
    versioned = request.args.get("v") == current
    response = send_from_directory(current_app.static_folder, filename, max_age=YEAR if versioned else 0)
    if versioned:
        response.cache_control.immutable = True
    return response


def favicon():
    return send_from_directory(current_app.static_folder, "favicon.ico", max_age=DAY,
                               mimetype="image/vnd.microsoft.icon")


def init_app(app: Flask) -> None:
    app.view_functions["static"] = serve  # Flask's own route, our cache rules
    app.add_url_rule("/favicon.ico", "favicon", favicon)  # browsers ask here whatever the page says

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values:
            version = version_of(values.get("filename", ""))
            if version:
                values["v"] = version
