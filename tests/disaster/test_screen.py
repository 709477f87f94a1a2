"""The disaster screen: the front page for everyone while an event is on, light on every device,
in every language; a one-line banner on every other page."""
import pytest

from ejan.disaster import events, front
from ejan.extensions import db

from helpers_disaster import FOUR_LANGUAGES, start
from support import IPHONE_UA, PC_UA, count_queries, html_of, keitai_login, links, phone_ua, session_token

LANGUAGES = ("ja", "ja@easy", "pt", "en")


def test_without_an_event_the_front_page_is_the_usual_one(browser):
    page = html_of(browser().get("/"))
    assert "災害情報配信中" not in page


@pytest.mark.parametrize("ua", [PC_UA, IPHONE_UA, "keitai"])
def test_while_active_the_front_page_is_the_disaster_screen_logged_out(app, make_member, ua):
    start(make_member("防災課", role="admin"))
    client = app.test_client(use_cookies=ua != "keitai")
    client.environ_base["HTTP_USER_AGENT"] = phone_ua("docomo_nocookie") if ua == "keitai" else ua
    page = html_of(client.get("/"))
    assert "災害情報配信中" in page and "避難所を開設しました" in page
    assert "/disaster/checkin" in page and "/disaster/reports/new" in page and "/disaster/shelters" in page
    assert "<script" not in page


def test_a_member_sees_the_screen_with_their_friends_counts(app, make_member, befriend, browser, keitai):
    admin = make_member("防災課", role="admin")
    sato = make_member("佐藤")
    befriend(sato, make_member("鈴木"))
    start(admin)
    page = html_of(browser(sato).get("/"))
    assert "災害情報配信中" in page and "マイフレンド: 未確認 1" in page
    phone = keitai("au")
    keitai_login(phone, sato)
    assert "マイフレンド: 未確認 1" in html_of(phone.get("/"))


def test_every_other_page_carries_the_banner_and_a_drill_says_so(app, make_member, browser):
    admin = make_member("防災課", role="admin")
    start(admin, drill=True)
    client = browser(admin)
    for path in ("/diary", "/friends", "/communities", "/disaster/reports"):
        page = html_of(client.get(path, follow_redirects=True))
        assert "災害情報配信中" in page and "【訓練】" in page, path
    assert "【訓練】" in html_of(client.get("/"))


def test_the_banner_goes_when_the_event_ends(app, make_member, browser):
    admin = make_member("防災課", role="admin")
    event = start(admin)
    client = browser(admin)
    assert "災害情報配信中" in html_of(client.get("/friends", follow_redirects=True))
    events.end_event(admin, event)
    assert "災害情報配信中" not in html_of(client.get("/friends", follow_redirects=True))
    assert "災害情報配信中" not in html_of(client.get("/"))


def _heavy_event(admin, drill):
    """An event with everything the screen can show at its longest, in four languages."""
    long = {code: {"title": t["title"] * 4, "body": (t["body"] + " ") * 40} for code, t in FOUR_LANGUAGES.items()}
    event = start(admin, drill=drill, title="令和8年台風第15号による大雨と土砂災害の警戒" * 2, texts=long)
    for _ in range(4):
        events.post_notice(event, long, by=admin)
    from ejan.disaster import reports
    from ejan.geo.boundary import CITY_HALL
    for n in range(8):
        report = reports.create_report(admin, event, category="flooding", body="冠水して車が通れません。" * 20,
                                       lat=CITY_HALL[0], lon=CITY_HALL[1], address="掛川駅南口ロータリー付近")
        reports.triage(admin, report.id, "verified")
    return event


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("drill", [False, True])
def test_the_screen_stays_light_in_every_language(app, make_member, befriend, login, language, drill):
    admin = make_member("防災課", role="admin")
    member = make_member("佐藤")
    for n in range(5):
        befriend(member, make_member())
    _heavy_event(admin, drill)
    for logged_in in (False, True):
        pc = app.test_client()
        pc.environ_base["HTTP_USER_AGENT"] = PC_UA
        phone = app.test_client()  # au keeps cookies
        phone.environ_base["HTTP_USER_AGENT"] = phone_ua("au")
        if logged_in:
            login(pc, member)
            keitai_login(phone, member)
        for client, budget in ((pc, 30 * 1024), (phone, 5 * 1024)):
            client.get(f"/language/{language}")
            response = client.get("/")
            assert response.status_code == 200
            body = response.data
            assert len(body) <= budget, (language, logged_in, budget, len(body))
            assert b"<script" not in body and b"http://" not in body.replace(b"http://ejan.test", b"")
            assert b"https://" not in body


def test_the_logged_out_screen_is_kept_a_few_seconds(app, make_member, pc_client):
    admin = make_member("防災課", role="admin")
    start(admin)
    pc_client.get("/")
    with count_queries(db.engine) as counter:
        assert "災害情報配信中" in html_of(pc_client.get("/"))
    assert counter.count == 0


def test_a_members_screen_costs_the_same_statements_however_many_friends(app, make_member, befriend, browser):
    """A member's first load (after the one that made the screen's frame) is one statement whatever the numbers:
    their session, member and own rows at once (disaster/front.py); a reload within the screen's seconds runs
    none (the copy kept for the browser, ejan/microcache.py)."""
    admin = make_member("防災課", role="admin")
    few, many = make_member("佐藤"), make_member("鈴木")
    befriend(few, make_member())
    for _ in range(12):
        befriend(many, make_member())
    start(admin)
    browser().get("/")  # the banner's summary and the screen's shared part, already in the cache
    browser(make_member()).get("/")  # and what each process keeps of the city's check-ins (checkins.CITY_SECONDS)
    with app.app_context():
        front_engine = app.extensions[front.EXTENSION].engine  # where a first load after the first is answered
    counted = {}
    for member in (few, many):
        client = browser(member)
        with count_queries(db.engine) as first, count_queries(front_engine) as in_front:
            assert "マイフレンド: 未確認" in html_of(client.get("/"))
        with count_queries(db.engine) as again, count_queries(front_engine) as again_in_front:
            client.get("/")
        counted[member.nickname] = (first.count + in_front.count, again.count + again_in_front.count)
    assert counted["佐藤"] == counted["鈴木"]
    assert counted["佐藤"] == (1, 0), counted


def test_a_members_own_checkin_shows_at_once_and_a_friends_within_seconds(app, make_member, befriend, browser,
                                                                          monkeypatch):
    import time

    from ejan import caching, microcache
    from ejan.disaster import checkins
    from ejan.extensions import cache

    admin = make_member("防災課", role="admin")
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    befriend(sato, suzuki)
    event = start(admin)
    client = browser(sato)
    assert "まだ安否を登録していません" in html_of(client.get("/"))
    checkins.check_in(suzuki, event, status="safe")
    checkins.check_in(sato, event, status="home")
    page = html_of(client.get("/"))
    assert "あなた: 自宅にいます" in page  # their own at once: it forgot the kept counts
    assert "マイフレンド: 未確認 1" in page  # a friend's: the city's check-ins are kept a few seconds
    cache.clear()  # ... which have passed, for the counts, the city's check-ins and the page kept for the browser
    caching.forget_held()
    monkeypatch.setattr(microcache, "now", lambda: time.monotonic() + 60)
    assert "マイフレンド: 無事 1" in html_of(client.get("/"))


def test_a_cookieless_keitais_screen_carries_its_own_session_and_nobody_elses(app, make_member, browser, keitai):
    start(make_member("防災課", role="admin"))
    tokens = []
    for member in (make_member("佐藤"), make_member("鈴木")):
        phone = keitai("docomo_nocookie")  # its session travels in every link
        landing = keitai_login(phone, member)
        page = html_of(phone.get(landing))
        assert "マイフレンド" in page and "/disaster/checkin?ejs=" in page
        mine = {session_token(link) for link in links(page, "ejs=")}
        assert mine == {session_token(landing)}, mine
        tokens.append(mine)
    assert tokens[0] != tokens[1]
    for reader in (browser(make_member("田中")), browser()):
        assert "ejs=" not in html_of(reader.get("/"))
