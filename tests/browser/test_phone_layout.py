"""On a phone the menu is one line and pages fit the screen's width; the menu shows where you are."""
from __future__ import annotations

import pytest

import site_content
from support import PASSWORD

pytestmark = pytest.mark.browser

MENU = "header nav.main-nav"

# The height of ONE line of the menu, worked out from the CSS rather than measured from the menu
# itself (a menu wrapped to three rows is still three rows of the same entries): an entry's
# computed line-height plus its own padding and border, top and bottom, plus the menu's padding
# and border. The menu's box may be that tall and no taller; the one pixel allows for the browser
# rounding fractional pixels (1.7 x 16 px = 27.2 px).
ONE_LINE_OF_MENU = """menu => {
  const px = (style, name) => parseFloat(style.getPropertyValue(name)) || 0;
  const entry = getComputedStyle(menu.querySelector('a'));
  const box = getComputedStyle(menu);
  const line = px(entry, 'line-height')
    + px(entry, 'padding-top') + px(entry, 'padding-bottom')
    + px(entry, 'border-top-width') + px(entry, 'border-bottom-width');
  const own = px(box, 'padding-top') + px(box, 'padding-bottom')
    + px(box, 'border-top-width') + px(box, 'border-bottom-width');
  return {line, allowed: line + own + 1, height: menu.getBoundingClientRect().height,
          tops: new Set([...menu.children].map(c => Math.round(c.getBoundingClientRect().top))).size};
}"""


@pytest.fixture
def resident():
    return site_content.build(PASSWORD)


def test_on_a_phone_the_whole_menu_takes_one_line_of_the_first_screen(open_page, resident):
    me, pages = resident
    page = open_page("phone", me)
    page.goto(pages["home"])
    menu = page.locator(MENU)
    assert menu.locator("a").count() >= 8, "the menu under test is not the main menu"
    sizes = menu.evaluate(ONE_LINE_OF_MENU)
    assert sizes["line"] > 20  # a real line of 16 px text, not a style that failed to load
    assert sizes["height"] <= sizes["allowed"], sizes
    assert sizes["tops"] == 1, "menu entries on more than one row"
    # The menu sits in the first screen, and every entry can still be reached (by scrolling it sideways).
    assert menu.bounding_box()["y"] + sizes["height"] <= 844
    for link in menu.locator("a").all():
        assert link.is_visible()


def test_on_a_pc_the_menu_shows_every_entry_without_scrolling(open_page, resident):
    me, pages = resident
    page = open_page("pc", me)
    page.goto(pages["home"])
    assert page.locator(MENU).evaluate("m => m.scrollWidth <= m.clientWidth")


@pytest.mark.parametrize("screen", ["pc", "phone"])
def test_the_sent_invitations_fit_a_phone_screen(open_page, resident, screen):
    me, pages = resident
    page = open_page(screen, me)
    page.goto(pages["invitations"])
    # Against the screen's width, not window.innerWidth: a phone browser widens its layout viewport
    # to whatever overflows (here to 511 px), so innerWidth always "fits".
    width = page.viewport_size["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width, "the page scrolls sideways"
    revoke = page.get_by_role("button", name="取り消す")
    assert revoke.count() == 2  # two invitations still open, one used
    for button in revoke.all():
        # One line of text: the label is not broken a character per line.
        lines = button.evaluate("""b => { const text = document.createRange(); text.selectNodeContents(b);
            return new Set([...text.getClientRects()].map(r => Math.round(r.top))).size; }""")
        assert lines == 1, f"取り消す is written on {lines} lines"
    for email in site_content.INVITED[:2]:
        assert page.get_by_text(email).is_visible()


@pytest.mark.parametrize("screen", ["pc", "phone"])
def test_the_menu_shows_which_page_you_are_on(open_page, resident, screen):
    me, pages = resident
    page = open_page(screen, me)
    look = "a => { const s = getComputedStyle(a); return [s.backgroundColor, s.color, s.fontWeight]; }"
    # The first entry, one from the middle and the last but one (past a phone screen's right edge).
    for name, label in (("home", "ホーム"), ("notifications", "お知らせ"), ("invitations", "招待する")):
        page.goto(pages[name])
        menu = page.locator(MENU)
        current = menu.locator('a[aria-current="page"]')
        assert current.count() == 1 and current.inner_text().strip() == label
        assert current.is_visible()
        current_look, other_look = current.evaluate(look), menu.locator("a:not([aria-current])").first.evaluate(look)
        # Filled in a colour of its own and in bold, so it differs by more than colour alone.
        assert current_look[0] != other_look[0] and current_look[2] != other_look[2], (name, current_look, other_look)
        # On the phone the strip has scrolled so the current entry is inside it, not past its edge.
        inside = current.evaluate("""a => { const m = a.closest('nav').getBoundingClientRect(), r = a.getBoundingClientRect();
            return r.left >= m.left - 1 && r.right <= m.right + 1; }""")
        assert inside, f"{label} is outside the menu's visible strip"
