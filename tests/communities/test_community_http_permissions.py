"""The permission table again, through the pages: what each role gets from every community page (status,
redirect to the login page), and what each button does when pressed.

The cast is helpers_communities.quick_cast (see test_community_permissions). With topics for community
members only, nothing of the topic, its comment or the event may reach a pending, banned or outside member,
an administrator who has not joined, or a logged-out visitor, by any path: the topic page, the topic list,
the community top (no topic titles), the events, search, the keitai pages, the comment page, a comment post."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from ejan.clock import today_jst
from ejan.communities.models import GOING, MEMBERS_ONLY, SITE
from helpers_communities import (ROLES, SECRET_BODY, SECRET_COMMENT, SECRET_EVENT, SECRET_TITLE, html_of, keitai_login,
                                 path_of, quick_cast, snapshot, wipe)

SECRETS = (SECRET_TITLE, SECRET_BODY, SECRET_COMMENT, SECRET_EVENT)
OUTSIDERS = ("pending", "banned", "outsider", "admin", "logged_out")  # who may not read members-only topics

# --- pages (GET) --------------------------------------------------------------------------------------------
# PC unless the name starts with "keitai" (an au phone, which keeps cookies).
PAGES = {
    "community top": "/communities/{c}",
    "keitai community top": "/communities/{c}",
    "settings": "/communities/{c}/edit",
    "members": "/communities/{c}/members",
    "requests": "/communities/{c}/requests",
    "banned list": "/communities/{c}/banned",
    "handover": "/communities/{c}/handover",
    "join page": "/communities/{c}/join",
    "leave page": "/communities/{c}/leave",
    "topic list": "/communities/{c}/topics",
    "keitai topic list": "/communities/{c}/topics",
    "community events": "/communities/{c}/events",
    "new topic": "/communities/{c}/topics/new",
    "topic": "/topics/{t}",
    "keitai topic": "/topics/{t}",
    "edit topic": "/topics/{t}/edit",
    "delete topic": "/topics/{t}/delete",
    "comment": "/topics/comments/{cm}",
    "keitai comment": "/topics/comments/{cm}",
    "delete comment": "/topics/comments/{cm}/delete",
    "search": "/topics/search?q=" + quote("防災倉庫"),
    "keitai search": "/topics/search?q=" + quote("防災倉庫".encode("cp932")),
    "event": "/events/{e}",
    "keitai event": "/events/{e}",
    "new event": "/communities/{c}/events/new",
    "edit event": "/events/{e}/edit",
    "delete event": "/events/{e}/delete",
    "my events": "/events",
}
# The pages that list topics or events: "listed" if the cast's topic (or event) shows, else "absent".
LISTS = {"community top": SECRET_TITLE, "keitai community top": SECRET_TITLE, "search": SECRET_TITLE,
         "keitai search": SECRET_TITLE, "topic list": SECRET_TITLE, "keitai topic list": SECRET_TITLE,
         "community events": SECRET_EVENT, "my events": SECRET_EVENT}

# ok 200   login  redirect to /login   403 / 404   listed / absent  200, the topic (or event) is / is not on it
EXPECTED_PAGES = {
    #                        owner     moderator member    pending   banned    outsider  admin     logged_out
    "community top":        ("listed", "listed", "listed", "listed", "listed", "listed", "listed", "login"),
    "keitai community top": ("listed", "listed", "listed", "listed", "listed", "listed", "listed", "login"),
    "settings":             ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "login"),
    "members":              ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "login"),
    "requests":             ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "login"),
    "banned list":          ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "login"),
    "handover":             ("ok",    "403",    "403",    "403",    "403",    "403",    "403",    "login"),
    "join page":            ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "login"),
    "leave page":           ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "login"),
    "topic list":           ("listed", "listed", "listed", "listed", "listed", "listed", "listed", "login"),
    "keitai topic list":    ("listed", "listed", "listed", "listed", "listed", "listed", "listed", "login"),
    "community events":     ("listed", "listed", "listed", "listed", "listed", "listed", "listed", "login"),
    "new topic":            ("ok",    "ok",     "ok",     "403",    "403",    "403",    "403",    "login"),
    "topic":                ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "login"),
    "keitai topic":         ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "login"),
    "edit topic":           ("403",   "403",    "ok",     "403",    "403",    "403",    "403",    "login"),
    "delete topic":         ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "login"),
    "comment":              ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "login"),
    "keitai comment":       ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "login"),
    "delete comment":       ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "login"),
    "search":               ("listed", "listed", "listed", "listed", "listed", "listed", "listed", "login"),
    "keitai search":        ("listed", "listed", "listed", "listed", "listed", "listed", "listed", "login"),
    "event":                ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "login"),
    "keitai event":         ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "login"),
    "new event":            ("ok",    "ok",     "ok",     "403",    "403",    "403",    "403",    "login"),
    "edit event":           ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "login"),
    "delete event":         ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "login"),
    # Upcoming events across *my* communities: only those who joined see it, whatever the visibility.
    "my events":            ("listed", "listed", "listed", "absent", "absent", "absent", "absent", "login"),
}
# Topics for members only: the topics, comment and event do not exist for those who have not joined.
MEMBERS_ONLY_PAGES = {
    #                        owner     moderator member    pending   banned    outsider  admin     logged_out
    "community top":        ("listed", "listed", "listed", "absent", "absent", "absent", "absent", "login"),
    "keitai community top": ("listed", "listed", "listed", "absent", "absent", "absent", "absent", "login"),
    "topic list":           ("listed", "listed", "listed", "403",    "403",    "403",    "403",    "login"),
    "keitai topic list":    ("listed", "listed", "listed", "403",    "403",    "403",    "403",    "login"),
    "community events":     ("listed", "listed", "listed", "403",    "403",    "403",    "403",    "login"),
    "topic":                ("ok",    "ok",     "ok",     "404",    "404",    "404",    "404",    "login"),
    "keitai topic":         ("ok",    "ok",     "ok",     "404",    "404",    "404",    "404",    "login"),
    "edit topic":           ("403",   "403",    "ok",     "404",    "404",    "404",    "404",    "login"),
    "delete topic":         ("ok",    "ok",     "403",    "404",    "404",    "404",    "404",    "login"),
    "comment":              ("ok",    "ok",     "ok",     "404",    "404",    "404",    "404",    "login"),
    "keitai comment":       ("ok",    "ok",     "ok",     "404",    "404",    "404",    "404",    "login"),
    "delete comment":       ("ok",    "ok",     "403",    "404",    "404",    "404",    "404",    "login"),
    "search":               ("listed", "listed", "listed", "absent", "absent", "absent", "absent", "login"),
    "keitai search":        ("listed", "listed", "listed", "absent", "absent", "absent", "absent", "login"),
    "event":                ("ok",    "ok",     "ok",     "404",    "404",    "404",    "404",    "login"),
    "keitai event":         ("ok",    "ok",     "ok",     "404",    "404",    "404",    "404",    "login"),
    "edit event":           ("ok",    "ok",     "403",    "404",    "404",    "404",    "404",    "login"),
    "delete event":         ("ok",    "ok",     "403",    "404",    "404",    "404",    "404",    "login"),
}
EXPECTED_PAGES_MEMBERS_ONLY = {**EXPECTED_PAGES, **MEMBERS_ONLY_PAGES}


def logged_in(cast, role: str, browser, keitai, on_keitai: bool):
    """A client logged in as `role` (not logged in for logged_out): a PC browser, or an au phone."""
    if not on_keitai:
        return browser(cast[role])
    client = keitai("au")
    if role != "logged_out":
        keitai_login(client, cast[role])
    return client


def outcome_of(response, listed_marker: str | None = None) -> str:
    if response.status_code == 302:
        return "login" if path_of(response.headers["Location"]) == "/login" else "302"
    if response.status_code != 200:
        return str(response.status_code)
    if listed_marker is None:
        return "ok"
    return "listed" if listed_marker in html_of(response) else "absent"


def leaks(response) -> list[str]:
    html = html_of(response)
    return [secret for secret in SECRETS if secret in html]


@pytest.mark.parametrize("visibility", [SITE, MEMBERS_ONLY])
def test_who_gets_which_page(app, browser, keitai, visibility):
    """The whole table for one visibility on one cast (nothing here writes), each role logged in once."""
    table = EXPECTED_PAGES if visibility == SITE else EXPECTED_PAGES_MEMBERS_ONLY
    cast = quick_cast(topic_visibility=visibility)
    ids = {"c": cast.community.id, "t": cast.topic.id, "cm": cast.comment.id, "e": cast.event.id}
    got, expected = {}, {}
    for role in ROLES:
        clients = {device: logged_in(cast, role, browser, keitai, device == "keitai") for device in ("pc", "keitai")}
        for page, url in PAGES.items():
            response = clients["keitai" if page.startswith("keitai") else "pc"].get(url.format(**ids))
            result = outcome_of(response, LISTS.get(page))
            if visibility == MEMBERS_ONLY and role in OUTSIDERS and leaks(response):
                result += f", leaking {leaks(response)}"
            got[page, role] = result
            expected[page, role] = table[page][ROLES.index(role)]
    assert got == expected


def test_the_page_tables_cover_every_page_and_role():
    assert set(EXPECTED_PAGES) == set(PAGES)
    assert set(LISTS) <= set(PAGES) and set(MEMBERS_ONLY_PAGES) <= set(PAGES)
    assert all(len(row) == len(ROLES) for row in EXPECTED_PAGES_MEMBERS_ONLY.values())


# --- buttons (POST) ---------------------------------------------------------------------------------------

def _event_fields(title: str) -> dict:
    return {"title": title, "date": (today_jst() + timedelta(days=3)).isoformat(), "time": "10:00",
            "place": "公民館", "description": ""}


POSTS = {
    "join": ("/communities/{c}/join", {"message": "入れてください"}),
    "leave": ("/communities/{c}/leave", {}),
    "approve": ("/communities/{c}/members/{applicant}/approve", {}),
    "decline": ("/communities/{c}/members/{applicant}/decline", {}),
    "remove": ("/communities/{c}/members/{bystander}/remove", {}),
    "ban": ("/communities/{c}/members/{bystander}/ban", {}),
    "unban": ("/communities/{c}/members/{banned2}/unban", {}),
    "promote": ("/communities/{c}/members/{bystander}/promote", {}),
    "demote": ("/communities/{c}/members/{moderator}/demote", {}),
    "hand over": ("/communities/{c}/handover", {"member_id": "{bystander}"}),
    "edit settings": ("/communities/{c}/edit", {"name": "倉真の防災会（改）", "category": "防災", "description": "改",
                                               "join_policy": "open", "topic_visibility": MEMBERS_ONLY}),
    "create topic": ("/communities/{c}/topics/new", {"title": "新しい話題", "body": "本文"}),
    "comment": ("/topics/{t}/comments", {"body": "わたしも賛成です", "follow": "y"}),
    "edit topic": ("/topics/{t}/edit", {"title": "書き直し", "body": "書き直した本文"}),
    "pin": ("/topics/{t}/pin", {}),
    "close": ("/topics/{t}/close", {}),
    "delete topic": ("/topics/{t}/delete", {}),
    "delete comment": ("/topics/comments/{cm}/delete", {}),
    "create event": ("/communities/{c}/events/new", _event_fields("避難訓練")),
    "edit event": ("/events/{e}/edit", _event_fields("避難訓練（雨天決行）")),
    "delete event": ("/events/{e}/delete", {}),
    "attend": ("/events/{e}/attend", {"status": GOING}),
}

# done  a redirect, and stored rows changed      told  a redirect with a message; nothing changed
# 403 / 404 / login as above. Topics for members only (the stricter case; the services table covers both).
EXPECTED_POSTS = {
    #                   owner     moderator member    pending   banned    outsider  admin     logged_out
    "join":            ("told",  "told",   "told",   "told",   "403",    "done",   "done",   "login"),
    "leave":           ("told",  "done",   "done",   "done",   "told",   "told",   "told",   "login"),
    "approve":         ("done",  "done",   "403",    "403",    "403",    "403",    "403",    "login"),
    "decline":         ("done",  "done",   "403",    "403",    "403",    "403",    "403",    "login"),
    "remove":          ("done",  "done",   "403",    "403",    "403",    "403",    "403",    "login"),
    "ban":             ("done",  "done",   "403",    "403",    "403",    "403",    "403",    "login"),
    "unban":           ("done",  "done",   "403",    "403",    "403",    "403",    "403",    "login"),
    "promote":         ("done",  "403",    "403",    "403",    "403",    "403",    "403",    "login"),
    "demote":          ("done",  "403",    "403",    "403",    "403",    "403",    "403",    "login"),
    "hand over":       ("done",  "403",    "403",    "403",    "403",    "403",    "403",    "login"),
    "edit settings":   ("done",  "done",   "403",    "403",    "403",    "403",    "403",    "login"),
    "create topic":    ("done",  "done",   "done",   "403",    "403",    "403",    "403",    "login"),
    "comment":         ("done",  "done",   "done",   "404",    "404",    "404",    "404",    "login"),
    "edit topic":      ("403",   "403",    "done",   "404",    "404",    "404",    "404",    "login"),
    "pin":             ("done",  "done",   "403",    "404",    "404",    "404",    "404",    "login"),
    "close":           ("done",  "done",   "403",    "404",    "404",    "404",    "404",    "login"),
    "delete topic":    ("done",  "done",   "403",    "404",    "404",    "404",    "404",    "login"),
    "delete comment":  ("done",  "done",   "403",    "404",    "404",    "404",    "404",    "login"),
    "create event":    ("done",  "done",   "done",   "403",    "403",    "403",    "403",    "login"),
    "edit event":      ("done",  "done",   "403",    "404",    "404",    "404",    "404",    "login"),
    "delete event":    ("done",  "done",   "403",    "404",    "404",    "404",    "404",    "login"),
    "attend":          ("done",  "done",   "done",   "404",    "404",    "404",    "404",    "login"),
}


@pytest.mark.parametrize("action", list(POSTS))
def test_what_each_button_does_for_each_role(app, browser, action):
    """Each role presses the button on a fresh cast; as in test_community_permissions, the cast is built
    again only after a press that changed a stored row."""
    got, cast = {}, None
    for role in ROLES:
        if cast is None:
            wipe()
            cast = quick_cast(topic_visibility=MEMBERS_ONLY)
            ids = {"c": cast.community.id, "t": cast.topic.id, "cm": cast.comment.id, "e": cast.event.id,
                   **{who: cast[who].id for who in ("applicant", "bystander", "banned2", "moderator")}}
        path, fields = POSTS[action]
        client = browser(cast[role])
        before = snapshot(cast.community.id)
        response = client.post(path.format(**ids), data={k: v.format(**ids) for k, v in fields.items()})
        changed = snapshot(cast.community.id) != before
        result = outcome_of(response)
        if result == "302":
            result = "done" if changed else "told"
        elif changed:
            result += ", but stored rows changed"
        if role in OUTSIDERS and leaks(response):
            result += f", leaking {leaks(response)}"
        got[role] = result
        if changed:
            cast = None
    assert got == dict(zip(ROLES, EXPECTED_POSTS[action], strict=True))


def test_the_button_table_covers_every_button_and_role():
    assert set(EXPECTED_POSTS) == set(POSTS)
    assert all(len(row) == len(ROLES) for row in EXPECTED_POSTS.values())
