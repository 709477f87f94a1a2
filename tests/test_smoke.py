def test_front_page_answers_logged_out(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "ログイン" in response.get_data(as_text=True)


def test_member_logs_in_and_sees_home(client, make_member, login):
    sato = make_member("佐藤")
    login(client, sato)
    assert "佐藤 さん、こんにちは" in client.get("/").get_data(as_text=True)
