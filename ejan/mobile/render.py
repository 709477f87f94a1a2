"""One logical template name, two template sets: the renderer picks the set and the encoding."""
from __future__ import annotations

import codecs
import logging
import re
import unicodedata

from flask import current_app, g, make_response, render_template, request
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)

PC = "pc"
MOBILE = "mobile"
VIEW_COOKIE = "ejan_view"
_OVERRIDES = {"lite": MOBILE, "pc": PC}


def _geta(error: UnicodeError):
    """What Shift_JIS cannot carry: accented Latin letters lose their accents (ação → acao), so
    Portuguese stays readable on keitai; anything else becomes 〓 (geta), which keitai themselves
    show for a character they cannot draw: visible, never a crash."""
    return "".join(_plain(ch, error.encoding) for ch in error.object[error.start:error.end]), error.end


def _plain(ch: str, encoding: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    try:
        if bare:
            bare.encode(encoding)
            return bare
    except UnicodeError:
        pass
    return "〓"


codecs.register_error("ejan-geta", _geta)


class PageBudgetExceeded(AssertionError):
    """Raised only when EJAN_STRICT_PAGE_BUDGET is on (tests), so no keitai page grows past its budget unnoticed."""


class AccessKeyClash(AssertionError):
    """Two links on one keitai page answer the same key: the phone follows only one of them."""


_ACCESSKEY = re.compile(rb'accesskey="([^"]*)"')


def template_set() -> str:
    if "template_set" not in g:
        g.template_set = set_for(request.device, request.args.get("view") or request.cookies.get(VIEW_COOKIE))
    return g.template_set


def set_for(device, view: str | None) -> str:
    """The template set for a device and the reader's choice (the `view` parameter or cookie), if any."""
    return _OVERRIDES.get(view or "") or (MOBILE if device.is_keitai else PC)


def is_lite() -> bool:
    return template_set() == MOBILE


def page_charset() -> str:
    return "Shift_JIS" if request.device.encoding == "cp932" else "UTF-8"


def render(name: str, status: int = 200, **context) -> Response:
    """Render `name` from the device's template set.

    The set is part of the template name itself (`pc/…`, `mobile/…`), so Jinja's cache can never
    hand one set's compiled template to the other.
    """
    chosen = template_set()
    html = render_template(f"{chosen}/{name}", **context)
    body = html.encode(request.device.encoding, "ejan-geta")
    if chosen == MOBILE:
        _check_keitai_page(name, body)
    response = make_response(body, status)
    response.content_type = f"text/html; charset={page_charset()}"
    return response


def _check_keitai_page(name: str, body: bytes) -> None:
    strict = current_app.config["EJAN_STRICT_PAGE_BUDGET"]
    budget = current_app.config["EJAN_KEITAI_PAGE_BUDGET"]
    if len(body) > budget:
        message = f"keitai page {name} is {len(body)} bytes, over the {budget}-byte budget"
        if strict:
            raise PageBudgetExceeded(message)
        log.warning(message)
    if strict:
        keys = _ACCESSKEY.findall(body)
        clashes = sorted({k.decode() for k in keys if keys.count(k) > 1})
        if clashes:
            raise AccessKeyClash(f"keitai page {name} uses accesskey {', '.join(clashes)} more than once")
