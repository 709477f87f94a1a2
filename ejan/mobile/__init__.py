"""The device layer: which phone is asking, which template set answers, in which encoding."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask, current_app, has_request_context, request, session, url_for
from flask.globals import _cv_request

from .. import i18n
from .render import VIEW_COOKIE, is_lite, page_charset, render, template_set  # noqa: F401  (render: the views use it)
from .device_request import DeviceRequest


def session_in_url() -> bool:
    """A keitai whose session was issued in URLs (it keeps no cookies) gets its session id in every link and form action."""
    return request.device.is_keitai and getattr(session, "in_url", False)


def current_cookie_name() -> str:
    return current_app.config["EJAN_SESSION_COOKIE"]


def per_page(kind: str = "list") -> int:
    """How many rows of this kind of list one page holds in the device's template set (EJAN_PAGE_SIZES)."""
    return current_app.config["EJAN_PAGE_SIZES"][template_set()][kind]


def carry(path: str) -> str:
    """A stored or local path made to keep a cookieless keitai logged in (and in its language)."""
    if not session_in_url():
        return path
    extra = {current_app.config["EJAN_SESSION_PARAM"]: session.token}
    language = i18n.carried()
    if language and f"{i18n.PARAM}=" not in urlsplit(path).query:
        extra[i18n.PARAM] = language
    return f"{path}{'&' if '?' in path else '?'}{urlencode(extra)}"


def without_session(path: str) -> str:
    """The same local path with any session id taken out (it may be stale, or someone else's)."""
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k != current_app.config["EJAN_SESSION_PARAM"]]
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


KEITAI_TEXT_BUDGET = 3400  # bytes of one long text per keitai page, leaving room for comments, forms and footer


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


def init_app(app: Flask) -> None:
    app.request_class = DeviceRequest
    param = app.config["EJAN_SESSION_PARAM"]

    @app.url_defaults
    def carry_session(endpoint: str, values: dict) -> None:
        # Runs for every link of every page: the request context is read once, not through the proxies.
        ctx = _cv_request.get(None)
        if ctx is None or endpoint == "static" or not ctx.request.device.is_keitai:
            return
        if getattr(ctx.session, "in_url", False):
            values.setdefault(param, ctx.session.token)

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
            "per_page": per_page,
            "device": request.device,
            "lite": is_lite(),
            "page_charset": page_charset(),
            "session_param": param if session_in_url() else None,
        }
