"""The city's announcements on the top page: shown in their period on PC and keitai, gone at once when an
admin ends one, and read once per few seconds for every reader rather than once per page."""
from __future__ import annotations

from datetime import timedelta

from ejan.admin import announcements
from ejan.clock import today_jst
from ejan.extensions import db
from support import count_queries, html_of


def post(admin, title, *, starts_in=0, days=7):
    start = today_jst() + timedelta(days=starts_in)
    return announcements.create(admin, title=title, body=f"{title}の本文", starts_on=start,
                                ends_on=start + timedelta(days=days), broadcast=False)


def test_an_announcement_shows_on_every_top_page_in_its_period_and_goes_when_ended(
        browser, keitai, login, make_member):
    admin, reader = make_member("市役所", role="admin"), make_member("佐藤")
    pc = browser(reader)
    phone = keitai("au")
    login(phone, reader)
    assert "年末の窓口" not in pc.get("/").get_data(as_text=True)  # read (nothing) and kept for a few seconds
    found = post(admin, "年末の窓口")
    post(admin, "来月の訓練", starts_in=30)
    for page in (pc.get("/").get_data(as_text=True), html_of(phone.get("/")),
                 browser().get("/").get_data(as_text=True)):
        assert "年末の窓口" in page and "年末の窓口の本文" in page and "来月の訓練" not in page
    announcements.end_now(admin, found.id)
    assert "年末の窓口" not in pc.get("/").get_data(as_text=True)


def test_the_top_page_reads_the_announcements_once_for_every_reader(browser, make_member):
    admin = make_member("市役所", role="admin")
    post(admin, "年末の窓口")
    first, second = browser(make_member("佐藤")), browser(make_member("鈴木"))
    with count_queries(db.engine) as queries:
        assert "年末の窓口" in first.get("/").get_data(as_text=True)
    assert [q for q in queries.statements if "FROM announcements" in q]
    with count_queries(db.engine) as queries:
        assert "年末の窓口" in second.get("/").get_data(as_text=True)
    assert not [q for q in queries.statements if "FROM announcements" in q]
