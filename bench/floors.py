"""Two pages that only bench/run.py serves: what every logged-in page costs before its own content.

"empty" goes through the whole request of a logged-in member (the session's row, its member, the
request hooks, the log line) and answers a word; "chrome" renders the device's base template with no
content (header, menu, footer, language links). A key page's x hello minus theirs is what the page
itself adds: the table shows how much of a page's cost is the floor every page stands on."""
from __future__ import annotations

from flask import Flask, abort
from flask_login import current_user

from ejan.mobile.render import render

EMPTY = "/bench/floor/empty"
CHROME = "/bench/floor/chrome"


def add_floors(app: Flask) -> Flask:
    def empty():
        if not current_user.is_authenticated:
            abort(403)
        return "hello"

    def chrome():
        if not current_user.is_authenticated:
            abort(403)
        return render("base.html")

    app.add_url_rule(EMPTY, "bench_floor_empty", empty)
    app.add_url_rule(CHROME, "bench_floor_chrome", chrome)
    return app
