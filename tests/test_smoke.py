def test_front_page_answers_logged_out(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "ログイン" in response.get_data(as_text=True)


def test_member_logs_in_and_sees_home(client, make_member, login):
    sato = make_member("佐藤")
    login(client, sato)
    assert "佐藤 さん、こんにちは" in client.get("/").get_data(as_text=True)


def test_huge_numbers_in_addresses_are_not_found_not_errors(browser, make_member):
    web = browser(make_member("佐藤"))
    for path in ("/diary/99999999999999999999", "/members/99999999999999999999",
                 "/diary/photos/99999999999999999999/pc", "/communities/99999999999999999999"):
        assert web.get(path).status_code == 404, path
    assert web.get("/notifications?page=99999999999999999999").status_code == 200


def test_member_images_are_never_kept_in_shared_caches(browser, make_member, app):
    import io

    from PIL import Image

    sato = make_member("佐藤")
    web = browser(sato)
    picture = io.BytesIO()
    Image.new("RGB", (50, 50), "green").save(picture, "JPEG")
    picture.seek(0)
    web.post("/profile/edit", data={"nickname": "佐藤", "intro": "", "district": "", "keitai_email": "",
                                    "photo": (picture, "me.jpg")}, content_type="multipart/form-data")
    response = web.get(f"/members/{sato.id}/photo/pc")
    assert response.status_code == 200 and response.cache_control.private
