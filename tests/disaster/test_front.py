"""A member's disaster screen answered in front of Flask from the frame of another member's (disaster/front.py):
the same page Flask renders for them, their own values in it, nobody else's, and every case it cannot answer
exactly left to Flask."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from ejan import frames, microcache
from ejan.disaster import checkins, events, front
from ejan.clock import utcnow
from ejan.extensions import db
from ejan.sessions import WebSession

from helpers_disaster import FOUR_LANGUAGES, start
from support import count_queries, html_of, keitai_login

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def into_flask(app, monkeypatch):
    """The paths of the requests that got past the front into Flask."""
    found = app.extensions[front.EXTENSION]
    inner, seen = found.wsgi_app, []

    def counting(environ, start_response):
        seen.append(environ.get("PATH_INFO"))
        return inner(environ, start_response)

    monkeypatch.setattr(found, "wsgi_app", counting)
    return seen


@pytest.fixture
def town(app, make_member, befriend):
    admin = make_member("防災課", role="admin")
    people = {"admin": admin, "sato": make_member("佐藤"), "suzuki": make_member("鈴木"), "tanaka": make_member("田中")}
    befriend(people["suzuki"], people["tanaka"])
    people["event"] = start(admin, texts=FOUR_LANGUAGES)
    checkins.check_in(people["sato"], people["event"], status="rescue", comment="2階にいます")
    checkins.check_in(people["tanaka"], people["event"], status="safe")
    return people


def _flask_page(app, client, path="/") -> str:
    """What Flask itself renders for this browser now (no frame, no copy kept)."""
    front.clear(app)
    microcache.clear(app)
    return html_of(client.get(path))


def _same(a: str, b: str) -> bool:
    return TOKEN.sub("TOKEN", a) == TOKEN.sub("TOKEN", b)


def test_a_members_first_screen_comes_from_another_members_frame_with_their_own_values(app, town, browser,
                                                                                        into_flask):
    sato, suzuki = browser(town["sato"]), browser(town["suzuki"])
    assert "あなた: 救助が必要です" in html_of(sato.get("/"))
    entered = len(into_flask)
    response = suzuki.get("/")
    page = html_of(response)
    assert len(into_flask) == entered  # answered in front of Flask
    assert "マイフレンド: 無事 1" in page and "まだ安否を登録していません" in page
    assert f"/members/{town['suzuki'].id}" in page
    assert f"/members/{town['sato'].id}" not in page and "救助" not in page and "佐藤" not in page
    assert "Set-Cookie" not in response.headers and response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert _same(page, _flask_page(app, suzuki))  # what Flask renders for Suzuki, token aside
    assert len(into_flask) == entered + 1


def test_it_costs_one_statement_on_a_connection_of_its_own(app, town, browser, into_flask):
    browser(town["sato"]).get("/")
    suzuki = browser(town["suzuki"])
    entered = len(into_flask)
    with app.app_context():
        own = app.extensions[front.EXTENSION].engine
    with count_queries(db.engine) as site, count_queries(own) as counter:
        assert "マイフレンド: 無事 1" in html_of(suzuki.get("/"))
    assert len(into_flask) == entered and site.count == 0 and counter.count == 1, counter.statements


def test_on_a_keitai_in_shift_jis(app, town, keitai, into_flask):
    first, second = keitai("au"), keitai("au")
    keitai_login(first, town["sato"])
    keitai_login(second, town["suzuki"])
    first.get("/")
    entered = len(into_flask)
    response = second.get("/")
    assert len(into_flask) == entered
    assert "Shift_JIS" in response.headers["Content-Type"]
    page = response.data.decode("cp932")
    assert "マイフレンド: 無事 1" in page and f"/members/{town['suzuki'].id}" in page and "佐藤" not in page
    assert len(response.data) <= 5 * 1024
    assert _same(page, _flask_page(app, second))


def test_each_language_has_its_own_frame(app, town, browser, make_member, befriend, into_flask):
    browser(town["sato"]).get("/")
    paulo, ana = make_member("パウロ"), make_member("アナ")
    for member in (paulo, ana):
        member.language = "pt"
        befriend(member, town["tanaka"])
    db.session.commit()
    first = html_of(browser(paulo).get("/"))
    ana_browser = browser(ana)
    entered = len(into_flask)
    second = html_of(ana_browser.get("/"))
    assert len(into_flask) == entered  # Paulo's page made the Portuguese frame
    for page in (first, second):
        assert "Abrigo aberto" in page and "Amigos: Em segurança 1" in page, page
    assert f"/members/{ana.id}" in second and f"/members/{paulo.id}" not in second


def test_a_page_made_in_front_of_flask_holds_no_secret_and_its_logout_link_asks_first(app, town, browser,
                                                                                      into_flask):
    browser(town["sato"]).get("/")
    suzuki = browser(town["suzuki"])
    entered = len(into_flask)
    page = html_of(suzuki.get("/"))
    assert len(into_flask) == entered  # answered in front of Flask
    assert "<form" not in page and "csrf" not in page  # nothing of the session's but the member's id
    assert '<a href="/logout">ログアウト</a>' in page
    asked = html_of(suzuki.get("/logout"))
    token = TOKEN.search(asked).group(1)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert suzuki.post("/logout", data={"csrf_token": "forged"}).status_code == 400
        assert suzuki.post("/logout", data={"csrf_token": token}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert "マイフレンド" not in _flask_page(app, suzuki)


@pytest.mark.parametrize("case", ["admin", "flashed", "query", "suspended_meanwhile", "new_token_due",
                                  "logged_out", "event_ended"])
def test_what_it_cannot_answer_exactly_goes_to_flask(app, town, browser, into_flask, case):
    browser(town["sato"]).get("/")
    client, path = browser(town["suzuki"]), "/"
    if case == "admin":
        client = browser(town["admin"])
    elif case == "flashed":
        with client.session_transaction() as session:
            session["_flashes"] = [("message", "ようこそ")]
    elif case == "query":
        path = "/?view=pc"
    elif case == "suspended_meanwhile":  # before the sessions are ended
        town["suzuki"].status = "suspended"
        db.session.commit()
    elif case == "new_token_due":
        db.session.execute(update(WebSession).where(WebSession.member_id == town["suzuki"].id)
                           .values(issued_at=utcnow() - timedelta(days=400)))
        db.session.commit()
    elif case == "logged_out":
        client = browser()
    elif case == "event_ended":
        events.end_event(town["admin"], town["event"])
    entered = len(into_flask)
    response = client.get(path)
    assert len(into_flask) == entered + 1, case
    if case == "flashed":
        assert "ようこそ" in html_of(response)
    if case == "new_token_due":
        assert "Set-Cookie" in response.headers  # Flask gave the session its new token


def test_a_frame_lasts_the_screens_seconds(app, town, browser, into_flask, monkeypatch):
    moment = [1000.0]
    monkeypatch.setattr(frames, "now", lambda: moment[0])
    monkeypatch.setattr(microcache, "now", lambda: moment[0])
    browser(town["sato"]).get("/")
    suzuki, tanaka = browser(town["suzuki"]), browser(town["tanaka"])
    entered = len(into_flask)
    suzuki.get("/")
    assert len(into_flask) == entered
    moment[0] += 6
    tanaka.get("/")
    assert len(into_flask) == entered + 1


def test_the_event_s_summary_is_asked_of_the_cache_once_a_second_and_forgotten_with_the_frames(
        app, town, browser, into_flask, monkeypatch):
    moment = [1000.0]
    monkeypatch.setattr(frames, "now", lambda: moment[0])
    monkeypatch.setattr(microcache, "now", lambda: moment[0])
    found = app.extensions[front.EXTENSION]
    asked, inner = [], found.summary
    monkeypatch.setattr(found, "summary", lambda: asked.append(1) or inner())
    browser(town["sato"]).get("/")
    members = [browser(town[name]) for name in ("suzuki", "tanaka", "suzuki", "tanaka")]
    entered = len(into_flask)
    for member in members[:2]:
        assert "マイフレンド" in html_of(member.get("/"))
    assert len(into_flask) == entered and len(asked) == 1
    moment[0] += front.SUMMARY_SECONDS
    members[2].get("/")
    assert len(into_flask) == entered and len(asked) == 2
    front.clear(app)
    assert found.summary_held is None and not found.frames


def test_cut_and_fill_give_the_page_back():
    body = b"<a href=/members/987/x>[TOKEN] <!--m--> 987 TOKENX"
    parts = frames.cut(body, {"member": b"987", "csrf": b"TOKEN", "personal": b"<!--m-->", "none": b""})
    assert parts == (b"<a href=/members/", "member", b"/x>[", "csrf", b"] ", "personal", b" ", "member", b" ",
                     "csrf", b"X")
    frame = frames.Frame(parts, "200 OK", (), None, None, {}, 0)
    assert frame.fill({"member": b"987", "csrf": b"TOKEN", "personal": b"<!--m-->"}) == body
    assert frame.fill({"member": b"5", "csrf": b"t", "personal": b"P"}) == b"<a href=/members/5/x>[t] P 5 tX"


def test_a_database_error_in_front_of_flask_leaves_the_page_to_flask(app, town, browser, into_flask, monkeypatch,
                                                                     caplog):
    from sqlalchemy.exc import OperationalError

    browser(town["sato"]).get("/")
    suzuki = browser(town["suzuki"])

    def gone(*_):
        raise OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(front, "_rows", gone)
    entered = len(into_flask)
    page = html_of(suzuki.get("/"))
    assert len(into_flask) == entered + 1 and "マイフレンド: 無事 1" in page
    assert "disaster screen in front of Flask failed" in caplog.text


def test_a_connection_postgresql_closed_costs_one_page_through_flask_then_the_pool_opens_another(
        app, town, browser, into_flask, caplog):
    """On PostgreSQL the statement goes on the driver's own cursor (front._rows): a dead connection is dropped."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the driver's cursor is used on PostgreSQL only")
    from psycopg.pq import TransactionStatus

    browser(town["sato"]).get("/")
    assert "マイフレンド: 無事 1" in html_of(browser(town["suzuki"]).get("/"))
    own = app.extensions[front.EXTENSION].engine
    raw = own.raw_connection()
    assert raw.driver_connection.info.transaction_status == TransactionStatus.IDLE  # nothing left open
    pid = raw.driver_connection.info.backend_pid
    raw.close()
    with app.app_context():
        db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        db.session.commit()
    after_the_loss, later = browser(town["suzuki"]), browser(town["suzuki"])
    entered = len(into_flask)
    assert "マイフレンド: 無事 1" in html_of(after_the_loss.get("/"))
    assert len(into_flask) == entered + 1 and "disaster screen in front of Flask failed" in caplog.text
    assert "マイフレンド: 無事 1" in html_of(later.get("/"))
    assert len(into_flask) == entered + 1  # answered in front again, on a new connection
