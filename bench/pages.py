"""Measure the member pages at city scale: time per request and SQL statements per page.

    .venv/bin/python bench/pages.py --members 120000 --friends 20
    EJAN_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/ejan_bench .venv/bin/python bench/pages.py

Builds a database (a fresh SQLite file under /tmp unless EJAN_DATABASE_URL is given), fills it with
bulk inserts, then requests each page repeatedly as a PC and as a keitai. Speed is measured here and
never asserted in tests; the tests assert query counts instead.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, insert  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from ejan import create_app  # noqa: E402
from ejan.extensions import db  # noqa: E402
from ejan.communities.models import Community, Membership, Topic, TopicComment  # noqa: E402
from ejan.diary.models import DiaryComment, DiaryEntry  # noqa: E402
from ejan.friends.models import FriendRequest, Friendship  # noqa: E402
from ejan.members.models import DISTRICTS, Member  # noqa: E402
from ejan.notify.models import Notification  # noqa: E402

KEITAI_UA = "KDDI-CA31 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0"
PC_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0"


def fill(members: int, friends: int, entries_each: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    password = generate_password_hash("bench-password", method="pbkdf2:sha256:1000")
    batch = 5000
    for start in range(0, members, batch):
        db.session.execute(insert(Member), [
            {"email": f"m{i}@bench.example", "password_hash": password, "nickname": f"住民{i}", "intro": "よろしく",
             "district": rng.choice(DISTRICTS), "role": "member", "status": "active"}
            for i in range(start, min(members, start + batch))
        ])
    db.session.commit()
    rows, seen = [], set()
    for member in range(1, members + 1):
        for _ in range(friends // 2):
            other = rng.randint(1, members)
            pair = (min(member, other), max(member, other))
            if other != member and pair not in seen:
                seen.add(pair)
                rows += [{"member_id": pair[0], "friend_id": pair[1]}, {"member_id": pair[1], "friend_id": pair[0]}]
        if len(rows) >= 20000:
            db.session.execute(insert(Friendship), rows)
            rows = []
    if rows:
        db.session.execute(insert(Friendship), rows)
    db.session.execute(insert(FriendRequest), [
        {"from_id": i, "to_id": 1, "message": "はじめまして"} for i in range(members - 29, members + 1)
    ])
    visibilities = ["members", "members", "friends", "private"]
    for start in range(1, members * entries_each + 1, batch):
        db.session.execute(insert(DiaryEntry), [
            {"author_id": (i % members) + 1, "title": f"日記{i}", "body": "茶畑の話 " * 20,
             "visibility": visibilities[i % 4]} for i in range(start, min(members * entries_each + 1, start + batch))
        ])
    db.session.execute(insert(DiaryComment), [
        {"entry_id": rng.randint(1, members * entries_each), "author_id": rng.randint(1, members), "body": "いいですね"}
        for _ in range(members)])
    communities = max(10, members // 24)  # 5,000 communities for 120,000 members
    db.session.execute(insert(Community), [
        {"name": f"コミュニティ{c}", "category": "地域", "description": "地域の集まり", "owner_id": c,
         "member_count": 1, "join_policy": "open", "topic_visibility": "site"} for c in range(1, communities + 1)])
    db.session.execute(insert(Membership), [
        {"community_id": c, "member_id": c, "role": "owner"} for c in range(1, communities + 1)])
    db.session.execute(insert(Membership), [
        {"community_id": c, "member_id": 1, "role": "member"} for c in range(2, min(communities, 200) + 1)])
    db.session.execute(insert(Topic), [
        {"community_id": (t % communities) + 1, "author_id": (t % communities) + 1, "title": f"トピック{t}",
         "body": "本文", "comment_count": 0} for t in range(communities * 5)])
    db.session.execute(insert(TopicComment), [
        {"topic_id": 1, "author_id": rng.randint(1, members), "body": "コメント"} for _ in range(300)])
    db.session.execute(insert(Notification), [
        {"member_id": 1, "kind": "friend_accepted", "actor_id": rng.randint(2, members), "link": "/"} for _ in range(500)
    ])
    db.session.commit()


def measure(app, paths: list[str], repeat: int) -> None:
    with app.app_context():
        engine = db.engine
    for label, ua in (("pc", PC_UA), ("keitai", KEITAI_UA)):
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = ua
        client.post("/login", data={"email": "m0@bench.example", "password": "bench-password"})
        for path in paths:
            statements = []
            listener = lambda *args: statements.append(1)  # noqa: E731
            event.listen(engine, "before_cursor_execute", listener)
            client.get(path)
            event.remove(engine, "before_cursor_execute", listener)
            timings = []
            for _ in range(repeat):
                began = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - began) * 1000)
            print(f"{label:7} {path:28} {response.status_code} {len(response.data):7d} B  "
                  f"{len(statements):3d} SQL  median {statistics.median(timings):7.1f} ms  max {max(timings):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--friends", type=int, default=20, help="average friends per member")
    parser.add_argument("--entries", type=int, default=5, help="diary entries per member")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("EJAN_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        began = time.perf_counter()
        fill(args.members, args.friends, args.entries)
        if db.engine.dialect.name == "postgresql":
            # Autovacuum would do this soon after a real import; a benchmark should not wait for it.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        print(f"filled {args.members} members, ~{args.friends} friends each in {time.perf_counter() - began:.1f} s ({url})")
    paths = ["/", "/members/1", "/members/2", "/members/1/friends", "/members/1/friends?page=5",
             "/friends/requests", "/notifications", "/invitations",
             "/diary/friends", "/diary/everyone", "/members/2/diary", "/diary/search?q=%E8%8C%B6",
             "/communities", "/communities?sort=activity", "/communities/1", "/topics/1", "/communities/mine"]
    measure(app, paths, args.repeat)


if __name__ == "__main__":
    main()
