"""Writing, editing and deleting an entry: what the author sees when something is wrong, photos, and
that nobody but the author can change or remove an entry."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from ejan import media
from ejan.diary import services
from ejan.diary.models import FRIENDS, MEMBERS, PRIVATE, DiaryComment, DiaryEntry, DiaryPhoto
from ejan.errors import Forbidden, Invalid, NotFound
from ejan.extensions import db

TITLE = "粟ヶ岳の茶文字"
BODY = "今朝は霧が晴れて、\n茶文字がよく見えました。"


def jpeg(color=(30, 120, 40), size=(48, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg"):
    return (io.BytesIO(data), name)


def entries() -> list[DiaryEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(DiaryEntry).order_by(DiaryEntry.id)))


def stored_images(app) -> set[str]:
    return {p.name for p in Path(app.config["EJAN_MEDIA_DIR"]).glob("*/*") if p.is_dir()}


def new_entry(client, **fields):
    data = {"title": TITLE, "body": BODY, "visibility": MEMBERS, "submit_token": "tok-" + str(len(fields))}
    data.update(fields)
    return client.post("/diary/new", data=data, content_type="multipart/form-data")


def html(response) -> str:
    return response.get_data(as_text=True)


def textarea(page: str, name: str) -> str:
    """What a textarea holds, unescaped: the text the resident will see in the box."""
    import html as htmllib

    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name}"
    return htmllib.unescape(match.group(1)).lstrip("\r\n")


def input_value(page: str, name: str) -> str:
    import html as htmllib

    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, f"no input {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return htmllib.unescape(value.group(1)) if value else ""


# --- writing ---------------------------------------------------------------------------------------

def test_a_new_entry_with_three_photos_is_shown_with_its_photos(browser, make_member):
    sato = make_member("佐藤")
    client = browser(sato)
    response = new_entry(client, photo1=upload(jpeg()), photo2=upload(jpeg((200, 0, 0))),
                         photo3=upload(jpeg((0, 0, 200))))
    assert response.status_code == 302
    (entry,) = entries()
    assert response.headers["Location"].endswith(f"/diary/{entry.id}")
    assert (entry.title, entry.body, entry.visibility, entry.author_id) == (TITLE, BODY, MEMBERS, sato.id)
    assert [p.position for p in entry.photos] == [0, 1, 2]
    page = html(client.get(f"/diary/{entry.id}"))
    assert TITLE in page
    for photo in entry.photos:
        assert f"/diary/photos/{photo.id}/pc" in page
        image = client.get(f"/diary/photos/{photo.id}/pc")
        assert image.status_code == 200 and image.mimetype == "image/jpeg"


@pytest.mark.parametrize("missing, kept", [("title", "body"), ("body", "title")])
def test_an_empty_title_or_body_shows_the_form_again_with_what_was_typed(browser, make_member, missing, kept):
    client = browser(make_member("佐藤"))
    response = new_entry(client, **{missing: "   "})
    assert response.status_code == 200
    page = html(response)
    assert "入力してください。" in page
    if kept == "body":
        assert textarea(page, "body") == BODY
    else:
        assert input_value(page, "title") == TITLE
    assert entries() == []


def test_an_empty_title_and_body_keep_the_chosen_visibility(browser, make_member):
    client = browser(make_member("佐藤"))
    page = html(new_entry(client, title="", body="", visibility=PRIVATE))
    assert page.count("入力してください。") == 2
    assert re.search(r'<option[^>]*selected[^>]*value="private"|<option[^>]*value="private"[^>]*selected', page)


def test_a_body_over_ten_thousand_characters_is_refused_with_its_length_and_kept(browser, make_member):
    client = browser(make_member("佐藤"))
    long_body = "茶" * 10_000 + "葉"
    response = new_entry(client, body=long_body)
    assert response.status_code == 200
    page = html(response)
    assert "本文は10,000文字以内にしてください（いまは10,001文字です）。" in page
    assert textarea(page, "body") == long_body
    assert input_value(page, "title") == TITLE
    assert entries() == []


def test_a_body_of_exactly_ten_thousand_characters_is_accepted(browser, make_member):
    client = browser(make_member("佐藤"))
    assert new_entry(client, body="茶" * 10_000).status_code == 302
    assert len(entries()[0].body) == 10_000


def test_a_title_over_100_characters_is_refused(browser, make_member):
    client = browser(make_member("佐藤"))
    page = html(new_entry(client, title="茶" * 101))
    assert "タイトルは100文字以内にしてください。" in page
    assert entries() == []


@pytest.mark.parametrize("bad, message", [
    (b"this is a letter, not a photo", media.NOT_AN_IMAGE),
    (jpeg(size=(400, 300))[:400], media.BROKEN),
], ids=["not-an-image", "truncated-jpeg"])
def test_a_broken_photo_among_good_ones_refuses_the_post_and_keeps_the_text(app, browser, make_member, bad, message):
    client = browser(make_member("佐藤"))
    before = stored_images(app)
    response = new_entry(client, photo1=upload(jpeg()), photo2=upload(bad, "broken.jpg"))
    assert response.status_code == 200
    page = html(response)
    assert message in page and "写真はもう一度選んでください" in page
    assert input_value(page, "title") == TITLE and textarea(page, "body") == BODY
    assert entries() == []
    assert stored_images(app) == before, "the good photo stored before the bad one must be removed again"


def test_a_fourth_photo_is_refused(make_member):
    sato = make_member("佐藤")
    with pytest.raises(Invalid, match="3枚まで"):
        services.create_entry(sato, title=TITLE, body=BODY, visibility=MEMBERS,
                              photos=[io.BytesIO(jpeg()) for _ in range(4)])
    assert entries() == []


def test_a_fourth_photo_added_on_edit_is_refused_and_the_entry_is_unchanged(browser, make_member):
    sato = make_member("佐藤")
    entry = services.create_entry(sato, title=TITLE, body=BODY, visibility=MEMBERS,
                                  photos=[io.BytesIO(jpeg()) for _ in range(3)])
    client = browser(sato)
    response = client.post(f"/diary/{entry.id}/edit", content_type="multipart/form-data",
                           data={"title": "変えたい", "body": BODY, "visibility": MEMBERS, "photo1": upload(jpeg())})
    assert response.status_code == 200
    assert "写真は1件の日記に3枚までです。" in html(response)
    (stored,) = entries()
    assert stored.title == TITLE and len(stored.photos) == 3


def test_the_same_form_sent_twice_makes_one_entry(browser, make_member):
    client = browser(make_member("佐藤"))
    first = new_entry(client, submit_token="double-click")
    second = new_entry(client, submit_token="double-click")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(entries()) == 1


def test_a_tampered_overlong_form_token_does_not_break_the_post(browser, make_member):
    client = browser(make_member("佐藤"))
    assert new_entry(client, submit_token="x" * 300).status_code == 302
    assert len(entries()) == 1


def test_the_default_visibility_from_the_settings_is_preselected(browser, make_member):
    sato = make_member("佐藤")
    client = browser(sato)
    assert client.post("/diary/settings", data={"default_visibility": FRIENDS}).status_code == 302
    page = html(client.get("/diary/new"))
    selected = re.findall(r'<option([^>]*)>', page)
    chosen = [o for o in selected if "selected" in o]
    assert len(chosen) == 1 and 'value="friends"' in chosen[0]


def test_without_settings_new_entries_default_to_all_members(browser, make_member):
    page = html(browser(make_member("佐藤")).get("/diary/new"))
    chosen = [o for o in re.findall(r'<option([^>]*)>', page) if "selected" in o]
    assert len(chosen) == 1 and 'value="members"' in chosen[0]


# --- what the body shows ----------------------------------------------------------------------------

def test_html_in_a_body_is_shown_as_text_and_addresses_become_links(browser, make_member):
    sato = make_member("佐藤")
    body = ('<script>alert("x")</script><b>太字</b>\n'
            "詳しくは https://www.city.kakegawa.shizuoka.jp/?a=1&b=2 を見てください。\n三行目")
    entry = services.create_entry(sato, title="<i>題</i>", body=body, visibility=MEMBERS)
    page = html(browser(make_member("鈴木")).get(f"/diary/{entry.id}"))
    assert "<script>alert" not in page and "<b>太字</b>" not in page and "<i>題</i>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;太字&lt;/b&gt;" in page
    assert '<a href="https://www.city.kakegawa.shizuoka.jp/?a=1&amp;b=2" rel="nofollow noopener noreferrer">' in page
    assert "&lt;/b&gt;<br>\n詳しくは" in page and "ください。<br>\n三行目" in page


def test_a_javascript_address_is_never_a_link(browser, make_member):
    sato = make_member("佐藤")
    entry = services.create_entry(sato, title="題", body="javascript:alert(1) と data:text/html,x", visibility=MEMBERS)
    page = html(browser(sato).get(f"/diary/{entry.id}"))
    assert 'href="javascript:' not in page and 'href="data:' not in page


# --- editing -----------------------------------------------------------------------------------------

def test_the_author_edits_text_visibility_and_swaps_a_photo(app, browser, make_member):
    sato = make_member("佐藤")
    entry = services.create_entry(sato, title=TITLE, body=BODY, visibility=MEMBERS,
                                  photos=[io.BytesIO(jpeg()), io.BytesIO(jpeg((9, 9, 9)))])
    first, second = entry.photos
    first_key, first_id = first.image_key, first.id
    client = browser(sato)
    form = html(client.get(f"/diary/{entry.id}/edit"))
    assert input_value(form, "title") == TITLE and textarea(form, "body") == BODY
    assert f'name="remove_photos" value="{first_id}"' in form
    response = client.post(f"/diary/{entry.id}/edit", content_type="multipart/form-data", data={
        "title": "茶文字（追記）", "body": "追記しました。", "visibility": FRIENDS,
        "remove_photos": [str(first_id)], "photo1": upload(jpeg((250, 250, 0)))})
    assert response.status_code == 302
    (stored,) = entries()
    assert (stored.title, stored.body, stored.visibility) == ("茶文字（追記）", "追記しました。", FRIENDS)
    assert stored.updated_at is not None
    assert len(stored.photos) == 2 and first_id not in {p.id for p in stored.photos}
    assert first_key not in stored_images(app), "the removed photo's files must be gone"
    assert client.get(f"/diary/photos/{first_id}/pc").status_code == 404


def test_removing_every_photo_leaves_the_entry_without_photos(browser, make_member):
    sato = make_member("佐藤")
    entry = services.create_entry(sato, title=TITLE, body=BODY, visibility=MEMBERS,
                                  photos=[io.BytesIO(jpeg()) for _ in range(3)])
    ids = [str(p.id) for p in entry.photos]
    response = browser(sato).post(f"/diary/{entry.id}/edit", content_type="multipart/form-data",
                                  data={"title": TITLE, "body": BODY, "visibility": MEMBERS, "remove_photos": ids})
    assert response.status_code == 302
    assert entries()[0].photos == []


def test_an_edit_with_an_empty_body_keeps_the_stored_entry_and_the_typed_title(browser, make_member):
    sato = make_member("佐藤")
    entry = services.create_entry(sato, title=TITLE, body=BODY, visibility=MEMBERS)
    response = browser(sato).post(f"/diary/{entry.id}/edit", data={"title": "新しい題", "body": "", "visibility": MEMBERS})
    assert response.status_code == 200
    page = html(response)
    assert "入力してください。" in page and input_value(page, "title") == "新しい題"
    assert entries()[0].body == BODY and entries()[0].title == TITLE


@pytest.mark.parametrize("who", ["friend", "other"])
def test_nobody_else_can_edit_an_entry(browser, make_member, befriend, who):
    sato, visitor = make_member("佐藤"), make_member("鈴木")
    if who == "friend":
        befriend(sato, visitor)
    entry = services.create_entry(sato, title=TITLE, body=BODY, visibility=MEMBERS)
    client = browser(visitor)
    form = client.get(f"/diary/{entry.id}/edit")
    assert form.status_code == 302 and form.headers["Location"].endswith(f"/diary/{entry.id}")
    post = client.post(f"/diary/{entry.id}/edit", data={"title": "乗っ取り", "body": "x", "visibility": PRIVATE})
    assert post.status_code in (302, 404)
    assert (entries()[0].title, entries()[0].visibility) == (TITLE, MEMBERS)
    with pytest.raises(NotFound):
        services.update_entry(visitor, entry.id, title="乗っ取り", body="x", visibility=PRIVATE)


@pytest.mark.parametrize("visibility", [MEMBERS, FRIENDS, PRIVATE])
def test_only_the_author_gets_the_edit_and_delete_pages_of_an_entry(make_member, befriend, visibility):
    """editable_entry() is the rule behind both pages: the author gets the entry, someone who can read it is
    told no (the views send them back to the entry), and someone who cannot read it learns nothing."""
    sato, friend, other = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    befriend(sato, friend)
    entry = services.create_entry(sato, title=TITLE, body=BODY, visibility=visibility)
    assert services.editable_entry(sato, entry.id) is entry
    for visitor in (friend, other):
        expected = Forbidden if services.can_see(visitor, entry) else NotFound
        with pytest.raises(expected):
            services.editable_entry(visitor, entry.id)
    with pytest.raises(NotFound):
        services.editable_entry(sato, entry.id + 1000)


def test_an_entry_one_cannot_see_cannot_be_edited_either(browser, make_member):
    sato = make_member("佐藤")
    entry = services.create_entry(sato, title=TITLE, body=BODY, visibility=PRIVATE)
    client = browser(make_member("鈴木"))
    assert client.get(f"/diary/{entry.id}/edit").status_code == 404
    assert client.post(f"/diary/{entry.id}/edit", data={"title": "x", "body": "x", "visibility": MEMBERS}).status_code == 404
    assert entries()[0].title == TITLE


# --- deleting ----------------------------------------------------------------------------------------

def test_the_author_confirms_then_deletes_with_photos_and_comments(app, browser, make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    entry = services.create_entry(sato, title=TITLE, body=BODY, visibility=MEMBERS, photos=[io.BytesIO(jpeg())])
    key, entry_id = entry.photos[0].image_key, entry.id
    services.add_comment(suzuki, entry.id, "いいですね", follow=True)
    client = browser(sato)
    confirm = client.get(f"/diary/{entry_id}/delete")
    assert confirm.status_code == 200 and TITLE in html(confirm)
    assert entries(), "the confirmation page itself must not delete"
    response = client.post(f"/diary/{entry_id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/members/{sato.id}/diary")
    assert entries() == []
    assert db.session.scalar(select(func.count()).select_from(DiaryComment)) == 0
    assert db.session.scalar(select(func.count()).select_from(DiaryPhoto)) == 0
    assert key not in stored_images(app)
    assert client.get(f"/diary/{entry_id}").status_code == 404


@pytest.mark.parametrize("who", ["friend", "other", "admin"])
def test_nobody_else_can_delete_an_entry(browser, make_member, befriend, who):
    sato = make_member("佐藤")
    visitor = make_member("鈴木", role="admin" if who == "admin" else "member")
    if who == "friend":
        befriend(sato, visitor)
    entry = services.create_entry(sato, title=TITLE, body=BODY, visibility=MEMBERS)
    client = browser(visitor)
    confirm = client.get(f"/diary/{entry.id}/delete")
    assert confirm.status_code in (302, 404), "no delete button for someone who may not delete"
    assert 'action="/diary/%d/delete"' % entry.id not in html(confirm)
    assert client.post(f"/diary/{entry.id}/delete").status_code in (302, 404)
    assert len(entries()) == 1
    with pytest.raises(NotFound):
        services.delete_entry(visitor, entry.id)
