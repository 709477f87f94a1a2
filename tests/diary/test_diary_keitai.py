"""The diary on keitai: Shift_JIS in and out, the session carried in URLs for a cookieless DoCoMo,
photos behind links to their 240 px JPEG, long entries in parts, and every page inside 10 KB."""
from __future__ import annotations

import html as htmllib
import io
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from PIL import Image
from sqlalchemy import select

from ejan.clock import today_jst
from ejan.diary import services
from ejan.diary.models import FRIENDS, MEMBERS, DiaryComment, DiaryEntry, Footprint
from ejan.extensions import db
from support import PASSWORD, form_action, hidden_fields, html_of, links, session_token, sjis_post

PARAM = "ejs"
BUDGET = 10 * 1024














def sjis_multipart(client, url: str, fields: dict):
    """What a phone sends for an enctype=multipart/form-data form: raw Shift_JIS in every part."""
    boundary = "keitaiboundary"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value.encode("cp932") + b"\r\n"
        for name, value in fields.items()) + f"--{boundary}--\r\n".encode()
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def with_session(url: str, token: str | None) -> str:
    if not token:
        return url
    return f"{url}{'&' if '?' in url else '?'}{PARAM}={token}"


class Phone:
    """A logged-in keitai: `get(path)` adds the session to the URL when the phone has no cookies."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    def get(self, path: str):
        response = self.client.get(with_session(path, self.token))
        assert len(response.data) <= BUDGET, f"{path} is {len(response.data)} bytes"
        return response

    def page(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return html_of(response)


@pytest.fixture
def phone(keitai):
    def make(member, kind: str = "docomo_nocookie") -> Phone:
        client = keitai(kind)
        login_page = html_of(client.get("/login"))
        fields = {**hidden_fields(login_page, "/login"), "email": member.email, "password": PASSWORD}
        response = sjis_post(client, form_action(login_page, "/login"), fields)
        assert response.status_code == 302, html_of(response)
        return Phone(client, session_token(response.headers["Location"]))

    return make


def jpeg(size=(600, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (60, 130, 60)).save(out, "JPEG")
    return out.getvalue()


# --- Shift_JIS and the session in URLs -------------------------------------------------------------

def test_a_cookieless_docomo_reads_an_entry_in_shift_jis(make_member, phone):
    sato = make_member("佐藤")
    entry = services.create_entry(sato, title="髙橋さんの新茶", body="倉真の茶畑で摘みました。", visibility=MEMBERS)
    docomo = phone(make_member("鈴木"))
    response = docomo.get(f"/diary/{entry.id}")
    assert response.content_type == "text/html; charset=Shift_JIS"
    page = html_of(response)
    assert "髙橋さんの新茶" in page and "倉真の茶畑で摘みました。" in page
    assert "<img" not in page and "<script" not in page.lower() and "accesskey" in page
    internal = [h for h in links(page) if h.startswith("/") and not h.startswith("/static")]
    assert internal and all(session_token(h) == docomo.token for h in internal)


def test_a_japanese_comment_from_a_cookieless_docomo_is_stored_right(make_member, phone):
    sato = make_member("佐藤")
    entry = services.create_entry(sato, title="新茶", body="本文", visibility=MEMBERS)
    docomo = phone(make_member("鈴木"))
    page = docomo.page(f"/diary/{entry.id}")
    action = form_action(page, f"/diary/{entry.id}/comments")
    assert session_token(action) == docomo.token
    fields = hidden_fields(page, f"/diary/{entry.id}/comments")
    text = "髙橋さんの畑のお茶、①番茶から②番茶まで飲み比べました～"  # 髙 ① ② ～: only cp932 has them
    response = sjis_post(docomo.client, action, {**fields, "body": text, "follow": "y"})
    assert response.status_code == 302, html_of(response)
    assert session_token(response.headers["Location"]) == docomo.token
    (comment,) = db.session.scalars(select(DiaryComment)).all()
    assert comment.body == text
    shown = html_of(docomo.client.get(response.headers["Location"]))
    assert text in shown


def test_a_keitai_comment_sent_twice_is_stored_once(make_member, phone):
    entry = services.create_entry(make_member("佐藤"), title="新茶", body="本文", visibility=MEMBERS)
    docomo = phone(make_member("鈴木"))
    page = docomo.page(f"/diary/{entry.id}")
    action = form_action(page, f"/diary/{entry.id}/comments")
    fields = {**hidden_fields(page, f"/diary/{entry.id}/comments"), "body": "電波が悪くて二回送信"}
    assert fields.get("submit_token")
    assert sjis_post(docomo.client, action, fields).status_code == 302
    assert sjis_post(docomo.client, action, fields).status_code == 302
    assert len(db.session.scalars(select(DiaryComment)).all()) == 1


def test_a_keitai_comment_works_with_csrf_protection_on(make_member, phone, csrf_on):
    entry = services.create_entry(make_member("佐藤"), title="新茶", body="本文", visibility=MEMBERS)
    docomo = phone(make_member("鈴木"))
    page = docomo.page(f"/diary/{entry.id}")
    fields = hidden_fields(page, f"/diary/{entry.id}/comments")
    assert "csrf_token" in fields
    response = sjis_post(docomo.client, form_action(page, f"/diary/{entry.id}/comments"), {**fields, "body": "保護付き"})
    assert response.status_code == 302
    assert db.session.scalars(select(DiaryComment.body)).all() == ["保護付き"]


def test_an_empty_keitai_comment_comes_back_with_the_message_inside_the_budget(make_member, phone):
    entry = services.create_entry(make_member("佐藤"), title="新茶", body="茶" * 5000, visibility=MEMBERS)
    docomo = phone(make_member("鈴木"))
    page = docomo.page(f"/diary/{entry.id}")
    action = form_action(page, f"/diary/{entry.id}/comments")
    too_long = "あ" * 2001
    response = sjis_post(docomo.client, action, {**hidden_fields(page, "/comments"), "body": too_long})
    assert response.status_code == 400 and len(response.data) <= BUDGET
    shown = html_of(response)
    assert "コメントは2,000文字以内にしてください。" in shown and too_long in shown
    assert db.session.scalars(select(DiaryComment)).all() == []


def test_a_keitai_writes_an_entry_in_shift_jis(make_member, phone):
    sato = make_member("佐藤")
    docomo = phone(sato)
    page = docomo.page("/diary/new")
    action = form_action(page, "/diary/new")
    fields = hidden_fields(page, "/diary/new")
    response = sjis_multipart(docomo.client, action, {**fields, "title": "髙天神城跡へ",
                                                      "body": "一行目\r\n二行目～", "visibility": FRIENDS})
    assert response.status_code == 302, html_of(response)
    (entry,) = db.session.scalars(select(DiaryEntry)).all()
    assert (entry.title, entry.body, entry.visibility) == ("髙天神城跡へ", "一行目\r\n二行目～", FRIENDS)
    assert session_token(response.headers["Location"]) == docomo.token


def test_the_site_feed_on_keitai_is_shift_jis_and_pages_by_ten(make_member, phone):
    sato = make_member("佐藤")
    for i in range(23):
        entry = services.create_entry(sato, title=f"掛川便り{i:02d}", body="本文", visibility=MEMBERS)
        entry.created_at = datetime(2026, 4, 1) + timedelta(hours=i)
    db.session.commit()
    docomo = phone(make_member("鈴木"))
    first = docomo.get("/diary/everyone")
    assert first.content_type == "text/html; charset=Shift_JIS"
    page = html_of(first)
    assert re.findall(r"掛川便り(\d\d)", page) == [f"{i:02d}" for i in range(22, 12, -1)]
    (next_link,) = [h for h in links(page) if "/diary/everyone" in h and "page=2" in h]
    assert session_token(next_link) == docomo.token
    assert 'accesskey="#"' in page
    third = html_of(docomo.client.get(next_link.replace("page=2", "page=3")))
    assert re.findall(r"掛川便り(\d\d)", third) == ["02", "01", "00"]


# --- photos and links -----------------------------------------------------------------------------------

def test_photos_are_links_to_their_240px_jpeg_not_images(make_member, phone):
    sato = make_member("佐藤")
    entry = services.create_entry(sato, title="茶畑の写真", body="二枚", visibility=MEMBERS,
                                  photos=[io.BytesIO(jpeg()), io.BytesIO(jpeg((300, 900)))])
    docomo = phone(make_member("鈴木"))
    page = docomo.page(f"/diary/{entry.id}")
    assert "<img" not in page
    photo_links = [h for h in links(page) if "/diary/photos/" in h]
    assert [urlsplit(h).path for h in photo_links] == [f"/diary/photos/{p.id}/keitai" for p in entry.photos]
    for link in photo_links:
        response = docomo.client.get(link)
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert max(Image.open(io.BytesIO(response.data)).size) == 240


def test_addresses_in_an_entry_go_through_the_jump_page_without_the_session(make_member, phone):
    sato = make_member("佐藤")
    url = "https://www.city.kakegawa.shizuoka.jp/kanko/?page=1&lang=ja"
    entry = services.create_entry(sato, title="市のページ", body=f"詳しくは {url} へ", visibility=MEMBERS)
    services.add_comment(sato, entry.id, f"こちらも {url}")
    docomo = phone(make_member("鈴木"))
    page = docomo.page(f"/diary/{entry.id}")
    jumps = [h for h in links(page) if h.startswith("/jump")]
    assert jumps and all(PARAM not in h for h in jumps), "the session id must not travel to another site"
    assert all(parse_qs(urlsplit(h).query)["url"] == [url] for h in jumps)
    assert f'href="{htmllib.escape(url)}"' not in page, "no direct link out of the site from a keitai page"
    jump = docomo.client.get(jumps[0])
    assert jump.status_code == 200 and url in htmllib.unescape(html_of(jump))


# --- long entries and the 10 KB budget -----------------------------------------------------------------

def test_a_ten_thousand_character_entry_is_read_in_parts(make_member, phone):
    sato = make_member("佐藤")
    lines = [f"第{n:03d}行" + "茶" * 44 for n in range(200)]  # 50 characters a line, 10,000 with the breaks
    body = "\n".join(lines)[:10_000]
    entry = services.create_entry(sato, title="長い日記", body=body, visibility=MEMBERS)
    docomo = phone(make_member("鈴木"))
    first = docomo.page(f"/diary/{entry.id}")
    parts = int(re.search(r"\(1/(\d+)\)", first).group(1))
    assert parts > 1
    seen = []
    for part in range(1, parts + 1):
        page = docomo.page(f"/diary/{entry.id}?part={part}")  # Phone.get asserts the 10 KB budget
        assert f"({part}/{parts})" in page
        if part < parts:
            assert any(f"part={part + 1}" in h and session_token(h) == docomo.token for h in links(page))
        seen += re.findall(r"第(\d{3})行", page)
    assert seen == [f"{n:03d}" for n in range(200)], "every line once, in order, over all parts"
    assert "第199行" in docomo.page(f"/diary/{entry.id}?part=99"), "a part past the end shows the last part"


def test_a_long_entry_is_one_page_on_a_pc(browser, make_member):
    sato = make_member("佐藤")
    entry = services.create_entry(sato, title="長い日記", body="茶" * 9_999 + "終", visibility=MEMBERS)
    page = browser(make_member("鈴木")).get(f"/diary/{entry.id}?part=2").get_data(as_text=True)
    assert "茶" * 9_999 + "終" in page


def test_a_long_comment_is_cut_on_the_entry_page_and_whole_on_its_own(make_member, phone):
    sato = make_member("佐藤")
    entry = services.create_entry(sato, title="日記", body="本文", visibility=MEMBERS)
    comment = services.add_comment(make_member("高橋"), entry.id, "長" * 1999 + "末")
    docomo = phone(make_member("鈴木"))
    page = docomo.page(f"/diary/{entry.id}")
    assert "長" * 1999 + "末" not in page
    (full,) = [h for h in links(page) if f"/diary/comments/{comment.id}" in h and "delete" not in h]
    assert "長" * 1999 + "末" in html_of(docomo.client.get(full))


def test_a_very_long_entry_is_not_offered_for_editing_on_keitai(make_member, phone):
    sato = make_member("佐藤")
    entry = services.create_entry(sato, title="長い日記", body="茶" * 10_000, visibility=MEMBERS)
    page = phone(sato).page(f"/diary/{entry.id}/edit")
    assert "携帯では編集できません" in page and "<textarea" not in page


def test_every_keitai_diary_page_stays_under_10_kb_for_a_busy_member(make_member, befriend, phone):
    """The fullest pages we can make: longest titles, nicknames and comments, and many of everything."""
    sato = make_member("茶" * 40)
    friends = [make_member("友" * 40) for _ in range(12)]
    for friend in friends:
        befriend(sato, friend)
    longest = None
    for i in range(30):
        author = sato if i % 2 else friends[i % len(friends)]
        entry = services.create_entry(author, title="題" * 100, body=("本文" * 2500)[:10_000], visibility=MEMBERS,
                                      photos=[io.BytesIO(jpeg((40, 30))) for _ in range(3)] if i == 1 else ())
        longest = longest or (entry if author is sato else None)
    entry_id = longest.id
    for friend in friends:
        services.add_comment(friend, entry_id, "コメ" * 1000, follow=True)
    comment_id = services.add_comment(sato, entry_id, "返" * 2000).id
    docomo = phone(sato)
    for friend in friends:
        db.session.add(Footprint(owner_id=sato.id, visitor_id=friend.id, day=datetime(2026, 4, 1).date(),
                                 visited_at=datetime(2026, 4, 1)))
    db.session.commit()
    today = today_jst()
    pages = [
        "/diary/friends", "/diary/friends?page=2", "/diary/everyone", "/diary/everyone?page=3",
        f"/members/{sato.id}/diary", f"/members/{friends[0].id}/diary",
        f"/members/{sato.id}/diary/{today.year}/{today.month}",
        f"/diary/search?q={quote('題')}", f"/diary/search?q={quote('題' * 100)}", f"/diary/search?q={quote('題' * 101)}",
        f"/diary/{entry_id}", f"/diary/{entry_id}?part=2", f"/diary/{entry_id}?part=99", f"/diary/{entry_id}?page=2",
        f"/diary/comments/{comment_id}", f"/diary/comments/{comment_id}/delete",
        "/diary/new", f"/diary/{entry_id}/edit", f"/diary/{entry_id}/delete",
        "/footprints", "/diary/settings", "/diary/999999",
    ]
    for path in pages:
        response = docomo.get(path)  # asserts the budget; the app itself raises in tests when over it
        assert response.status_code in (200, 404), path
        assert b"accesskey" in response.data, path
        assert b"<script" not in response.data.lower(), path


def test_a_keitai_page_over_budget_would_fail_this_module(app, make_member, phone):
    """The budget check is live for diary pages too (so the test above proves something)."""
    from ejan.mobile.render import PageBudgetExceeded

    entry = services.create_entry(make_member("佐藤"), title="日記", body="茶" * 1000, visibility=MEMBERS)
    docomo = phone(make_member("鈴木"))
    app.config["EJAN_KEITAI_PAGE_BUDGET"] = 1000
    try:
        with pytest.raises(PageBudgetExceeded):
            docomo.client.get(with_session(f"/diary/{entry.id}", docomo.token))
    finally:
        app.config["EJAN_KEITAI_PAGE_BUDGET"] = BUDGET
