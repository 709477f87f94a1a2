"""Turning residents' plain text into what pages show: Jinja filters for both template sets."""
from __future__ import annotations

import re

from flask import Flask
from flask_babel import gettext
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


# Endings that already address someone: 「しげさん」 or 「ゆみちゃん」 gets no second さん.
HONORIFIC_ENDINGS = ("さん", "様", "さま", "ちゃん", "くん", "君", "氏")


def honorific(nickname: str, tag: str | None = None) -> str:
    """A member's name as a sentence addresses them: 「佐藤 さん」; a nickname that already ends with an
    honorific stays as it is. The suffix is a translation, so English and Portuguese add none.

    With a tag ("strong") only the name is wrapped in it, the suffix follows: <strong>佐藤</strong> さん."""
    nickname = nickname or ""
    name = Markup("<{0}>{1}</{0}>").format(Markup(tag), nickname) if tag else nickname
    if nickname.rstrip().endswith(HONORIFIC_ENDINGS):
        return name
    if tag:
        return Markup(escape(gettext("%(nickname)s さん"))) % {"nickname": name}
    return gettext("%(nickname)s さん", nickname=nickname)


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
    app.add_template_filter(honorific)
    # Stored times shown in Japan time (ejan.clock).
    app.add_template_filter(lambda moment, fmt="%Y/%m/%d %H:%M": to_jst(moment).strftime(fmt) if moment else "", "jst")
