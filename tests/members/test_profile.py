"""Profiles: editing one's own page and photo, and who may see whose page."""
from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from PIL import Image

from ejan.errors import Forbidden, Invalid, NotFound
from ejan.extensions import db
from ejan.members import services

GPS_IFD = 0x8825
NOT_AN_IMAGE = "画像ファイルではありません。"
BAD_DISTRICT = "地区を一覧から選んでください。"


def photo_with_gps(size=(800, 600)) -> bytes:
    """A camera-like JPEG that says where it was taken (掛川城, roughly)."""
    image = Image.new("RGB", size, (46, 125, 50))
    exif = Image.Exif()
    exif[0x010F] = "ExampleCam"  # Make
    exif[GPS_IFD] = {1: "N", 2: (34.0, 46.0, 30.0), 3: "E", 4: (138.0, 0.0, 50.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD), "the test photo must carry GPS"
    return data


def profile_form(**overrides) -> dict:
    form = {"nickname": "佐藤", "intro": "", "district": "", "keitai_email": ""}
    form.update(overrides)
    return form


def fetch(client, path: str):
    response = client.get(path)
    data = response.get_data()
    response.close()
    return response, data


# --- editing -------------------------------------------------------------------------------------

def test_a_member_edits_nickname_intro_district_and_keitai_mail(client, login, make_member):
    member = make_member("佐藤")
    login(client, member)
    assert 'value="佐藤"' in client.get("/profile/edit").get_data(as_text=True)

    response = client.post("/profile/edit", data=profile_form(
        nickname="お茶の佐藤", intro="粟ヶ岳の麓で茶畑をやっています。", district="東山",
        keitai_email=" Sato.Tea@DoCoMo.ne.jp "))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/members/{member.id}"
    page = client.get(f"/members/{member.id}").get_data(as_text=True)
    assert "お茶の佐藤" in page
    assert "粟ヶ岳の麓で茶畑をやっています。" in page
    assert "東山" in page
    db.session.refresh(member)
    assert member.keitai_email == "sato.tea@docomo.ne.jp"


def test_clearing_district_and_keitai_mail_is_allowed(client, login, make_member):
    member = make_member("佐藤", district="日坂")
    login(client, member)

    assert client.post("/profile/edit", data=profile_form()).status_code == 302
    db.session.refresh(member)
    assert (member.district, member.keitai_email) == (None, None)


def test_a_district_not_in_the_list_is_refused_in_japanese(client, login, make_member):
    member = make_member("佐藤", district="日坂")
    login(client, member)

    response = client.post("/profile/edit", data=profile_form(nickname="新しい名前", district="渋谷"))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert BAD_DISTRICT in page
    assert 'value="新しい名前"' in page
    db.session.refresh(member)
    assert (member.nickname, member.district) == ("佐藤", "日坂")


def test_the_district_rule_holds_outside_the_web_form_too(make_member):
    member = make_member("佐藤")
    with pytest.raises(Invalid) as refused:
        services.update_profile(member, nickname="佐藤", intro="", district="渋谷", keitai_email=None)
    assert refused.value.code == "district"


def test_a_malformed_keitai_mail_address_is_refused(client, login, make_member):
    member = make_member("佐藤")
    login(client, member)

    response = client.post("/profile/edit", data=profile_form(keitai_email="sato@@docomo"))

    assert response.status_code == 200
    assert "メールアドレスの形式が正しくありません。" in response.get_data(as_text=True)
    db.session.refresh(member)
    assert member.keitai_email is None


def test_an_empty_nickname_is_refused(client, login, make_member):
    member = make_member("佐藤")
    login(client, member)

    response = client.post("/profile/edit", data=profile_form(nickname="  "))

    assert response.status_code == 200
    assert "入力してください。" in response.get_data(as_text=True)
    db.session.refresh(member)
    assert member.nickname == "佐藤"


# --- the photo -----------------------------------------------------------------------------------

def test_an_uploaded_photo_is_served_without_its_gps_position_and_small_for_keitai(client, login, make_member):
    member = make_member("佐藤")
    viewer = make_member("田中")
    login(client, member)

    response = client.post("/profile/edit", content_type="multipart/form-data", data=profile_form(
        photo=(io.BytesIO(photo_with_gps()), "IMG_0001.JPG", "image/jpeg")))
    assert response.status_code == 302
    client.post("/logout")

    login(client, viewer)  # another member looks at the photo
    for variant, longest in (("pc", 640), ("keitai", 240)):
        response, data = fetch(client, f"/members/{member.id}/photo/{variant}")
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert max(image.size) == longest
        exif = image.getexif()
        assert not exif.get_ifd(GPS_IFD)
        assert GPS_IFD not in exif
        assert b"ExampleCam" not in data
    assert f"/members/{member.id}/photo/pc" in client.get(f"/members/{member.id}").get_data(as_text=True)


def test_a_text_file_is_refused_as_a_photo_and_the_typed_nickname_kept(client, login, make_member):
    member = make_member("佐藤")
    login(client, member)

    response = client.post("/profile/edit", content_type="multipart/form-data", data=profile_form(
        nickname="新しい名前", photo=(io.BytesIO(b"this is not a picture\n"), "memo.txt", "text/plain")))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert NOT_AN_IMAGE in page
    assert 'value="新しい名前"' in page
    db.session.refresh(member)
    assert (member.nickname, member.photo_key) == ("佐藤", None)


def test_replacing_and_removing_a_photo(client, login, make_member):
    member = make_member("佐藤")
    login(client, member)
    for _ in range(2):
        client.post("/profile/edit", content_type="multipart/form-data", data=profile_form(
            photo=(io.BytesIO(photo_with_gps()), "a.jpg", "image/jpeg")))
    db.session.refresh(member)
    assert member.photo_key

    assert client.post("/profile/edit", data=profile_form(remove_photo="y")).status_code == 302
    db.session.refresh(member)
    assert member.photo_key is None
    assert fetch(client, f"/members/{member.id}/photo/pc")[0].status_code == 404


def test_an_unknown_photo_variant_is_not_found(client, login, make_member):
    member = make_member("佐藤")
    login(client, member)
    client.post("/profile/edit", content_type="multipart/form-data", data=profile_form(
        photo=(io.BytesIO(photo_with_gps()), "a.jpg", "image/jpeg")))

    assert fetch(client, f"/members/{member.id}/photo/original")[0].status_code == 404


# --- who sees what -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/members/{id}", "/members/{id}/photo/pc", "/members/{id}/photo/keitai",
                                  "/profile/edit"])
def test_a_visitor_who_is_not_logged_in_is_sent_to_login(client, make_member, path):
    member = make_member("佐藤")

    response = client.get(path.format(id=member.id))

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_a_suspended_members_page_is_gone_for_members_but_visible_to_admins(app, login, make_member):
    admin = make_member("管理者", role="admin")
    suspended = make_member("停止中の人", suspended=True)
    neighbour = make_member("田中")

    as_member = app.test_client()
    login(as_member, neighbour)
    assert as_member.get(f"/members/{suspended.id}").status_code == 404
    assert fetch(as_member, f"/members/{suspended.id}/photo/pc")[0].status_code == 404

    as_admin = app.test_client()
    login(as_admin, admin)
    response = as_admin.get(f"/members/{suspended.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "停止中の人" in page and "利用停止中" in page


def test_profile_visibility_rules_in_the_service(make_member):
    admin = make_member("管理者", role="admin")
    suspended = make_member("停止中の人", suspended=True)
    neighbour = make_member("田中")

    with pytest.raises(Forbidden):
        services.visible_member(None, neighbour.id)
    with pytest.raises(NotFound):
        services.visible_member(neighbour, suspended.id)
    with pytest.raises(NotFound):
        services.visible_member(neighbour, 999_999)
    assert services.visible_member(admin, suspended.id) is suspended
    assert services.visible_member(neighbour, neighbour.id) is neighbour
