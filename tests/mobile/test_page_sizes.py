"""How many rows a page holds: one setting per template set (EJAN_PAGE_SIZES), read through mobile.per_page()."""
from __future__ import annotations

import pytest

from ejan.communities import directory, membership
from ejan.mobile import per_page
from support import PC_UA, html_of, keitai_login

# The sizes residents know; moving them into the setting must not have changed one of them.
KNOWN = {
    "pc": {"list": 20, "comments": 20, "requests": 20,
           "community_topics": 5, "community_events": 5, "community_members": 12},
    "mobile": {"list": 10, "comments": 5, "requests": 5,
               "community_topics": 5, "community_events": 3, "community_members": 6},
}


def test_the_page_sizes_are_the_ones_residents_know(app):
    assert app.config["EJAN_PAGE_SIZES"] == KNOWN


@pytest.mark.parametrize("view, chosen", [("pc", "pc"), ("lite", "mobile")])
def test_per_page_reads_the_sizes_of_the_template_set_in_use(app, monkeypatch, view, chosen):
    monkeypatch.setitem(app.config, "EJAN_PAGE_SIZES", {"pc": {"list": 7, "comments": 8},
                                                        "mobile": {"list": 2, "comments": 3}})
    with app.test_request_context(f"/?view={view}", headers={"User-Agent": PC_UA}):
        assert (per_page(), per_page("comments")) == {"pc": (7, 8), "mobile": (2, 3)}[chosen]


def test_the_community_page_shows_as_many_members_as_its_template_set_says(app, monkeypatch, make_member,
                                                                             browser, keitai):
    owner = make_member("管理人さん")
    community = directory.create_community(owner, name="倉真の茶摘み会", category="趣味", description="茶摘み")
    joiners = [make_member(f"会員{n}さん") for n in range(3)]
    for joiner in joiners:
        membership.join(joiner, community.id)
    sizes = {"pc": {**KNOWN["pc"], "community_members": 3}, "mobile": {**KNOWN["mobile"], "community_members": 2}}
    monkeypatch.setitem(app.config, "EJAN_PAGE_SIZES", sizes)

    pc_page = html_of(browser(owner).get(f"/communities/{community.id}"))
    phone = keitai("au")
    keitai_login(phone, owner)
    keitai_page = html_of(phone.get(f"/communities/{community.id}"))

    shown = lambda page: [m.nickname for m in [owner, *joiners] if m.nickname in page]  # noqa: E731
    assert shown(pc_page) == ["管理人さん", "会員0さん", "会員1さん"]
    assert shown(keitai_page) == ["管理人さん", "会員0さん"]
