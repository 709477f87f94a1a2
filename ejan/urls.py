"""Building our own URLs: paths to store, absolute addresses to mail.

A path stored in the database (a notification's link) or mailed must never carry the keitai session
id of the request that made it, and a mailed address starts with the public EJAN_BASE_URL, which a
Celery worker knows as well as a web request does.
"""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, url_for


def link_for(endpoint: str, **values) -> str:
    """A path to store or mail: never carries the current keitai session id."""
    if not has_request_context():  # a Celery task or a CLI command: build from the URL map alone
        return current_app.url_map.bind("localhost").build(endpoint, values)
    values[current_app.config["EJAN_SESSION_PARAM"]] = None
    return url_for(endpoint, **values)


def absolute_url(endpoint: str, **values) -> str:
    """The public address of a page, for mail and anything else read outside the site."""
    return current_app.config["EJAN_BASE_URL"].rstrip("/") + link_for(endpoint, **values)


def init_app(app: Flask) -> None:
    app.add_template_global(absolute_url)
