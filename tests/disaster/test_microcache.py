"""The logged-out disaster screen answered in front of Flask (ejan/microcache.py): the same bytes Flask
would send, per device and language, never to a member, never a response that sets a cookie, for a
few seconds only."""
import logging

import pytest

from ejan import microcache
from ejan.disaster import events, screen
from ejan.disaster.models import DisasterEvent
from ejan.extensions import cache, db

from helpers_disaster import FOUR_LANGUAGES, start
from support import PC_UA, html_of, keitai_login, phone_ua


@pytest.fixture
def kept(app, monkeypatch):
    """The app's micro-cache, counting the requests that get past it into Flask."""
    store = app.extensions["ejan.microcache"]
    inner = store.app
    store.into_flask = 0

    def counting(environ, start_response):
        store.into_flask += 1
        return inner(environ, start_response)

    monkeypatch.setattr(store, "app", counting)
    return store


@pytest.fixture
def clock(monkeypatch):
    moment = [1000.0]
    monkeypatch.setattr(microcache, "now", lambda: moment[0])
    return moment


def guest(app, ua=PC_UA):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = ua
    return client


def _without_nonce(headers) -> list:
    return [(k, v.split("'nonce-")[0] if k == "Content-Security-Policy" else v) for k, v in headers]


def test_a_reader_without_a_session_gets_flasks_page_again_without_flask(app, make_member, kept):
    start(make_member("防災課", role="admin"))
    first = guest(app).get("/")
    assert kept.into_flask == 1 and "災害情報配信中" in html_of(first)
    assert "Set-Cookie" not in first.headers  # nothing personal was issued, so the page is everyone's
    again = guest(app).get("/")
    assert kept.into_flask == 1
    assert again.status == first.status and again.data == first.data
    assert _without_nonce(again.headers) == _without_nonce(first.headers)
    assert again.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in again.headers[
        "Content-Security-Policy"]
    # A nonce known in advance would be no nonce: every replay gets its own.
    assert again.headers["Content-Security-Policy"] != first.headers["Content-Security-Policy"]
    assert guest(app).get("/disaster/").status_code == 200 and kept.into_flask == 2  # a path of its own


def test_devices_and_languages_get_their_own_pages(app, make_member, kept):
    start(make_member("防災課", role="admin"), texts=FOUR_LANGUAGES)
    readers = {  # name: (User-Agent, path, headers)
        "pc": (PC_UA, "/", {}),
        "au": (phone_ua("au"), "/", {}),
        "docomo": (phone_ua("docomo_nocookie"), "/", {}),
        "en": (PC_UA, "/", {"Accept-Language": "en-US,en;q=0.8"}),
        "pt-param": (PC_UA, "/?lang=pt", {}),
        "easy-cookie": (PC_UA, "/", {"Cookie": "ejan_lang=ja@easy"}),
        "lite": (PC_UA, "/", {"Cookie": "ejan_view=lite"}),
    }

    def read(name):
        ua, path, headers = readers[name]
        return app.test_client(use_cookies=False).get(path, headers={"User-Agent": ua, **headers}).data

    pages = {name: read(name) for name in readers}
    assert kept.into_flask == len(readers)
    assert b"Shelter open" in pages["en"] and b"Abrigo aberto" in pages["pt-param"]
    assert "ひなんじょを あけました" in pages["easy-cookie"].decode()
    assert b"charset=Shift_JIS" in pages["au"] and b'<meta charset="utf-8">' in pages["pc"]
    assert len(set(pages.values())) >= 5
    assert "ejs=" not in pages["docomo"].decode("cp932")  # no reader's session id in a shared page
    for name in readers:
        assert read(name) == pages[name], name
    assert kept.into_flask == len(readers)


def test_a_member_never_gets_the_kept_page(app, make_member, befriend, browser, keitai, kept):
    admin = make_member("防災課", role="admin")
    sato = make_member("佐藤")
    befriend(sato, make_member("鈴木"))
    start(admin)
    guest(app).get("/")
    guest(app, phone_ua("docomo_nocookie")).get("/")
    assert len(kept) == 2
    assert "マイフレンド: 未確認 1" in html_of(browser(sato).get("/"))
    phone = keitai("docomo_nocookie")  # its session travels in the URL
    landing = keitai_login(phone, sato)
    assert "ejs=" in landing
    assert "マイフレンド: 未確認 1" in html_of(phone.get(landing))
    assert "マイフレンド: 未確認 1" in html_of(phone.get("/?ejs=" + landing.split("ejs=")[1].split("&")[0]))


def test_a_reader_with_a_session_cookie_goes_through_flask(app, make_member, kept):
    start(make_member("防災課", role="admin"))
    guest(app).get("/")
    entered = kept.into_flask
    reader = app.test_client(use_cookies=False)
    assert "災害情報配信中" in html_of(reader.get("/", headers={"User-Agent": PC_UA,
                                                          "Cookie": "ejan_session=ac.something"}))
    assert kept.into_flask == entered + 1


def test_a_response_that_sets_a_cookie_is_never_kept(app, make_member, kept):
    start(make_member("防災課", role="admin"))
    chooser = guest(app)
    response = chooser.get("/?view=lite")  # the view switch remembers the choice in a cookie
    assert "ejan_view=lite" in response.headers.get("Set-Cookie", "")
    assert len(kept) == 0
    chooser.get("/?view=lite")
    assert kept.into_flask == 2


def test_the_kept_page_lasts_its_seconds(app, make_member, kept, clock):
    start(make_member("防災課", role="admin"))
    guest(app).get("/")
    clock[0] += screen.SCREEN_SECONDS - 0.5
    guest(app).get("/")
    assert kept.into_flask == 1
    clock[0] += 1
    guest(app).get("/")
    assert kept.into_flask == 2


def test_the_screen_goes_when_the_event_ends(app, make_member, kept, clock):
    admin = make_member("防災課", role="admin")
    event = start(admin)
    guest(app).get("/")
    events.end_event(admin, event)  # this worker forgets at once
    assert "災害情報配信中" not in html_of(guest(app).get("/"))

    other = start(admin, title="土砂災害")
    assert "土砂災害" in html_of(guest(app).get("/"))
    # Ended by another worker: this one's kept page and "is an event on?" both run out within seconds.
    db.session.execute(db.update(DisasterEvent).where(DisasterEvent.id == other.id).values(live=None))
    db.session.commit()
    cache.clear()  # the summary's own seconds, elapsed
    assert "土砂災害" in html_of(guest(app).get("/"))
    clock[0] += screen.SCREEN_SECONDS + 0.1
    assert "災害情報配信中" not in html_of(guest(app).get("/"))


def test_every_answer_leaves_its_log_line(app, make_member, kept, caplog):
    start(make_member("防災課", role="admin"))
    guest(app).get("/?lang=en")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="ejan.request"):
        guest(app).get("/?lang=en")
    lines = [r for r in caplog.records if r.name == "ejan.request"]
    assert kept.into_flask == 1 and len(lines) == 1
    fields = lines[0].ejan
    assert fields["status"] == 200 and fields["endpoint"] == "site.home" and fields["path"] == "/"
    assert fields["query"] == "lang=en" and fields["member"] is None


def test_a_broken_cache_falls_through_to_the_app(app, make_member, kept, monkeypatch):
    start(make_member("防災課", role="admin"))
    guest(app).get("/")

    def broken(environ):
        raise RuntimeError("the cache broke")

    monkeypatch.setattr(kept, "key", broken)
    response = guest(app).get("/")
    assert response.status_code == 200 and "災害情報配信中" in html_of(response)
    assert kept.into_flask == 2


# --- the middleware alone, around a tiny app ------------------------------------------------------------

def _tiny(status="200 OK", headers=(), body=b"page", seconds=5):
    calls = []

    def wsgi(environ, start_response):
        calls.append(environ.get("PATH_INFO"))
        if seconds:
            environ[microcache.ENVIRON_KEY] = (seconds, "tiny")
        start_response(status, [("Content-Type", "text/html"), *headers])
        return [body]

    return wsgi, calls


def _get(middleware, path="/", **environ):
    answered = {}

    def start_response(status, headers, exc_info=None):
        answered.update(status=status, headers=headers)

    body = b"".join(middleware({"REQUEST_METHOD": "GET", "PATH_INFO": path, **environ}, start_response))
    return answered["status"], dict(answered["headers"]), body


def _key(environ):
    if environ["REQUEST_METHOD"] != "GET" or "HTTP_COOKIE" in environ:
        return None
    return environ["PATH_INFO"]


@pytest.mark.parametrize("status, headers, body", [
    ("200 OK", [("Set-Cookie", "a=b")], b"page"),
    ("302 FOUND", [("Location", "/")], b""),
    ("500 INTERNAL SERVER ERROR", [], b"oops"),
    ("200 OK", [("Content-Security-Policy", "script-src 'nonce-abc'")], b"<script nonce='abc'>"),
])
def test_what_is_not_everyones_is_not_kept(status, headers, body):
    wsgi, calls = _tiny(status, headers, body)
    middleware = microcache.MicroCache(wsgi, _key)
    assert _get(middleware)[0] == status and _get(middleware)[2] == body
    assert len(calls) == 2 and len(middleware) == 0


def test_only_what_the_app_marks_is_kept_and_only_for_its_key():
    marked, calls = _tiny()
    middleware = microcache.MicroCache(marked, _key)
    _get(middleware), _get(middleware), _get(middleware, HTTP_COOKIE="s=1"), _get(middleware, "/other")
    assert calls == ["/", "/", "/other"]
    unmarked, calls = _tiny(seconds=0)
    middleware = microcache.MicroCache(unmarked, _key)
    _get(middleware), _get(middleware)
    assert calls == ["/", "/"]


def test_the_store_stays_within_its_bounds(clock):
    wsgi, calls = _tiny(body=b"x" * 100)
    middleware = microcache.MicroCache(wsgi, _key, max_entries=3, max_bytes=8 * 250)
    for n in range(10):
        _get(middleware, f"/{n}")
    assert len(middleware) <= 3 and middleware._bytes <= 250 * 8
    _get(middleware, "/9")
    assert calls.count("/9") == 1  # the newest stays
    _get(middleware, "/0")
    assert calls.count("/0") == 2  # the oldest went first


@pytest.mark.parametrize("environ, cacheable", [
    ({}, True),
    ({"QUERY_STRING": "lang=pt&view=lite"}, True),
    ({"HTTP_COOKIE": "ejan_lang=pt; ejan_view=lite"}, True),
    ({"REQUEST_METHOD": "HEAD"}, False),
    ({"REQUEST_METHOD": "POST"}, False),
    ({"QUERY_STRING": "lang=pt&ejs=au.x.y"}, False),
    ({"QUERY_STRING": "%65js=abc"}, False),  # the same parameter, percent-encoded
    ({"HTTP_COOKIE": "ejan_session=ac.x.y"}, False),
    ({"HTTP_COOKIE": "ejan_lang=pt; remember_token=1|abc"}, False),
    ({"HTTP_COOKIE": "ejan_cookies=1"}, False),
    ({"HTTP_AUTHORIZATION": "Bearer abc"}, False),
])
def test_the_key_leaves_out_every_request_that_may_be_someones(app, environ, cacheable):
    key = microcache.page_key(app.config)
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_USER_AGENT": PC_UA}
    assert (key({**base, **environ}) is not None) == cacheable


def test_the_key_tells_apart_what_chooses_the_page(app):
    key = microcache.page_key(app.config)
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_USER_AGENT": PC_UA}
    variants = [{}, {"HTTP_USER_AGENT": phone_ua("au")}, {"HTTP_USER_AGENT": phone_ua("docomo_nocookie")},
                {"HTTP_ACCEPT_LANGUAGE": "pt-BR"}, {"HTTP_COOKIE": "ejan_lang=en"}, {"HTTP_COOKIE": "ejan_view=lite"},
                {"QUERY_STRING": "lang=en"}, {"PATH_INFO": "/disaster/"}, {"HTTP_HOST": "other.example"},
                {"HTTP_X_FORWARDED_PROTO": "https"}, {"wsgi.url_scheme": "https"}]
    assert len({key({**base, **variant}) for variant in variants}) == len(variants)
    # Two PCs' browsers are the same device to the site: one page for both.
    assert key({**base, "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"}) == key(base)
