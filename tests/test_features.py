"""Features plug themselves in: a package declares what it brings and the factory needs no edit."""
from __future__ import annotations

import re

import pytest

from ejan import create_app
from ejan.features import Feature
from ejan.navigation import NavLink
from ejan.navigation import NAV_KEYS, hand_out_keys
from ejan.tasks import init_celery
from ejan.features import task_modules
from support import PC_UA, phone_ua


@pytest.fixture
def toy_app(app):
    config = dict(app.config)
    config["EJAN_FEATURES"] = [*app.config["EJAN_FEATURES"], "toy_feature"]
    yield create_app(config)
    # Celery is one object per process: hand it back to the suite's app.
    init_celery(app, task_modules(app.extensions["ejan.features"]))


def _client(app, ua):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = ua
    return client


def _log_in(client, member):
    from support import PASSWORD

    assert client.post("/login", data={"email": member.email, "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("ua, marker, charset", [(PC_UA, "toy page for PCs", "utf-8"),
                                                 (phone_ua("au"), "toy page for keitai", "cp932")])
def test_a_new_feature_package_serves_its_page_and_joins_the_menu_on_both_template_sets(
        toy_app, make_member, ua, marker, charset):
    client = _client(toy_app, ua)
    _log_in(client, make_member("佐藤"))
    page = client.get("/toy")
    assert page.status_code == 200
    html = page.data.decode(charset)
    assert marker in html
    assert "おもちゃ" in html  # the menu entry it declared, on a base template nobody edited
    assert re.search(r'<a href="/toy[^"]*"[^>]*>[^<]*おもちゃ', html)


def test_the_suite_app_without_the_toy_feature_has_no_toy_page(client):
    assert client.get("/toy").status_code == 404


def test_a_new_feature_brings_its_celery_tasks_and_notification_wording(toy_app):
    celery = toy_app.extensions["celery"]
    assert "toy.poke" in celery.tasks
    assert "toy_feature.tasks" in celery.conf.imports
    assert "toy_poked" in toy_app.extensions["ejan.notification_wording"]


def test_a_new_feature_brings_what_residents_can_report(toy_app, make_member):
    from ejan.reports import services as reports

    reporter = make_member("佐藤")
    with toy_app.app_context():
        tsuho, created = reports.report(reporter, "toy", 7, reason="spam")
        assert created and (tsuho.target_kind, tsuho.target_id) == ("toy", 7)
    with pytest.raises(Exception, match="通報"):  # the suite's app has no toy: nothing to report
        reports.target(reporter, "toy", 7)


def test_every_keitai_menu_key_is_handed_out_once(app):
    for (template_set, _audience), items in app.extensions["ejan.menus"].items():
        keys = [item.key for item in items if item.key]
        assert len(keys) == len(set(keys))
        assert set(keys) <= set(NAV_KEYS)


def test_two_features_asking_for_the_same_keitai_key_stop_the_app_at_start_up():
    links = [NavLink("a.page", "A", order=1, key="3"), NavLink("b.page", "B", order=2, key="3")]
    with pytest.raises(ValueError, match="accesskey 3"):
        hand_out_keys(links, "members")


def test_menu_links_without_a_wish_get_the_free_keys_in_menu_order_then_none():
    links = [NavLink(f"f{i}.page", str(i), order=i) for i in range(len(NAV_KEYS) + 2)]
    items = hand_out_keys(links, "members")
    assert [item.key for item in items] == [*NAV_KEYS, None, None]


def test_a_page_key_outside_the_menu_keys_is_refused():
    with pytest.raises(ValueError, match="not one of"):
        hand_out_keys([NavLink("a.page", "A", order=1, key="5")], "members")


def test_two_features_declaring_the_same_notification_kind_stop_the_app(app):
    from ejan.features import install
    from flask import Flask

    twice = [Feature("one", notifications={"poke": "a"}), Feature("two", notifications={"poke": "b"})]
    with pytest.raises(ValueError, match="poke"):
        install(Flask("clash"), twice)


def test_the_pc_menu_marks_the_page_you_are_on(browser, make_member):
    member = make_member("佐藤")
    html = browser(member).get("/notifications").get_data(as_text=True)
    assert re.search(r'<a href="/notifications"[^>]*aria-current="page"', html)
    assert html.count('aria-current="page"') == 1
