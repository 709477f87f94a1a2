"""Monthly statistics: the grouped queries against counts the test works out on its own."""
import csv
import io
import random
from datetime import date, datetime, timedelta

from sqlalchemy import insert

from ejan.admin import pageviews, stats
from ejan.communities.models import Community
from ejan.diary.models import DiaryComment, DiaryEntry
from ejan.disaster.models import DamageReport, DisasterEvent
from ejan.extensions import db
from ejan.members.models import Member
from ejan.reports.models import Tsuho
from tests.support import count_queries

HASH = "scrypt:32768:8:1$x$y"


def jst_month(moment: datetime) -> str:
    return (moment + timedelta(hours=9)).strftime("%Y-%m")


def add_members(moments):
    start = db.session.query(Member).count()
    db.session.execute(insert(Member), [
        {"email": f"m{start + i}@example.jp", "password_hash": HASH, "stored_nickname": f"会員{start + i}", "intro": "",
         "role": "member", "status": "active", "created_at": moment} for i, moment in enumerate(moments)])
    db.session.commit()


def add_communities(owner_id, moments):
    start = db.session.query(Community).count()
    db.session.execute(insert(Community), [
        {"name": f"コミュニティ{start + i}", "category": "地域", "description": "", "owner_id": owner_id,
         "created_at": moment} for i, moment in enumerate(moments)])
    db.session.commit()


def test_the_citys_first_five_months(app):
    """The table the city reported to its council: members 327, 425, 512, 590, 637; communities 63 … 102."""
    members = [327, 425, 512, 590, 637]
    communities = [63, 71, 82, 91, 102]
    months = [datetime(2006, m, 10, 3, 0) for m in range(4, 9)]
    before = 0
    for moment, total in zip(months, members):
        add_members([moment] * (total - before))
        before = total
    owner = db.session.query(Member).first().id
    before = 0
    for moment, total in zip(months, communities):
        add_communities(owner, [moment] * (total - before))
        before = total
    figures = stats.compute()
    first = figures.rows[:5]
    assert [m for m, _v in first] == ["2006-04", "2006-05", "2006-06", "2006-07", "2006-08"]
    assert [v["members"] for _m, v in first] == members
    assert [v["communities"] for _m, v in first] == communities
    assert figures.rows[-1][1]["members"] == 637  # cumulative up to this month


def test_statistics_match_a_generated_history(app, make_member):
    rng = random.Random(15)
    admin = make_member("市役所", role="admin")
    expected: dict[str, dict[str, int]] = {}

    def expect(name, moment, n=1):
        expected.setdefault(name, {}).setdefault(jst_month(moment), 0)
        expected[name][jst_month(moment)] += n

    expect("members", admin.created_at)
    base = datetime(2025, 1, 1)
    # The edge of a month in Japan time: 15:30 UTC on the 31st is already the 1st in Kakegawa.
    moments = [base + timedelta(days=rng.randrange(0, 365), hours=rng.randrange(0, 24)) for _ in range(120)]
    moments += [datetime(2025, 3, 31, 15, 30), datetime(2025, 3, 31, 14, 59)]
    add_members(moments)
    for m in moments:
        expect("members", m)
    ids = [m.id for m in db.session.query(Member).all()]
    owner = ids[0]
    community_moments = [base + timedelta(days=rng.randrange(0, 365)) for _ in range(30)]
    add_communities(owner, community_moments)
    for m in community_moments:
        expect("communities", m)
    entries = []
    for _ in range(80):
        moment = base + timedelta(days=rng.randrange(0, 365), minutes=rng.randrange(0, 1440))
        entries.append({"author_id": rng.choice(ids), "title": "日記", "body": "本文", "visibility": "members",
                        "created_at": moment, "updated_at": moment})
        expect("diaries", moment)
    db.session.execute(insert(DiaryEntry), entries)
    entry_ids = [e.id for e in db.session.query(DiaryEntry).all()]
    comments = []
    for _ in range(60):
        moment = base + timedelta(days=rng.randrange(0, 365), minutes=rng.randrange(0, 1440))
        comments.append({"entry_id": rng.choice(entry_ids), "author_id": rng.choice(ids), "body": "いいね",
                         "created_at": moment})
        expect("comments", moment)
    db.session.execute(insert(DiaryComment), comments)
    event = DisasterEvent(title="大雨", kind="flood", districts=[], drill=False, automatic=False,
                          started_at=datetime(2025, 6, 1))
    db.session.add(event)
    db.session.flush()
    for n in range(7):
        moment = datetime(2025, 6, 1) + timedelta(days=n * 9)
        db.session.add(DamageReport(event_id=event.id, author_id=rng.choice(ids), category="flooding", body="冠水",
                                    created_at=moment))
        expect("damage_reports", moment)
    for n in range(9):
        moment = base + timedelta(days=rng.randrange(0, 365))
        db.session.add(Tsuho(reporter_id=ids[n + 1], target_kind="diary_entry", target_id=entry_ids[0],
                             reason="spam", created_at=moment))
        expect("tsuho", moment)
    db.session.commit()
    # Page views and active members, counted in memory and written in one flush.
    pageviews.reset()
    views: dict[str, dict[str, int]] = {}
    active: dict[str, set] = {}
    for _ in range(500):
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 365))
        device = rng.choice(pageviews.DEVICES)
        member = rng.choice(ids + [None])
        pageviews.count(device, member, day)
        month = day.strftime("%Y-%m")
        views.setdefault(f"views_{device}", {}).setdefault(month, 0)
        views[f"views_{device}"][month] += 1
        if member is not None:
            active.setdefault(month, set()).add(member)
    assert pageviews.flush() == 500
    assert pageviews.flush() == 0  # nothing counted twice

    with count_queries(db.engine) as queries:
        figures = stats.compute()
    assert queries.count <= 12  # one grouped query per figure, whatever the history's size
    table = dict(figures.rows)
    running = {"members": 0, "communities": 0}
    for month in sorted(table):
        for name in ("diaries", "comments", "damage_reports", "tsuho"):
            assert table[month][name] == expected.get(name, {}).get(month, 0), (name, month)
        for name in running:
            running[name] += expected[name].get(month, 0)
            assert table[month][name] == running[name], (name, month)
        for name, per_month in views.items():
            assert table[month][name] == per_month.get(month, 0), (name, month)
        assert table[month]["active_members"] == len(active.get(month, ())), month
    assert table["2025-04"]["members"] - table["2025-03"]["members"] == expected["members"].get("2025-04", 0)


def test_the_statistics_page_and_its_csv(app, browser, make_member):
    admin = make_member("市役所", role="admin")
    client = browser(admin)
    page = client.get("/admin/stats").get_data(as_text=True)
    assert "<svg" in page and "会員数（累計）" in page
    response = client.get("/admin/stats.csv")
    assert response.data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "月" and "会員数（累計）" in rows[0]
    assert rows[-1][rows[0].index("会員数（累計）")] == "1"


def test_page_views_are_counted_per_device_without_a_write_per_request(app, browser, keitai, make_member):
    pageviews.reset()
    client = browser()
    with count_queries(db.engine) as queries:
        client.get("/")
    assert not [q for q in queries.statements if "page_view_days" in q]  # held in memory until the flush
    keitai("au").get("/")
    pageviews.flush()
    figures = dict(stats.compute().rows)
    month = max(figures)
    assert figures[month]["views_pc"] == 1 and figures[month]["views_keitai"] == 1
