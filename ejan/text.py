"""Turning residents' plain text into what pages show: Jinja filters for both template sets."""
from __future__ import annotations

import re

from flask import Flask
from markupsafe import Markup, escape

from .clock import to_jst
from .urls import link_for

_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def linkify(text: str, jump: bool = False) -> Markup:
    """Plain text to HTML: everything escaped, line breaks kept, web addresses made into links.

    With jump=True links go through our /jump page, so a keitai's session id in the current URL
    never reaches another site in the Referer header.
    """
    parts, last = [], 0
    for match in _URL.finditer(text or ""):
        url = match.group(0).rstrip(".,)、。")
        end = match.start() + len(url)
        parts.append(escape(text[last:match.start()]))
        href = link_for("site.jump", url=url) if jump else url
        parts.append(Markup('<a href="{}" rel="nofollow noopener noreferrer">{}</a>').format(href, url))
        last = end
    parts.append(escape((text or "")[last:]))
    return Markup("").join(parts).replace("\r\n", "\n").replace("\n", Markup("<br>\n"))


def rendered_size(text: str, encoding: str) -> int:
    """About how many bytes `text` takes once linkified: escapes, <br> and jump links count too."""
    size = len(str(escape(text)).encode(encoding, "replace")) + 5 * text.count("\n")
    return size + sum(3 * len(url) + 60 for url in _URL.findall(text))


def split_by_size(text: str, encoding: str, budget: int) -> list[str]:
    """Cut a long text into parts that each render within `budget` bytes, at a line break where one is near."""
    parts, rest = [], text or ""
    while rendered_size(rest, encoding) > budget:
        low, high = 1, len(rest)  # the longest prefix that fits, by bisection: sizes only grow with length
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if rendered_size(rest[:middle], encoding) <= budget else (low, middle - 1)
        newline = rest.rfind("\n", low // 2, low)
        cut = newline + 1 if newline > 0 else low
        parts.append(rest[:cut])
        rest = rest[cut:]
    parts.append(rest)
    return parts


def init_app(app: Flask) -> None:
    app.add_template_filter(linkify)
    # Stored times shown in Japan time (ejan.clock).
    app.add_template_filter(lambda moment, fmt="%Y/%m/%d %H:%M": to_jst(moment).strftime(fmt) if moment else "", "jst")
