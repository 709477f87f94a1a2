"""The disaster screen answered in front of Flask (ejan/microcache.py): the logged-out page, the same bytes
Flask would send, per device and language, never to a member; a member's own page, only to their own
browser until it sends a form; never a response that sets a cookie; for a few seconds only."""
import logging

import pytest

from ejan import frames, microcache
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
    monkeypatch.setattr(frames, "now", lambda: moment[0])  # the frames of disaster/front.py
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
    assert len(middleware) <= 3 and middleware.shared.bytes <= 250 * 8
    _get(middleware, "/9")
    assert calls.count("/9") == 1  # the newest stays
    _get(middleware, "/0")
    assert calls.count("/0") == 2  # the oldest went first


@pytest.mark.parametrize("environ, kind", [
    ({}, "everyone's"),
    ({"QUERY_STRING": "lang=pt&view=lite"}, "everyone's"),
    ({"HTTP_COOKIE": "ejan_lang=pt; ejan_view=lite"}, "everyone's"),
    ({"HTTP_COOKIE": "ejan_session=ac.x.y"}, "this browser's"),
    ({"HTTP_COOKIE": "ejan_lang=pt; ejan_session=x; ejan_wrote=y; ejan_cookies=1"}, "this browser's"),
    ({"REQUEST_METHOD": "HEAD"}, None),
    ({"REQUEST_METHOD": "POST"}, None),
    ({"REQUEST_METHOD": "POST", "HTTP_COOKIE": "ejan_session=ac.x.y"}, None),
    ({"QUERY_STRING": "lang=pt&ejs=au.x.y"}, None),
    ({"QUERY_STRING": "%65js=abc"}, None),  # the same parameter, percent-encoded
    ({"QUERY_STRING": "ejs=abc", "HTTP_COOKIE": "ejan_session=ac.x.y"}, None),
    ({"HTTP_COOKIE": "ejan_session="}, None),
    ({"HTTP_COOKIE": "ejan_lang=pt; remember_token=1|abc"}, None),
    ({"HTTP_COOKIE": "ejan_cookies=1"}, None),
    ({"HTTP_COOKIE": "ejan_wrote=abc"}, None),
    ({"HTTP_AUTHORIZATION": "Bearer abc"}, None),
    ({"HTTP_AUTHORIZATION": "Bearer abc", "HTTP_COOKIE": "ejan_session=ac.x.y"}, None),
])
def test_the_key_leaves_out_every_request_that_may_be_someones(app, environ, kind):
    key = microcache.page_key(app.config)
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_USER_AGENT": PC_UA}
    found = key({**base, **environ})
    assert {None: None, False: "everyone's", True: "this browser's"}[
        None if found is None else isinstance(found, microcache.Personal)] == kind


def test_a_browsers_key_holds_each_of_its_cookies(app):
    key = microcache.page_key(app.config)
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_USER_AGENT": PC_UA}
    cookies = ["ejan_session=a", "ejan_session=b", "ejan_session=a; ejan_wrote=1", "ejan_session=a; ejan_wrote=2",
               "ejan_session=a; ejan_lang=en", "ejan_session=a; remember_token=1|x"]
    assert len({key({**base, "HTTP_COOKIE": c}) for c in cookies}) == len(cookies)
    assert key({**base, "HTTP_COOKIE": "ejan_wrote=1; ejan_session=a"}) == key({**base, "HTTP_COOKIE": cookies[2]})


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


# --- a member's own page, for their own browser -----------------------------------------------------------

def _member_tiny(member_id=7):
    calls = []

    def wsgi(environ, start_response):
        calls.append(environ.get("HTTP_COOKIE"))
        environ[microcache.ENVIRON_KEY] = microcache.Wish(5, "tiny", member_id)
        start_response("200 OK", [("Content-Type", "text/html")])
        return [f"page of {environ.get('HTTP_COOKIE')}".encode()]

    return wsgi, calls


def _personal_key(environ):
    cookie = environ.get("HTTP_COOKIE")
    return microcache.Personal((environ["PATH_INFO"], cookie)) if cookie else environ["PATH_INFO"]


def test_a_members_page_is_kept_only_under_a_browsers_key():
    wsgi, calls = _member_tiny()
    middleware = microcache.MicroCache(wsgi, _personal_key)
    assert _get(middleware, HTTP_COOKIE="s=1")[2] == b"page of s=1"
    assert _get(middleware, HTTP_COOKIE="s=1")[2] == b"page of s=1"
    assert _get(middleware, HTTP_COOKIE="s=2")[2] == b"page of s=2"
    assert calls == ["s=1", "s=2"]
    _get(middleware), _get(middleware)  # a member's page asked without a session is never kept
    assert calls == ["s=1", "s=2", None, None] and len(middleware.shared.kept) == 0
    everyones, calls = _tiny()
    middleware = microcache.MicroCache(everyones, _personal_key)
    _get(middleware, HTTP_COOKIE="s=1"), _get(middleware, HTTP_COOKIE="s=1")  # everyone's page is not a browser's
    assert calls == ["/", "/"] and len(middleware) == 0


def test_a_crowd_of_members_never_pushes_out_the_page_for_everyone(clock):
    everyones, _ = _tiny()
    members, _ = _member_tiny()

    def wsgi(environ, start_response):
        return (members if environ.get("HTTP_COOKIE") else everyones)(environ, start_response)

    middleware = microcache.MicroCache(wsgi, _personal_key, max_entries=3, personal_max_entries=5)
    _get(middleware)
    for n in range(50):
        _get(middleware, HTTP_COOKIE=f"s={n}")
    assert len(middleware.personal.kept) <= 5 and len(middleware.shared.kept) == 1


@pytest.fixture
def flood(make_member, befriend):
    admin = make_member("防災課", role="admin")
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    befriend(sato, suzuki)
    return {"event": start(admin), "sato": sato, "suzuki": suzuki, "admin": admin}


def test_a_member_reloading_is_answered_in_front_of_flask_and_logged_as_themselves(flood, browser, kept, caplog):
    sato = browser(flood["sato"])
    first = sato.get("/")
    entered = kept.into_flask
    assert "マイフレンド: 未確認 1" in html_of(first) and "Set-Cookie" not in first.headers
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="ejan.request"):
        again = sato.get("/")
    assert kept.into_flask == entered and again.data == first.data
    assert [r.ejan["member"] for r in caplog.records if r.name == "ejan.request"] == [flood["sato"].id]
    assert again.headers["Content-Security-Policy"] != first.headers["Content-Security-Policy"]


def test_another_member_or_a_guest_never_gets_a_members_page(flood, browser, kept):
    sato, suzuki, visitor = browser(flood["sato"]), browser(flood["suzuki"]), guest(browser().application)
    assert f"/members/{flood['sato'].id}" in html_of(sato.get("/"))
    entered = kept.into_flask
    page = html_of(suzuki.get("/"))
    assert f"/members/{flood['suzuki'].id}" in page and f"/members/{flood['sato'].id}" not in page
    page = html_of(visitor.get("/"))
    assert "マイフレンド" not in page and "/members/" not in page
    assert kept.into_flask == entered + 2


def test_a_check_in_shows_at_once_whichever_worker_kept_the_page(flood, browser, kept):
    suzuki = browser(flood["suzuki"])
    assert "まだ安否を登録していません" in html_of(suzuki.get("/"))
    suzuki.get("/")
    entered = kept.into_flask
    # The form reaches a process that never kept this page (checkins.py forgets the counts it keeps; the kept
    # page it cannot reach): only the browser's cookies change, and with them the page's key.
    response = suzuki.post("/disaster/checkin", data={"status": "safe", "comment": "", "visibility": "friends",
                                                      "person": ""})
    assert response.status_code == 302 and f"{microcache.WRITE_COOKIE}=" in response.headers.get("Set-Cookie", "")
    page = html_of(suzuki.get("/"))
    assert kept.into_flask == entered + 2  # the form and the page after it
    assert "まだ安否を登録していません" not in page and "あなた: 無事です" in page


def test_only_a_browser_with_a_session_gets_the_write_cookie(flood, browser):
    response = browser().post("/login", data={"email": "nobody@example.jp", "password": "x"})
    assert f"{microcache.WRITE_COOKIE}=" not in response.headers.get("Set-Cookie", "")
    member = browser(flood["sato"])
    assert f"{microcache.WRITE_COOKIE}=" not in member.get("/disaster/checkin").headers.get("Set-Cookie", "")


def test_a_cookieless_phone_is_never_kept(flood, keitai, kept):
    phone = keitai("docomo_nocookie")
    landing = keitai_login(phone, flood["sato"])
    entered = kept.into_flask
    assert "マイフレンド: 未確認 1" in html_of(phone.get(landing)) and "マイフレンド" in html_of(phone.get(landing))
    assert kept.into_flask == entered + 2 and len(kept.personal.kept) == 0


def test_a_phone_that_keeps_cookies_gets_its_own_page_again(flood, keitai, kept):
    phone = keitai("au")
    keitai_login(phone, flood["sato"])
    first = phone.get("/")
    entered = kept.into_flask
    assert "charset=Shift_JIS" in first.headers["Content-Type"] and "マイフレンド" in html_of(first)
    assert phone.get("/").data == first.data and kept.into_flask == entered


def test_a_members_page_lasts_the_screens_seconds(flood, browser, kept, clock):
    sato = browser(flood["sato"])
    sato.get("/")
    entered = kept.into_flask
    clock[0] += screen.SCREEN_SECONDS - 0.5
    sato.get("/")
    assert kept.into_flask == entered
    clock[0] += 1
    sato.get("/")
    assert kept.into_flask == entered + 1
