"""The main menu of both template sets, built from what each feature declares.

Keitai menus are followed with the number keys, so accesskeys are handed out here and only here:
the menu owns the keys in NAV_KEYS, page content owns the rest (5-8 for a page's own actions, * and #
for previous and next). A feature asks for a key; two features asking for the same one stop the app
at start-up instead of leaving a phone that follows only one of the two links.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_login import current_user

NAV_KEYS = ("0", "1", "2", "3", "4", "9")

# Who sees a menu entry: members who are logged in, visitors who are not, or both.
MEMBERS, GUESTS, EVERYONE = "members", "guests", "everyone"


@dataclass(frozen=True)
class NavLink:
    """One entry of the main menu.

    `order` places it on the PC menu; on keitai, `key` is the accesskey the feature would like
    (navigation.py hands keys out, so two features can never get the same one). `member_arg` names
    the URL value filled with the logged-in member's id (a link to "my" page).
    """

    endpoint: str
    label: str
    order: int
    key: str | None = None
    member_arg: str | None = None
    audience: str = MEMBERS
    pc: bool = True
    keitai: bool = True


@dataclass(frozen=True)
class MenuItem:
    link: NavLink
    key: str | None  # keitai accesskey, or None when the menu has run out of keys


def hand_out_keys(links: list[NavLink], audience: str) -> list[MenuItem]:
    """The keitai menu for one audience: wished keys first, then free keys in order, then none."""
    shown = [link for link in links if link.keitai and link.audience in (audience, EVERYONE)]
    taken: dict[str, NavLink] = {}
    for link in shown:
        if link.key is None:
            continue
        if link.key not in NAV_KEYS:
            raise ValueError(f"menu link {link.endpoint} asks for accesskey {link.key!r}, not one of {NAV_KEYS}")
        if link.key in taken:
            raise ValueError(f"menu links {taken[link.key].endpoint} and {link.endpoint} both ask for accesskey {link.key}")
        taken[link.key] = link
    free = [key for key in NAV_KEYS if key not in taken]
    keys = {id(link): key for key, link in taken.items()}
    for link in sorted(shown, key=lambda link: link.order):
        if id(link) not in keys and free:
            keys[id(link)] = free.pop(0)
    items = [MenuItem(link, keys.get(id(link))) for link in shown]
    # A phone menu reads in key order, as the numbers on the keypad; links without a key come last.
    return sorted(items, key=lambda item: (item.key is None, NAV_KEYS.index(item.key) if item.key else 0,
                                           item.link.order))


def init_app(app: Flask, links: list[NavLink]) -> None:
    menus = {
        ("pc", audience): [MenuItem(link, None) for link in sorted(links, key=lambda link: link.order)
                           if link.pc and link.audience in (audience, EVERYONE)]
        for audience in (MEMBERS, GUESTS)
    }
    for audience in (MEMBERS, GUESTS):
        menus[("mobile", audience)] = hand_out_keys(links, audience)
    app.extensions["ejan.menus"] = menus

    @app.context_processor
    def main_menu() -> dict:
        return {"main_menu": _menu}


def _menu(template_set: str) -> list[dict]:
    """The entries the current visitor sees, with URLs and whether each is the page being shown."""
    from flask import current_app

    audience = MEMBERS if current_user.is_authenticated else GUESTS
    items = []
    for item in current_app.extensions["ejan.menus"][(template_set, audience)]:
        values = {item.link.member_arg: current_user.id} if item.link.member_arg else {}
        items.append({
            "label": item.link.label,
            "url": url_for(item.link.endpoint, **values),
            "key": item.key,
            "current": request.endpoint == item.link.endpoint and all(
                (request.view_args or {}).get(k) == v for k, v in values.items()),
        })
    return items
