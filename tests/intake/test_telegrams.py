"""Telegrams acted on: a day's feed replayed through `flask ejan jma-ingest` and the relay's POST.

Kakegawa's intensity in the drill sample (4) and in the cancelled quake (1) is below the default
threshold, so those are run at a threshold of 1 as well: at 5- they would pass without testing anything.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ejan.disaster import events
from ejan.disaster.models import DisasterEvent, DisasterNotice
from ejan.extensions import db
from ejan.intake import telegrams
from ejan.intake.models import JmaTelegram
from jma_samples import ALL, DRILL, IWATE, IWATE_CANCEL, JMA_DIR, OSAKA_2021, SAME_QUAKE_DETAIL, SHINDO_SOKUHO, data

SECRET = "relay-secret-for-tests"


@pytest.fixture
def intake_settings(app):
    saved = {key: app.config[key] for key in ("EJAN_JMA_THRESHOLD", "EJAN_JMA_DRILLS", "EJAN_JMA_SECRET")}
    app.config["EJAN_JMA_SECRET"] = SECRET

    def set_(threshold="5-", drills=False):
        app.config.update(EJAN_JMA_THRESHOLD=threshold, EJAN_JMA_DRILLS=drills)

    set_()
    yield set_
    app.config.update(saved)


def ingest(app, *names):
    result = app.test_cli_runner().invoke(args=["ejan", "jma-ingest", *(str(JMA_DIR / n) for n in names)])
    assert result.exit_code == 0, result.output
    return [line.split(" ", 1)[1] for line in result.output.splitlines()]


def events_started():
    return list(db.session.scalars(select(DisasterEvent).order_by(DisasterEvent.id)))


def test_a_day_of_the_2009_quake_starts_one_event_and_updates_it(app, make_member, mailbox, intake_settings):
    make_member("住民")
    lines = ingest(app, SHINDO_SOKUHO, SAME_QUAKE_DETAIL)
    assert lines == ["started: 静岡県西部 intensity 6- reaches 5-",
                     "updated: event #1: 掛川市 intensity 5-"]
    [event] = events_started()
    assert (event.kind, event.automatic, event.drill, event.confirmed_at) == ("earthquake", True, False, None)
    assert event.source_ref == "jma:20090811050711"
    assert event.title == "地震（掛川市 震度5弱）"  # the newest telegram's intensity
    notices = list(db.session.scalars(select(DisasterNotice).where(DisasterNotice.event_id == event.id)
                                      .order_by(DisasterNotice.id)))
    assert len(notices) == 2 and set(notices[0].texts) == {"ja", "ja@easy", "pt", "en"}
    first, second = notices[0].texts["ja"]["body"], notices[1].texts["ja"]["body"]
    assert "静岡県西部の震度：6弱" in first and "震源地" not in first
    assert "8月11日 05時07分ころ" in second and "震源地：駿河湾" in second and "マグニチュード：6.6" in second
    assert "掛川市の震度：5弱" in second and "出典：気象庁" in second
    assert all(n.broadcast_at is not None for n in notices)
    assert len(mailbox.to("member1@example.jp")) == 2  # both notices broadcast, by mail too


def test_every_sample_in_one_replay_at_the_default_threshold(app, intake_settings):
    lines = ingest(app, *ALL)
    actions = dict(zip(ALL, (line.split(":")[0] for line in lines)))
    assert actions == {OSAKA_2021: "ignored", SHINDO_SOKUHO: "started", SAME_QUAKE_DETAIL: "updated",
                       DRILL: "ignored", IWATE: "ignored", IWATE_CANCEL: "ignored"}
    assert len(events_started()) == 1
    assert db.session.scalar(select(func.count()).select_from(JmaTelegram)) == len(ALL)  # every one kept


@pytest.mark.parametrize("drills", [False, True])
@pytest.mark.parametrize("threshold", ["5-", "1"])
def test_a_drill_telegram_never_starts_a_real_event(app, intake_settings, threshold, drills):
    intake_settings(threshold=threshold, drills=drills)
    [line] = ingest(app, DRILL)
    real = [e for e in events_started() if not e.drill]
    assert real == []
    if drills and threshold == "1":
        assert line == "drill: 掛川市 intensity 4 reaches 1"
        [drill] = events_started()
        assert drill.drill and drill.automatic
        notice = db.session.scalar(select(DisasterNotice).where(DisasterNotice.event_id == drill.id))
        assert notice.texts["ja"]["title"].startswith("【訓練】") and "これは訓練です。" in notice.texts["ja"]["body"]
    else:
        assert line.startswith("ignored: ") and events_started() == []


def test_at_threshold_1_the_cancellation_calls_off_the_event_and_broadcasts_a_correction(app, make_member, mailbox,
                                                                                          intake_settings):
    make_member("住民")
    intake_settings(threshold="1")
    assert ingest(app, IWATE, IWATE_CANCEL) == [
        "started: 掛川市 intensity 1 reaches 1",
        "cancelled: 取消: automatic event #1 of EventID 20080614084350 called off"]
    [event] = events_started()
    assert event.ended_at is not None and events.active_event() is None
    assert event.cancel_reason.startswith("取消")
    titles = [n.texts["ja"]["title"] for n in db.session.scalars(
        select(DisasterNotice).where(DisasterNotice.event_id == event.id).order_by(DisasterNotice.id))]
    assert titles[-1].startswith("【取消】") and len(titles) == 2
    assert len(mailbox.to("member1@example.jp")) == 2  # the start, then the correction


def test_at_the_default_threshold_the_cancellation_finds_nothing(app, intake_settings):
    assert ingest(app, IWATE, IWATE_CANCEL) == [
        "ignored: 掛川市 intensity 1 below 5-",
        "ignored: 取消: nothing was started for EventID 20080614084350"]
    assert events_started() == []


def test_a_cancellation_leaves_an_event_an_admin_confirmed(app, make_member, intake_settings):
    intake_settings(threshold="1")
    admin = make_member("防災課", role="admin")
    ingest(app, IWATE)
    events.confirm_event(admin, events.active_event())
    [line] = ingest(app, IWATE_CANCEL)
    assert line.startswith("ignored: 取消: event #1 was confirmed by an admin")
    assert events.active_event() is not None


def test_the_same_telegram_twice_acts_once(app, intake_settings):
    first, again = ingest(app, SHINDO_SOKUHO, SHINDO_SOKUHO)
    assert first.startswith("started")
    assert again.startswith("ignored: the same telegram was already received") and "(#1, started)" in again
    assert len(events_started()) == 1
    assert db.session.scalar(select(func.count()).select_from(JmaTelegram)) == 1


def test_a_quake_while_a_flood_is_active_starts_nothing(app, make_member, intake_settings):
    admin = make_member("防災課", role="admin")
    events.start_event("大雨", "flood", [], {"ja": {"title": "大雨", "body": "大雨です"}}, by=admin)
    [line] = ingest(app, SAME_QUAKE_DETAIL)
    assert line == "ignored: 掛川市 intensity 5- reaches 5-, but event #1 is already active"


@pytest.mark.parametrize("name", [SHINDO_SOKUHO, IWATE_CANCEL])
def test_a_truncated_telegram_is_refused_and_kept(app, intake_settings, name):
    raw = data(name)[:700]
    outcome = telegrams.receive(raw, source="truncated.xml")
    assert outcome.action == "refused" and "not well-formed XML" in outcome.reason
    kept = db.session.get(JmaTelegram, outcome.telegram_id)
    assert (kept.action, kept.body, kept.source) == ("refused", raw, "truncated.xml")
    assert events_started() == []


def test_the_command_names_the_file_and_survives_a_missing_or_non_xml_one(app, intake_settings, tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\x00\xffnot a telegram")
    result = app.test_cli_runner().invoke(args=["ejan", "jma-ingest", str(junk), str(tmp_path / "missing.xml"),
                                                str(JMA_DIR / OSAKA_2021)])
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{junk} refused: not well-formed XML")
    assert lines[1].startswith(f"{tmp_path / 'missing.xml'} refused: cannot read the file")
    assert lines[2] == f"{JMA_DIR / OSAKA_2021} ignored: 掛川市 not listed (below 5-)"


# --- the relay's POST --------------------------------------------------------------------------------------------

def post(client, body, secret=SECRET, **headers):
    if secret is not None:
        headers["X-Ejan-Intake-Secret"] = secret
    return client.post("/intake/jma", data=body, headers=headers, content_type="application/xml")


def test_the_relay_posts_a_telegram_with_the_shared_secret(app, client, intake_settings, csrf_on):
    response = post(client, data(SHINDO_SOKUHO))
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "started: 静岡県西部 intensity 6- reaches 5-\n"
    assert post(client, data(SHINDO_SOKUHO)).get_data(as_text=True).startswith("ignored: the same telegram")
    assert post(client, b"<oops").status_code == 422


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET.upper()])
def test_without_the_right_secret_nothing_is_received(app, client, intake_settings, secret):
    assert post(client, data(SHINDO_SOKUHO), secret=secret).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(JmaTelegram)) == 0


def test_no_secret_configured_no_endpoint(app, client, intake_settings):
    app.config["EJAN_JMA_SECRET"] = ""
    assert post(client, data(SHINDO_SOKUHO), secret="").status_code == 404


def test_an_oversized_post_is_refused_before_it_is_read(app, client, intake_settings):
    app.config["EJAN_JMA_MAX_BYTES"], saved = 100_000, app.config["EJAN_JMA_MAX_BYTES"]
    try:
        assert post(client, data(SAME_QUAKE_DETAIL)).status_code == 413  # 299 KB
    finally:
        app.config["EJAN_JMA_MAX_BYTES"] = saved
    assert db.session.scalar(select(func.count()).select_from(JmaTelegram)) == 0


# --- the admins' list ----------------------------------------------------------------------------------------------

def test_admins_read_every_telegram_and_what_was_done(app, client, keitai, make_member, login, intake_settings):
    ingest(app, SHINDO_SOKUHO, IWATE)
    telegrams.receive(b"<broken", source="http 192.0.2.1")
    admin, resident = make_member("防災課", role="admin"), make_member("住民")
    login(client, admin)
    page = client.get("/admin/intake/telegrams").get_data(as_text=True)
    assert "静岡県西部 intensity 6- reaches 5-" in page and "not well-formed XML" in page
    assert "20090811050711" in page and "http 192.0.2.1" in page
    phone = keitai("au")
    from support import keitai_login
    keitai_login(phone, admin)
    assert phone.get("/admin/intake/telegrams").status_code == 200
    other = app.test_client()
    login(other, resident)
    assert other.get("/admin/intake/telegrams").status_code == 403
    assert app.test_client().get("/admin/intake/telegrams").status_code == 302  # to the login page


def test_the_same_telegram_posted_twice_at_the_same_moment_acts_once(app, monkeypatch, intake_settings):
    from support import at_the_same_moment

    results, _ = at_the_same_moment(app, monkeypatch, telegrams, "_by_digest",
                                    lambda: telegrams.receive(data(SHINDO_SOKUHO), source="race").action,
                                    when=lambda found: found is None)
    assert sorted(results) == ["ignored", "started"]
    assert len(events_started()) == 1
    assert db.session.scalar(select(func.count()).select_from(JmaTelegram)) == 1
