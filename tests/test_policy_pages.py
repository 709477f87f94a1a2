"""利用規約 and プライバシーポリシー: on both template sets, linked from every page's footer, saying how long things
are kept from the settings themselves."""
from __future__ import annotations

import pytest

from support import PC_UA, html_of, phone_ua


@pytest.mark.parametrize("ua", [PC_UA, phone_ua("au"), phone_ua("docomo_nocookie")])
def test_every_page_links_the_terms_and_the_privacy_page(app, ua):
    client = app.test_client(use_cookies=True)
    client.environ_base["HTTP_USER_AGENT"] = ua
    for path in ("/", "/login", "/terms", "/privacy", "/no-such-page"):
        page = html_of(client.get(path))
        assert 'href="/privacy' in page, path
        if ua == PC_UA:
            assert 'href="/terms' in page, path
    # Keitai: one short link (the 10 KB budget), to the privacy page, whose top links the terms.
    assert 'href="/terms' in html_of(client.get("/privacy"))


@pytest.mark.parametrize("ua", [PC_UA, phone_ua("au")])
def test_the_privacy_page_says_how_long_from_the_settings(app, ua, monkeypatch):
    monkeypatch.setitem(app.config, "EJAN_DISASTER_CHECKIN_DAYS", 45)
    monkeypatch.setitem(app.config, "EJAN_SESSION_DAYS", 21)
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = ua
    response = client.get("/privacy")
    page = html_of(response)
    assert response.status_code == 200
    assert "45日後に削除" in page and "21日たつと" in page and "退会したメンバー" in page
    assert len(response.data) <= 10 * 1024 or ua == PC_UA


def test_the_terms_page_answers_on_both_sets(app):
    for ua in (PC_UA, phone_ua("softbank3g")):
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = ua
        assert "利用規約" in html_of(client.get("/terms"))
