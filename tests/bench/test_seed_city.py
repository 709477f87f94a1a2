"""bench/seed_city.py builds a small city the app can serve: consistent counters, a heavy-tailed
friendship graph, members who can log in, sequences that let the site keep writing."""
from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import run, seed_city  # noqa: E402
from ejan import create_app  # noqa: E402


@pytest.fixture(scope="module")
def sql(city_url):
    engine = create_engine(city_url)

    def query(statement: str):
        with engine.connect() as conn:
            return conn.execute(text(statement)).all()

    yield query
    engine.dispose()


def test_the_city_has_its_scaled_size(sql):
    assert sql("SELECT count(*) FROM members")[0][0] == 240
    assert sql("SELECT count(*) FROM diary_entries")[0][0] == 4000
    assert sql("SELECT count(*) FROM communities")[0][0] == 20
    for table in ("diary_comments", "footprints", "community_topics", "community_topic_comments",
                  "community_events", "notifications", "invitations", "introductions"):
        assert sql(f"SELECT count(*) FROM {table}")[0][0] > 0, table


def test_friendships_go_both_ways_with_a_heavy_tail(sql):
    one_way = sql("SELECT count(*) FROM friendships f WHERE NOT EXISTS (SELECT 1 FROM friendships g "
                  "WHERE g.member_id = f.friend_id AND g.friend_id = f.member_id)")[0][0]
    assert one_way == 0
    degrees = [d for (d,) in sql("SELECT count(*) FROM friendships GROUP BY member_id")]
    median = statistics.median(degrees)
    assert 12 <= median <= 25
    assert max(degrees) >= 4 * median  # a few members with many more friends than most


def test_diary_covers_every_visibility_and_the_years(sql):
    assert {v for (v,) in sql("SELECT DISTINCT visibility FROM diary_entries")} == {"members", "friends", "private"}
    years = {str(y)[:4] for (y,) in sql("SELECT created_at FROM diary_entries")}
    assert len(years) >= 10
    # ids follow time, as they would on a site that has been running for years
    rows = sql("SELECT id FROM diary_entries ORDER BY created_at, id")
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)


def test_stored_counters_match_the_rows(sql):
    assert sql("SELECT count(*) FROM communities c WHERE member_count <> (SELECT count(*) FROM community_memberships m "
               "WHERE m.community_id = c.id AND m.role IN ('owner', 'moderator', 'member'))")[0][0] == 0
    assert sql("SELECT count(*) FROM community_topics t WHERE comment_count <> "
               "(SELECT count(*) FROM community_topic_comments c WHERE c.topic_id = t.id)")[0][0] == 0
    assert sql("SELECT count(*) FROM communities c WHERE NOT EXISTS (SELECT 1 FROM community_memberships m "
               "WHERE m.community_id = c.id AND m.member_id = c.owner_id AND m.role = 'owner')")[0][0] == 0


def test_friends_only_entries_are_commented_by_friends_or_the_author(sql):
    assert sql("SELECT count(*) FROM diary_comments c JOIN diary_entries d ON d.id = c.entry_id "
               "WHERE d.visibility = 'friends' AND c.author_id <> d.author_id AND NOT EXISTS "
               "(SELECT 1 FROM friendships f WHERE f.member_id = d.author_id AND f.friend_id = c.author_id)")[0][0] == 0
    assert sql("SELECT count(*) FROM diary_comments c JOIN diary_entries d ON d.id = c.entry_id "
               "WHERE d.visibility = 'private'")[0][0] == 0


def test_a_seeded_member_logs_in_and_the_site_keeps_writing(city_url, sql, own_app):
    app = create_app({"SQLALCHEMY_DATABASE_URI": city_url, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    member = sql("SELECT id FROM members WHERE status = 'active' AND role = 'member' ORDER BY id LIMIT 1")[0][0]
    response = client.post("/login", data={"email": seed_city.EMAIL.format(member), "password": seed_city.PASSWORD})
    assert response.status_code == 302
    before = sql("SELECT max(id) FROM diary_entries")[0][0]
    response = client.post("/diary/new", data={"title": "ベンチの後で", "body": "まだ書ける", "visibility": "members",
                                               "submit_token": "t" * 32})
    assert response.status_code == 302, "a new entry after the bulk load (sequences moved past the loaded ids)"
    assert sql("SELECT max(id) FROM diary_entries")[0][0] == before + 1
    link = sql("SELECT link FROM notifications WHERE kind = 'diary_comment' AND member_id = "
               f"(SELECT author_id FROM diary_entries WHERE visibility = 'members' AND author_id = {member} LIMIT 1) "
               "LIMIT 1")
    if link:
        assert client.get(link[0][0]).status_code == 200
    with app.app_context():
        from ejan.extensions import db

        db.engine.dispose()


def test_a_database_with_members_is_refused(city_url):
    with pytest.raises(SystemExit, match="already holds members"):
        seed_city.prepare_database(city_url, replace=False)


def test_test_databases_are_refused():
    with pytest.raises(SystemExit, match="refusing"):
        seed_city.prepare_database("postgresql+psycopg://postgres@127.0.0.1:5432/ejan_test_1_abc", replace=True)
    with pytest.raises(SystemExit, match="refusing"):
        seed_city.prepare_database("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", replace=True)


def test_every_benchmarked_page_answers_on_the_seeded_city(city_url, own_app):
    targets = run.pick_targets(city_url)
    pages = [(page, page.path.format(**targets)) for page in run.PAGES]
    members = {"pc": targets["pc_member"], "keitai": targets["keitai_member"]}
    counts = run.count_statements(city_url, "t", pages, members, {"pc": run.PC_UA, "keitai": run.keitai_ua()})
    assert set(counts) == {(page.device, path) for page, path in pages}
    assert all(count > 0 for count in counts.values())


def test_the_floor_pages_are_a_members_and_say_nothing_of_their_own(city_url, own_app):
    """bench/floors.py: what every logged-in page stands on, served only by the bench's app."""
    targets = run.pick_targets(city_url)
    stranger = run.bench_app(city_url, "t").test_client()
    assert stranger.get(run.FLOOR_EMPTY).status_code == 403
    assert stranger.get(run.FLOOR_CHROME).status_code == 403
    member = run.signed_in(run.bench_app(city_url, "t"), run.PC_UA, targets["pc_member"])
    assert member.get(run.FLOOR_EMPTY).data == b"hello"
    chrome = member.get(run.FLOOR_CHROME).get_data(as_text=True)
    assert 'class="main-nav"' in chrome and re.search(r'<main class="content">\s*</main>', chrome)


def test_pins_lie_inside_the_city_in_every_category(sql):
    from ejan.geo.boundary import inside_city
    from ejan.maps.categories import CATEGORY_CODES

    rows = sql("SELECT lat, lon, category FROM pins")
    assert len(rows) == 400
    assert all(inside_city(lat, lon) for lat, lon, _ in rows)
    assert {category for _, _, category in rows} == set(CATEGORY_CODES)


def test_the_disaster_screen_answers_on_the_seeded_city_logged_out_and_in(city_url, own_app, sql):
    assert sql("SELECT count(*) FROM damage_reports")[0][0] > 0
    assert sql("SELECT count(*) FROM safety_checkins")[0][0] > 0
    targets = run.pick_targets(city_url)
    pages = [(page, page.path) for page in run.DISASTER_PAGES]
    members = {"pc": targets["pc_member"], "keitai": targets["keitai_member"]}
    crowd = run.make_crowd(city_url, "t", run.PC_UA, 3)
    run.disaster_switch(city_url, True, wait=False)
    try:
        counts = run.count_statements(city_url, "t", pages, members, {
            "pc": run.PC_UA, "keitai": run.keitai_ua(), "guest": run.PC_UA, "crowd": run.PC_UA}, crowd)
    finally:
        run.disaster_switch(city_url, False, wait=False)
        run.forget_crowd(city_url, crowd)
    assert counts["guest", "/disaster/"] == 0  # the logged-out page comes whole from the cache
    # A member reloading gets the page kept a few seconds for their own browser (ejan/microcache.py); what a
    # member's first load costs is counted in tests/disaster/test_screen.py.
    assert counts["pc", "/disaster/"] == counts["keitai", "/disaster/"] == 0
    # ...which is what the crowd's row measures: a member not seen yet asks the database for their own page.
    assert counts["crowd", "/disaster/"] > 0
