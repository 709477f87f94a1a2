"""Response headers that protect residents' browsers, and HTTPS as a setting.

Flask-Talisman writes the headers: a Content-Security-Policy with a fresh nonce per response for
script-src (`{{ csp_nonce() }}` in a template marks an inline script as ours; the map pages need
that), frame-ancestors 'none' and X-Frame-Options DENY (one-click buttons cannot be framed),
X-Content-Type-Options and Referrer-Policy. Keitai browsers ignore all of these, so none of them
can break a keitai page.

HTTPS is not forced by default: most 2007 phones speak no modern TLS and many no SSL at all, so a
city may serve keitai over plain HTTP. EJAN_HTTPS=pc redirects PCs and smartphones to HTTPS and
sends them HSTS and Secure cookies while keitai are served as they ask; EJAN_HTTPS=all does it for
every device. Whether a request came over HTTPS is read from the request itself, or from the
proxy's X-Forwarded-Proto only when EJAN_PROXY_COUNT says a proxy is trusted.
"""
from __future__ import annotations

from flask import Flask, current_app, redirect, request
from flask_talisman import Talisman

OFF, PC, ALL = "off", "pc", "all"


def https_required() -> bool:
    """Whether this request's device must use HTTPS under EJAN_HTTPS."""
    mode = current_app.config["EJAN_HTTPS"]
    return mode == ALL or (mode == PC and not request.device.is_keitai)


def allow_plain_http(app: Flask, *endpoints: str) -> None:
    """Endpoints never redirected to HTTPS: probes from the private network (load balancer, Prometheus)."""
    app.extensions.setdefault("ejan.plain_http", set()).update(endpoints)


def cookies_secure() -> bool:
    return current_app.config["SESSION_COOKIE_SECURE"] or https_required()


def init_app(app: Flask) -> None:
    if app.config["EJAN_HTTPS"] not in (OFF, PC, ALL):
        raise ValueError(f"EJAN_HTTPS must be one of off, pc, all, not {app.config['EJAN_HTTPS']!r}")
    app.extensions["talisman"] = Talisman(  # one per app: it keeps the app it serves
        app,
        force_https=False,  # per device, below
        strict_transport_security=False,  # per device, below
        session_cookie_secure=False,  # Talisman would switch it on for every device; ejan/sessions.py decides
        session_cookie_http_only=True,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        frame_options="DENY",
        content_security_policy=app.config["EJAN_CSP"],
        content_security_policy_nonce_in=["script-src"],
        referrer_policy="same-origin",  # keitai URLs carry the session: never send them to other sites
        x_content_type_options=True,
    )

    @app.before_request
    def to_https():
        if request.endpoint in app.extensions.get("ejan.plain_http", ()):
            return None
        if https_required() and not request.is_secure:
            return redirect(request.url.replace("http://", "https://", 1), 301 if request.method == "GET" else 308)
        return None

    @app.after_request
    def strict_transport_security(response):
        if request.is_secure and https_required():
            response.headers["Strict-Transport-Security"] = f"max-age={app.config['EJAN_HSTS_SECONDS']}"
        return response
