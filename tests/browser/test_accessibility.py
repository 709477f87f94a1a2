"""axe-core finds no WCAG 2 A/AA violation on the key pages, on a PC and on a phone.

One test per screen walks all the key pages (a browser tab, a login and the demo content cost more
than a page), and reports every page's findings together.
"""
from __future__ import annotations

import pytest

import site_content
from axe import describe, violations
from support import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", ["pc", "phone"])
def test_key_pages_work_with_screen_readers_and_keyboards(open_page, screen):
    findings = {}
    visitor = open_page(screen)
    for name, path in site_content.GUEST_PAGES.items():
        visitor.goto(path)
        findings[name] = violations(visitor)

    me, pages = site_content.build(PASSWORD)
    member = open_page(screen, me)
    for name in site_content.MEMBER_PAGES:
        response = member.goto(pages[name])
        assert response.status == 200, f"{name}: {pages[name]} answered {response.status}"
        findings[name] = violations(member)

    assert len(findings) == 13
    faults = {name: found for name, found in findings.items() if found}
    assert not faults, f"axe-core on the {screen} screen:\n" + "\n".join(
        f"{name}:\n{describe(found)}" for name, found in faults.items())
