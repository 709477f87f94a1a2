"""The key pages are well-formed where the Nu HTML checker found faults: no id given twice, no block
(a form, a list, a table...) opened inside a paragraph.

A browser repairs both silently (the second id is ignored by labels and fragment links; a <form>
closes the open <p>, and the author's </p> becomes a stray empty paragraph), so these run on the
HTML as served, with the Flask test client: no Chromium needed.
"""
from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest

import site_content
from support import PASSWORD, PC_UA


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Start tags that close an open <p> (HTML's tree-building rules), so written inside one they are a fault.
CLOSES_P = {"address", "article", "aside", "blockquote", "details", "dialog", "div", "dl", "fieldset", "figcaption",
            "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main",
            "menu", "nav", "ol", "p", "pre", "section", "table", "ul"}


class StructureCheck(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.ids: Counter = Counter()
        self.faults: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        if tag in CLOSES_P and "p" in self.open:
            self.faults.append(f"<{tag}> inside <p> (line {self.getpos()[0]})")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def report(self) -> list[str]:
        return self.faults + [f'id="{name}" {count} times' for name, count in self.ids.items() if count > 1]


def structure_faults(html: str) -> list[str]:
    check = StructureCheck()
    check.feed(html)
    check.close()
    return check.report()


def test_the_checker_finds_the_faults_it_looks_for():
    assert structure_faults('<p><form id="a"></form></p><input id="a">') == ['<form> inside <p> (line 1)', 'id="a" 2 times']
    assert structure_faults('<p>a<br><span id="b">b</span></p><form><p>c</p></form>') == []


def test_the_key_pages_have_unique_ids_and_no_block_inside_a_paragraph(app, csrf_on, login):
    me, pages = site_content.build(PASSWORD)
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = PC_UA
    faults = {name: structure_faults(client.get(path).get_data(as_text=True))
              for name, path in site_content.GUEST_PAGES.items()}
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"email": me.email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    for name in site_content.MEMBER_PAGES:
        response = client.get(pages[name])
        assert response.status_code == 200, name
        faults[name] = structure_faults(response.get_data(as_text=True))
    faults = {name: found for name, found in faults.items() if found}
    assert not faults, faults
