"""The device layer: which phone is asking, which template set answers, in which encoding."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask, current_app, has_request_context, request, session, url_for

from .render import VIEW_COOKIE, is_lite, page_charset, render  # noqa: F401  (render is the views' entry point)
from .device_request import DeviceRequest


def session_in_url() -> bool:
    """A keitai whose session was issued in URLs (it keeps no cookies) gets its session id in every link and form action."""
    return request.device.is_keitai and getattr(session, "in_url", False)


def current_cookie_name() -> str:
    return current_app.config["EJAN_SESSION_COOKIE"]


def link_for(endpoint: str, **values) -> str:
    """A path to store or mail: never carries the current keitai session id."""
    if not has_request_context():  # a Celery task or a CLI command: build from the URL map alone
        return current_app.url_map.bind("localhost").build(endpoint, values)
    values[current_app.config["EJAN_SESSION_PARAM"]] = None
    return url_for(endpoint, **values)


def per_page(keitai: int | None = None) -> int:
    """Keitai pages hold fewer rows so they stay inside the page budget; heavy rows may ask for fewer still."""
    if is_lite():
        return keitai or current_app.config["EJAN_KEITAI_PAGE_SIZE"]
    return current_app.config["EJAN_PAGE_SIZE"]


def carry(path: str) -> str:
    """A stored or local path made to keep a cookieless keitai logged in."""
    if not session_in_url():
        return path
    return f"{path}{'&' if '?' in path else '?'}{current_app.config['EJAN_SESSION_PARAM']}={session.token}"


def without_session(path: str) -> str:
    """The same local path with any session id taken out (it may be stale, or someone else's)."""
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k != current_app.config["EJAN_SESSION_PARAM"]]
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


KEITAI_TEXT_BUDGET = 3500  # bytes of one long text per keitai page, leaving room for comments and forms


def text_part(text: str, budget: int = KEITAI_TEXT_BUDGET) -> tuple[str, int, int]:
    """The `?part=` slice of a long text for keitai, cut by rendered size; PCs get the whole text.

    Returns (the part, its number, how many parts).
    """
    if not is_lite():
        return text, 1, 1
    from ..text import split_by_size

    parts = split_by_size(text, request.device.encoding, budget)
    number = min(max(1, request.args.get("part", 1, type=int)), len(parts))
    return parts[number - 1], number, len(parts)


MAX_PAGE = 100_000  # beyond any real list; keeps OFFSET inside the database's integer


def page_number() -> int:
    return min(MAX_PAGE, max(1, request.args.get("page", 1, type=int)))


def init_app(app: Flask) -> None:
    app.request_class = DeviceRequest
    param = app.config["EJAN_SESSION_PARAM"]

    @app.url_defaults
    def carry_session(endpoint: str, values: dict) -> None:
        if endpoint != "static" and session_in_url():
            values.setdefault(param, session.token)

    @app.after_request
    def remember_view_choice(response):
        choice = request.args.get("view")
        if choice in ("lite", "pc"):
            response.set_cookie(VIEW_COOKIE, choice, max_age=365 * 24 * 3600, samesite="Lax")
        return response

    def here(**args) -> str:
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    @app.context_processor
    def device_context() -> dict:
        if not has_request_context():  # mail rendered by a Celery worker
            return {}
        return {
            "carry": carry,
            "here": here,
            "text_part": text_part,
            "device": request.device,
            "lite": is_lite(),
            "page_charset": page_charset(),
            "session_param": param if session_in_url() else None,
        }
