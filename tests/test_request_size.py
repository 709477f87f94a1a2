"""Request bodies: a form without photos is small (413 with a page, in both template sets); photo forms keep
the large limit."""
from __future__ import annotations

import io

from PIL import Image

from support import html_of

BIG = 4 * 1024 * 1024


def test_a_huge_post_to_the_login_form_is_refused_before_it_is_read(app, client, keitai):
    for sender in (client, keitai("docomo_nocookie")):
        response = sender.post("/login", data=b"email=a%40example.jp&password=" + b"x" * BIG,
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 413
        assert "送信内容が大きすぎます" in html_of(response)
    assert b"<html" in client.post("/login", data=b"x" * BIG, content_type="application/x-www-form-urlencoded").data


def test_a_huge_multipart_post_to_a_form_without_photos_is_refused(client, keitai):
    for sender in (client, keitai("au")):
        response = sender.post("/login", content_type="multipart/form-data", data={
            "email": "a@example.jp", "password": "x", "file": (io.BytesIO(b"\0" * BIG), "big.bin")})
        assert response.status_code == 413


def test_the_longest_diary_entry_still_fits_a_form(browser, make_member):
    from ejan.diary.services import BODY_MAX

    pc = browser(make_member())
    response = pc.post("/diary/new", data={"title": "茶摘み", "body": "🍵" * BODY_MAX, "visibility": "members"})
    assert response.status_code == 302


def test_a_diary_entry_with_photos_keeps_the_upload_limit(browser, make_member):
    pc = browser(make_member())
    photo = io.BytesIO()
    Image.effect_noise((1200, 1200), 100).convert("RGB").save(photo, "JPEG", quality=100)
    assert len(photo.getvalue()) > 256 * 1024
    photo.seek(0)
    response = pc.post("/diary/new", content_type="multipart/form-data", data={
        "title": "茶畑", "body": "写真です", "visibility": "members", "photo1": (photo, "tea.jpg", "image/jpeg")})
    assert response.status_code == 302
