"""How large a request body may be.

A form without an upload is small: the longest text anyone may send (a 10,000-character diary entry
or topic, percent-encoded up to 12 bytes a character) fits in EJAN_MAX_FORM_BYTES (256 KB) with room
to answer "too long" politely. Only views marked `takes_uploads` accept MAX_CONTENT_LENGTH (32 MB,
a few photos). Anything larger is refused with 413 before a byte of it is parsed or kept in memory.
"""
from __future__ import annotations

from flask import Flask, current_app, request


def takes_uploads(view):
    """Mark a view whose form carries photos: it may receive up to MAX_CONTENT_LENGTH."""
    view.takes_uploads = True
    return view


def accepts_uploads() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "takes_uploads", False))


def _limit_body() -> None:
    if not accepts_uploads():
        request.max_content_length = current_app.config["EJAN_MAX_FORM_BYTES"]


def init_app(app: Flask) -> None:
    # First of all hooks: CSRF protection reads the form in its own before_request.
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_body)
