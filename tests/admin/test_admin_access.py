"""Every /admin page refuses members and visitors: the URL map is walked, so a new admin page is covered too."""
import re

import pytest

ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def admin_urls(app):
    urls = []
    for rule in app.url_map.iter_rules():
        if not (rule.rule == "/admin" or rule.rule.startswith("/admin/")):
            continue
        url = rule.rule
        for converter_args in re.findall(r"<[^<>]+>", rule.rule):
            if converter_args.startswith("<any("):
                url = url.replace(converter_args, converter_args[5:].split(",")[0].split(")")[0].strip())
            else:
                url = url.replace(converter_args, "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, url))
    return urls


def test_the_walk_finds_the_admin_pages(app):
    urls = {url for _m, url in admin_urls(app)}
    assert {"/admin", "/admin/audit", "/admin/members", "/admin/tsuho", "/admin/stats", "/admin/stats.csv",
            "/admin/announcements", "/admin/intake/telegrams"} <= urls


def test_visitors_are_sent_to_the_login_page_from_every_admin_url(app, browser):
    client = browser()
    for method, url in admin_urls(app):
        response = client.open(url, method=method)
        assert response.status_code in (302, 401, 403), (method, url, response.status_code)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], (method, url)


@pytest.mark.parametrize("runs_a_community", [False, True])
def test_members_get_403_on_every_admin_url(app, browser, make_member, make_community, runs_a_community):
    member = make_member("佐藤")
    if runs_a_community:  # a community's owner is no admin
        make_community(member)
    client = browser(member)
    make_member("管理者", role="admin")
    for method, url in admin_urls(app):
        response = client.open(url, method=method)
        assert response.status_code == 403, (method, url, response.status_code)


def test_admins_reach_every_admin_page(app, browser, make_member):
    admin = make_member("市役所", role="admin")
    client = browser(admin)
    for method, url in admin_urls(app):
        if method != "GET" or "/1" in url:
            continue
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_the_admin_menu_lists_every_features_admin_pages(app, browser, make_member):
    from flask import url_for

    admin = make_member("市役所", role="admin")
    page = browser(admin).get("/admin").get_data(as_text=True)
    with app.test_request_context():
        for link in app.extensions["ejan.admin_links"]:
            assert url_for(link.endpoint) in page, link.endpoint
    for endpoint in ("notify.admin_broadcasts", "notify.admin_bounces", "disaster.admin", "intake.telegram_log",
                     "maps.index", "admin.audit_log", "admin.statistics"):
        assert endpoint in {link.endpoint for link in app.extensions["ejan.admin_links"]}


def test_keitai_admin_pages_fit_the_phone(app, keitai, make_member):
    from tests.support import keitai_login

    admin = make_member("市役所", role="admin")
    phone = keitai("au")
    keitai_login(phone, admin)
    for url in ("/admin", "/admin/members", "/admin/tsuho", "/admin/stats", "/admin/audit", "/admin/announcements"):
        response = phone.get(url)
        assert response.status_code == 200, url
        assert len(response.data) <= 10 * 1024, url
