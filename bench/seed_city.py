"""Seed the whole city into a database with bulk inserts: the data every benchmark measures against.

    .venv/bin/python bench/seed_city.py                 # 120,000 members into a fresh ejan_bench (PostgreSQL)
    .venv/bin/python bench/seed_city.py --scale 0.01    # 1,200 members, for quick runs and CI
    .venv/bin/python bench/seed_city.py --scale 0.01 --database-url sqlite:////tmp/city.sqlite3

At --scale 1: 120,000 members in Kakegawa's districts, invited by one another (the invite tree); a
heavy-tailed friendship graph (median about 20 friends, a few members with hundreds, friends mostly
from the same district); 2,000,000 diary entries over every visibility and every year since the
site opened, with comments and footprints; 5,000 communities of every size with topics, comments,
events and attendance; and the notifications all of that would have sent.

Every member's password is PASSWORD ("kakegawa-bench"), stored as one precomputed hash made with the
app's own method, so the load generator logs in as anybody. The database comes only from the app's
Alembic migrations; nothing the app relies on (indexes, constraints) is switched off, rows are
loaded with PostgreSQL COPY (executemany in batches on SQLite, slower but fine up to --scale 0.05),
sequences are moved past the loaded ids and the database is VACUUM ANALYZEd, as autovacuum would
soon do after a real import.

The default target is a database of its own, ejan_bench on the local PostgreSQL server, dropped and
created afresh each run. A --database-url of your own must point at an empty or missing database;
--replace drops and recreates a PostgreSQL one first.

Features add their data with one more @step function (maps: pins, disaster: reports, ...): a step
gets the City built so far (members, districts, friends, communities) and loads its own tables.
"""
from __future__ import annotations

import argparse
import bisect
import hashlib
import math
import os
import random
import sys
import time
from array import array
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, inspect, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from ejan.search_grams import grams  # noqa: E402

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
DEFAULT_URL = DEFAULT_SERVER + "ejan_bench"

PASSWORD = "kakegawa-bench"
# werkzeug.security.generate_password_hash(PASSWORD, method="scrypt"): the app's default method, made
# once, so seeding 120,000 members costs nothing and a login costs what a real one does.
PASSWORD_HASH = ("scrypt:32768:8:1$SCARl43j7eXiGDf1$a8a8ed30400ec16425b132937ff17a4a98227f3363b8905cd1e12c35fb492b6c"
                 "ace3ae39ab8de7f89dafad592054fbca31fc2178e18cc117c6cd7188e37c363f")
EMAIL = "resident{}@bench.e-jan.kakegawa.example"  # member id -> e-mail address

# What the whole city holds at --scale 1 (DESIGN.md: "Scale it must hold").
FULL = {"members": 120_000, "entries": 2_000_000, "communities": 5_000, "footprints": 1_000_000,
        "pins": 200_000, "damage_reports": 20_000}
CHECKED_IN = 0.6  # share of members who checked in during the flood night
MEDIAN_FRIENDS = 20
SITE_OPENED = datetime(2007, 4, 1)

# Where residents live: rough shares of the city's population per district (larger in central
# Kakegawa and the two merged towns, 大東 and 大須賀), so district communities differ in size.
DISTRICT_WEIGHTS = {
    "掛川第一": 5, "掛川第二": 5, "掛川第三": 4, "掛川第四": 4, "掛川第五": 4, "掛川第六": 4,
    "西南郷": 4, "東山口": 3, "西山口": 4, "上内田": 3, "曽我": 4, "桜木": 3, "粟本": 2, "西郷": 3,
    "倉真": 2, "東山": 1, "日坂": 1, "原谷": 2, "原田": 2, "和田岡": 2, "佐東": 2, "南郷": 3,
    "大須賀": 9, "大東": 16, "その他・市外": 2,
}
SURNAMES = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水 " \
           "山崎 森 池田 橋本 阿部 石川 前田 藤田 岡田 後藤 戸塚 大石 杉山 望月 鈴村 榛葉 赤堀 松浦".split()
GIVEN = "和子 一郎 美香 健 花子 茂 由美 隆 幸子 正 恵 翔太 愛 誠 京子 大輔 真理 聡 直美 浩 千尋 達也 裕子 学 " \
        "静香 勇 綾 実 光 遥 陽菜 蓮 結衣 湊 さくら 大翔 芽依 悠真 茶々 こころ".split()
NICK_WORDS = "茶娘 いっちゃん みか ケン はなこ しげさん 茶畑パパ 城下町 つま恋 遠州っ子 ねこ好き 朝ランナー " \
             "大東の海 粟ヶ岳 ばあば じいじ 新茶 子育てママ 防災係 カメラ爺 たまご 掛川っ子".split()
PLACES = ("掛川城", "つま恋", "粟ヶ岳", "大東の海岸", "大須賀の横須賀城跡", "掛川駅", "十九首", "倉真の茶畑",
          "新東名のサービスエリア", "花鳥園", "竜華院", "大池", "逆川", "小笠山", "日坂宿", "事任八幡宮")
TITLES = ("今日の{p}", "{p}へ行きました", "一番茶の摘み取り", "{p}の桜", "自治会の防災訓練", "孫の運動会",
          "新しいパン屋さん", "{p}を散歩", "雨の日曜日", "お茶の淹れ方", "夏祭りの準備", "{p}で写真",
          "病院の帰りに", "町内の清掃", "仕事納め", "初詣は{p}", "秋の収穫", "地震の備え")
SENTENCES = ("今朝は早起きして{p}まで歩きました。", "天気がよくて気持ちのいい一日でした。",
             "一番茶の香りがとてもいいです。", "{d}の公民館で集まりがありました。", "孫が遊びに来てくれました。",
             "帰りに駅前でお茶を買いました。", "避難所の場所をもう一度確認しておきましょう。",
             "写真はまた今度載せます。", "みなさんはどう過ごしましたか？", "{p}の景色は何度見てもいいですね。",
             "今年は霜の心配がなくてよかったです。", "自治会の回覧板を回しました。", "夕方から雨になりました。",
             "茶葉入りのメロンパンがおすすめです。", "{d}の道路工事はいつ終わるのでしょう。",
             "久しぶりに友だちと会ってお茶を飲みました。", "消火器の使い方を教わりました。")
COMMENT_TEXTS = ("いいですね！", "今度ぜひご一緒させてください。", "写真も見たいです。", "お疲れさまでした。",
                 "私も行きました！", "懐かしいです。", "参考になります。", "気をつけてくださいね。", "わかります〜")
THEMES = (("の茶畑", "地域"), ("子育てサークル", "子育て"), ("ジョギング部", "スポーツ"), ("自主防災会", "防災"),
          ("グルメ探検隊", "グルメ"), ("写真部", "趣味"), ("家庭菜園", "趣味"), ("小学校PTA", "学校・PTA"),
          ("中学校PTA", "学校・PTA"), ("自治会", "地域"), ("ソフトボール", "スポーツ"), ("釣り仲間", "趣味"),
          ("行政ニュース", "行政"), ("ゲートボール", "スポーツ"), ("囲碁・将棋", "趣味"), ("ママ友", "子育て"),
          ("ラーメン部", "グルメ"), ("歴史散歩", "地域"), ("バレーボール", "スポーツ"), ("手芸の会", "趣味"))
CITY_WIDE = (("掛川市民の広場", "地域"), ("掛川のおいしいお店", "グルメ"), ("掛川の防災情報", "防災"),
             ("掛川の子育て", "子育て"), ("深蒸し茶が好き", "趣味"))


# --- loading rows -----------------------------------------------------------------------------------

class Loader:
    """Bulk inserts into existing (migrated) tables: COPY on PostgreSQL, batched executemany on SQLite."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def load(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        began = time.perf_counter()
        raw = self.engine.raw_connection()
        count = 0
        try:
            cursor = raw.cursor()
            if self.postgres:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                batch: list[tuple] = []
                for row in rows:
                    batch.append(tuple(_sqlite_value(v) for v in row))
                    if len(batch) == 10_000:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                cursor.executemany(sql, batch)
                count += len(batch)
            raw.commit()
        finally:
            raw.close()
        self.counts[table] = self.counts.get(table, 0) + count
        print(f"  {table:30} {count:>10,} rows  {time.perf_counter() - began:6.1f} s", flush=True)
        return count


def _sqlite_value(value):
    # SQLAlchemy reads SQLite datetimes back from this exact text form.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- the city being built ---------------------------------------------------------------------------

@dataclass
class City:
    """What the steps so far have built, for the steps after them. Member ids run 1..members in the
    order they joined; index 0 of every per-member array is unused."""

    scale: float
    rng: random.Random
    loader: Loader
    now: datetime
    members: int = 0
    joined: list[float] = field(default_factory=list)  # seconds after SITE_OPENED
    district: list[str] = field(default_factory=list)
    activity: list[float] = field(default_factory=list)  # how much a member writes and visits
    active_cum: list[float] = field(default_factory=list)  # cumulative activity, for weighted picks
    suspended: set[int] = field(default_factory=set)
    friends: list[array] = field(default_factory=list)
    communities: list[array] = field(default_factory=list)  # community id -> joined member ids
    notifications: list[tuple] = field(default_factory=list)

    def count(self, full: int, least: int = 1) -> int:
        return max(least, round(full * self.scale))

    def at(self, seconds: float) -> datetime:
        return SITE_OPENED + timedelta(seconds=seconds)

    @property
    def span(self) -> float:
        return (self.now - SITE_OPENED).total_seconds()

    def active_member(self, before: float | None = None) -> int:
        """A member picked by how active they are (among those who joined before a moment)."""
        limit = self.members if before is None else max(1, bisect.bisect_right(self.joined, before, 1) - 1)
        return bisect.bisect_left(self.active_cum, self.rng.random() * self.active_cum[limit], 1, limit + 1)

    def any_member(self) -> int:
        return self.rng.randint(1, self.members)

    def later(self, after: float, mean_hours: float) -> float:
        """A moment some hours after another, never in the future."""
        return min(after + self.rng.expovariate(1 / (mean_hours * 3600)), self.span - self.rng.random() * 600)

    def notify(self, member_id: int, kind: str, actor_id: int | None, moment: float, about: int = 0,
               subject: str = "") -> None:
        """Remember a notification; `about` is the id its link points at (see LINKS)."""
        self.notifications.append((moment, member_id, kind, actor_id, about, subject))


# Where each kind of notification links to, from the id it is about.
LINKS = {
    "friend_accepted": "/members/{}",
    "friend_requested": "/friends/requests",
    "diary_comment": "/diary/{}",
    "topic_comment": "/topics/{}",
    "community_join_requested": "/communities/{}/requests",
}


STEPS: list[Callable[[City], None]] = []


def step(function: Callable[[City], None]) -> Callable[[City], None]:
    """Register a seeding step; steps run in the order they are defined (and imported)."""
    STEPS.append(function)
    return function


def _lognormal_int(rng: random.Random, median: float, sigma: float, low: int, high: int) -> int:
    return max(low, min(high, round(rng.lognormvariate(math.log(median), sigma))))


# --- members ----------------------------------------------------------------------------------------

@step
def members(city: City) -> None:
    rng, n = city.rng, city.count(FULL["members"], least=100)
    city.members = n
    # More residents joined in the first years of the site than later; ids follow joining order.
    city.joined = [0.0] + sorted(city.span * 0.97 * rng.random() ** 1.3 for _ in range(n))
    names, weights = list(DISTRICT_WEIGHTS), list(DISTRICT_WEIGHTS.values())
    city.district = [""] + rng.choices(names, weights, k=n)
    city.activity = [0.0] + [rng.lognormvariate(0, 1.2) for _ in range(n)]
    total = 0.0
    city.active_cum = [0.0]
    for weight in city.activity[1:]:
        total += weight
        city.active_cum.append(total)
    city.suspended = {i for i in range(60, n + 1) if rng.random() < 0.003}
    founders = min(50, n)  # city office staff and the first residents, invited by nobody
    inviter = [0] * (n + 1)
    for i in range(founders + 1, n + 1):
        inviter[i] = rng.randint(1, i - 1) if rng.random() < 0.5 else rng.randint(max(1, i - 2000), i - 1)
    carriers = ("docomo.ne.jp", "ezweb.ne.jp", "softbank.ne.jp")

    def rows() -> Iterator[tuple]:
        for i in range(1, n + 1):
            surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
            nickname = rng.choice((f"{surname} {given}", given, rng.choice(NICK_WORDS), f"{rng.choice(NICK_WORDS)}{i % 100}"))
            intro = f"{city.district[i]}に住んでいます。" + "".join(
                rng.choice(SENTENCES).format(p=rng.choice(PLACES), d=city.district[i]) for _ in range(rng.randint(0, 6)))
            keitai = f"r{i}@{rng.choice(carriers)}" if rng.random() < 0.25 else None
            yield (i, EMAIL.format(i), PASSWORD_HASH, nickname, intro, city.district[i], None, keitai,
                   "admin" if i == 1 else "member", "suspended" if i in city.suspended else "active",
                   inviter[i] or None, city.at(city.joined[i]))

    city.loader.load("members", ("id", "email", "password_hash", "nickname", "intro", "district", "photo_key",
                                 "keitai_email", "role", "status", "invited_by_id", "created_at"), rows())

    def invitations() -> Iterator[tuple]:
        for i in range(founders + 1, n + 1):
            sent = city.at(max(city.joined[inviter[i]], city.joined[i] - rng.random() * 5 * 86400))
            token_hash = hashlib.sha256(f"bench-invite-{i}".encode()).hexdigest()
            yield (i - founders, inviter[i], EMAIL.format(i), token_hash, "", sent, sent + timedelta(days=7),
                   city.at(city.joined[i]), i)

    city.loader.load("invitations", ("id", "inviter_id", "email", "token_hash", "message", "created_at",
                                     "expires_at", "used_at", "used_by_id"), invitations())


# --- friends ----------------------------------------------------------------------------------------

@step
def friendships(city: City) -> None:
    """A configuration-model graph: each member draws a degree from a log-normal (median 20, a long
    tail into the hundreds), 60% of their friends from their own district; duplicates and self-pairs
    dropped."""
    rng, n = city.rng, city.members
    local: dict[str, list[int]] = {}
    everywhere: list[int] = []
    for i in range(1, n + 1):
        degree = _lognormal_int(rng, MEDIAN_FRIENDS, 0.8, 1, min(1000, n - 1))
        near = round(degree * 0.6)
        local.setdefault(city.district[i], []).extend([i] * near)
        everywhere.extend([i] * (degree - near))
    pairs: set[tuple[int, int]] = set()
    for pool in [*local.values(), everywhere]:
        rng.shuffle(pool)
        for a, b in zip(pool[::2], pool[1::2]):
            if a != b:
                pairs.add((a, b) if a < b else (b, a))
    city.friends = [array("i") for _ in range(n + 1)]
    ordered = sorted(pairs, key=lambda p: max(city.joined[p[0]], city.joined[p[1]]))
    intros: list[tuple] = []

    def rows() -> Iterator[tuple]:
        for a, b in ordered:
            city.friends[a].append(b)
            city.friends[b].append(a)
            moment = city.later(max(city.joined[a], city.joined[b]), 24 * 30)
            made = city.at(moment)
            yield a, b, made
            yield b, a, made
            if rng.random() < 0.15:  # the accepted request, as its requester was told
                city.notify(a, "friend_accepted", b, moment, b)
            if rng.random() < 0.05:  # 紹介文 written by one friend about the other
                about, author = (a, b) if rng.random() < 0.5 else (b, a)
                written = city.at(city.later(moment, 24 * 60))
                body = f"{city.district[about]}のご近所さんです。" + rng.choice(SENTENCES).format(
                    p=rng.choice(PLACES), d=city.district[about])
                intros.append((about, author, body, written, written))

    city.loader.load("friendships", ("member_id", "friend_id", "created_at"), rows())

    def requests() -> Iterator[tuple]:  # pending requests, a few members with several
        seen = set()
        for _ in range(city.count(6_000)):
            to, sender = city.active_member(), city.any_member()
            if to == sender or (min(to, sender), max(to, sender)) in pairs or (sender, to) in seen or (to, sender) in seen:
                continue
            seen.add((sender, to))
            moment = city.later(max(city.joined[to], city.joined[sender]), 24 * 400)
            city.notify(to, "friend_requested", sender, moment)
            yield sender, to, "はじめまして。よろしくお願いします。", city.at(moment)

    city.loader.load("friend_requests", ("from_id", "to_id", "message", "created_at"), requests())

    city.loader.load("introductions", ("about_id", "author_id", "body", "created_at", "updated_at"), intros)


# --- diary ------------------------------------------------------------------------------------------

@step
def diary(city: City) -> None:
    rng, n = city.rng, city.members
    total = city.count(FULL["entries"], least=200)
    # Who writes is weighted by activity; when is any time after they joined; ids follow time.
    authors = array("i", (city.active_member() for _ in range(total)))
    moments = [city.joined[a] + rng.random() * (city.span - city.joined[a]) for a in authors]
    order = sorted(range(total), key=moments.__getitem__)
    # Per entry id (index 0 unused), compact: the whole city's 2 million entries stay small in memory.
    author_of, moment_of = array("i", [0]), array("d", [0.0])
    kind_of = array("b", [0])  # 0 members, 1 friends, 2 private
    title_of = array("i", [0])  # index into titles
    titles = [t.format(p=p) for t in TITLES for p in PLACES]
    visibilities = ("members", "friends", "private")
    kinds = rng.choices(range(3), (55, 35, 10), k=total)

    def entries() -> Iterator[tuple]:
        for number, k in enumerate(order, 1):
            author, moment = authors[k], moments[k]
            place, title = rng.choice(PLACES), rng.randrange(len(titles))
            body = "".join(rng.choice(SENTENCES).format(p=place, d=city.district[author]) for _ in range(rng.randint(1, 6)))
            author_of.append(author), moment_of.append(moment), kind_of.append(kinds[k]), title_of.append(title)
            row = (number, author, titles[title], body, visibilities[kinds[k]], city.at(moment))
            # The search grams, as the diary service keeps them (PostgreSQL only; SQLite searches with LIKE).
            yield (*row, grams(titles[title], body)) if city.loader.postgres else row

    columns = ("id", "author_id", "title", "body", "visibility", "created_at")
    city.loader.load("diary_entries", columns + (("search_grams",) if city.loader.postgres else ()), entries())
    del authors, moments, order, kinds

    def comments() -> Iterator[tuple]:
        for entry_id in range(1, total + 1):
            author, kind, moment = author_of[entry_id], kind_of[entry_id], moment_of[entry_id]
            if kind == 2 or rng.random() < 0.7:
                continue
            friends = city.friends[author]
            for _ in range(min(200, int(rng.paretovariate(1.5)))):
                if rng.random() < 0.25 or not friends:
                    writer = author  # the author answering
                elif kind == 1 or rng.random() < 0.6:
                    writer = friends[rng.randrange(len(friends))]
                else:
                    writer = city.any_member()
                moment = city.later(max(moment, city.joined[writer]), 6)
                if writer != author:
                    city.notify(author, "diary_comment", writer, moment, entry_id, titles[title_of[entry_id]])
                yield entry_id, writer, rng.choice(COMMENT_TEXTS), city.at(moment)

    city.loader.load("diary_comments", ("entry_id", "author_id", "body", "created_at"), comments())
    del author_of, moment_of, kind_of, title_of

    def footprints() -> Iterator[tuple]:
        # Visits in the last two years, mostly to friends' pages; one row per visitor, page and day.
        seen = set()
        recent = max(0.0, city.span - 730 * 86400)
        for _ in range(city.count(FULL["footprints"])):
            visitor = city.active_member()
            friends = city.friends[visitor]
            owner = friends[rng.randrange(len(friends))] if friends and rng.random() < 0.8 else city.any_member()
            moment = max(recent, city.joined[owner], city.joined[visitor])
            moment += rng.random() * (city.span - moment)
            visited = city.at(moment)
            key = (owner, visitor, visited.date())
            if owner != visitor and key not in seen:
                seen.add(key)
                yield owner, visitor, visited.date(), visited

    city.loader.load("footprints", ("owner_id", "visitor_id", "day", "visited_at"), footprints())
    settings = ((i, "friends", False, 0) for i in range(1, n + 1) if rng.random() < 0.1)
    city.loader.load("diary_settings", ("member_id", "default_visibility", "feed_enabled", "feed_generation"), settings)


# --- communities ------------------------------------------------------------------------------------

@step
def communities(city: City) -> None:
    rng, n = city.rng, city.members
    total = city.count(FULL["communities"], least=20)
    names: set[str] = set()
    by_district: dict[str, list[int]] = {}
    for i in range(1, n + 1):
        by_district.setdefault(city.district[i], []).append(i)
    city.communities = [array("i")]
    rows, memberships, last_activity = [], [], [0.0]
    for c in range(1, total + 1):
        if c <= len(CITY_WIDE):
            name, category = CITY_WIDE[c - 1]
            home, size = None, max(10, round(n * rng.uniform(0.04, 0.15)))
        else:
            home = rng.choice(list(DISTRICT_WEIGHTS))
            theme, category = rng.choice(THEMES)
            name = f"{home}{theme}"
            size = _lognormal_int(rng, 15, 1.3, 1, max(1, n // 10))
        number = 2
        while name.lower() in names:
            name = f"{name.split(' その')[0]} その{number}"
            number += 1
        names.add(name.lower())
        owner = city.active_member()
        opened = city.later(city.joined[owner], 24 * 200)
        people = {owner}
        neighbours = by_district.get(home) if home else None
        for _ in range(size * 2):
            if len(people) >= size:
                break
            people.add(rng.choice(neighbours) if neighbours and rng.random() < 0.6 else city.active_member())
        joined = array("i", [owner])
        approval = rng.random() < 0.2
        moderators = 0
        for member in people - {owner}:
            if approval and rng.random() < 0.03:
                role = "pending"
            elif rng.random() < 0.002:
                role = "banned"
            elif moderators < 3 and rng.random() < 0.05:
                role, moderators = "moderator", moderators + 1
            else:
                role = "member"
            if role in ("moderator", "member"):
                joined.append(member)
            moment = city.later(max(opened, city.joined[member]), 24 * 90)
            memberships.append((c, member, role, "" if role != "pending" else "参加させてください。", city.at(moment)))
            if role == "pending":
                city.notify(owner, "community_join_requested", member, moment, c, name)
        memberships.append((c, owner, "owner", "", city.at(opened)))
        city.communities.append(joined)
        last_activity.append(opened)
        description = f"{home or '掛川市'}の{category}のコミュニティです。" + rng.choice(SENTENCES).format(
            p=rng.choice(PLACES), d=home or "掛川")
        rows.append([c, name, category, description, None, "approval" if approval else "open",
                     "members" if approval and rng.random() < 0.5 else "site", owner, len(joined), opened, opened])

    topics, topic_comments, follows, events, attendance = [], [], [], [], []
    topic_id = comment_id = event_id = 0
    for c in range(1, total + 1):
        joined, opened_s = city.communities[c], rows[c - 1][10]
        for _ in range(min(400, int(rng.lognormvariate(math.log(4), 1.1) * (1 + len(joined) / 200)))):
            topic_id += 1
            author = joined[rng.randrange(len(joined))]
            started = city.later(max(opened_s, city.joined[author]), 24 * 365)
            title = f"{rng.choice(TITLES).format(p=rng.choice(PLACES))}について"
            last, count = started, 0
            follows.append((topic_id, author))
            followers = {author}
            for _ in range(min(1000, int(rng.paretovariate(1.1)) * 3 - 2)):
                comment_id += 1
                writer = joined[rng.randrange(len(joined))]
                last = city.later(max(last, city.joined[writer]), 24 * 3)
                count += 1
                topic_comments.append((comment_id, topic_id, writer, rng.choice(COMMENT_TEXTS), city.at(last)))
                if writer != author:  # every follower was told; the starter's copy is enough here
                    city.notify(author, "topic_comment", writer, last, topic_id, title)
                if writer not in followers and rng.random() < 0.3:
                    followers.add(writer)
                    follows.append((topic_id, writer))
            topics.append((topic_id, c, author, title, rng.choice(SENTENCES).format(p=rng.choice(PLACES), d="掛川"),
                           rng.random() < 0.02, False, count, city.at(started), city.at(last)))
            last_activity[c] = max(last_activity[c], last)
        for _ in range(min(60, int(rng.expovariate(1 / 3) * (1 + len(joined) / 300)))):
            event_id += 1
            author = joined[rng.randrange(len(joined))]
            created = city.later(max(opened_s, city.joined[author]), 24 * 365)
            if rng.random() < 0.1:  # a living city: some events announced in the last weeks
                created = max(created, city.span - rng.random() * 30 * 86400)
            # Most events are past; those announced in the last weeks are still to come.
            starts = city.at(created + rng.uniform(3, 60) * 86400).replace(minute=0, second=0, microsecond=0)
            events.append((event_id, c, author, f"{rng.choice(PLACES)}で集まり", starts, rng.choice(PLACES),
                           "どなたでもどうぞ。", city.at(created)))
            for member in set(rng.sample(list(joined), min(len(joined), rng.randint(0, 12)))):
                attendance.append((event_id, member, "going" if rng.random() < 0.8 else "not_going"))
    for row in rows:
        row[9], row[10] = city.at(last_activity[row[0]]), city.at(row[10])

    city.loader.load("communities", ("id", "name", "category", "description", "image_key", "join_policy",
                                     "topic_visibility", "owner_id", "member_count", "last_activity_at",
                                     "created_at"), map(tuple, rows))
    city.loader.load("community_memberships", ("community_id", "member_id", "role", "message", "created_at"),
                     memberships)
    city.loader.load("community_topics", ("id", "community_id", "author_id", "title", "body", "pinned", "closed",
                                          "comment_count", "created_at", "last_comment_at"), topics)
    city.loader.load("community_topic_comments", ("id", "topic_id", "author_id", "body", "created_at"),
                     topic_comments)
    city.loader.load("community_topic_follows", ("topic_id", "member_id"), follows)
    city.loader.load("community_events", ("id", "community_id", "author_id", "title", "starts_at", "place",
                                          "description", "created_at"), events)
    city.loader.load("community_event_attendance", ("event_id", "member_id", "status"), attendance)


# --- surveys ------------------------------------------------------------------------------------------

SURVEY_QUESTIONS = (  # (kind, prompt, options); the city's bus-route survey of the second journey
    ("single", "路線バスをどのくらい使いますか", ("ほぼ毎日", "週に数回", "月に数回", "使わない")),
    ("multiple", "よく使う路線（いくつでも）", ("掛川駅〜大東", "掛川駅〜大須賀", "掛川駅〜森町", "市街地循環", "倉真線")),
    ("scale", "いまの路線バスに満足していますか", ()),
    ("text", "ご意見・ご要望", ()),
    ("single", "年代", ("10代", "20〜30代", "40〜50代", "60代", "70代以上")),
)
OPINIONS = ("朝の便を増やしてほしい", "病院へ行く便が少ない, 乗り換えが不便です", "運賃をICカードで払いたい",
            "バス停に屋根がほしい\n雨の日がつらい", "特にありません", "「デマンドタクシー」をもっと知らせてほしい")


@step
def surveys(city: City) -> None:
    """The city's survey to every member, closed yesterday with 30,000 responses (at --scale 1), results
    shown to those who answered. Residents in communities with about 20 friends answer first, so the
    members bench/run.py logs in as (picked the same way) are among the respondents and see the results."""
    rng = city.rng
    closes = city.now - timedelta(days=1)
    opens = closes - timedelta(days=14)
    city.loader.load("surveys", ("id", "creator_id", "audience", "title", "description", "anonymous", "editable",
                                 "results_public", "opens_at", "closes_at", "published_at", "announced_at",
                                 "created_at"),
                     [(1, 1, "everyone", "路線バスについてのアンケート", "市内の路線バスの見直しのため、ご意見をお聞かせください。",
                       False, False, True, opens, closes, opens, opens, opens - timedelta(days=2))])
    questions, options, option_ids = [], [], {}
    for qid, (kind, prompt, labels) in enumerate(SURVEY_QUESTIONS, 1):
        questions.append((qid, 1, qid, kind, prompt, "", kind in ("single", "scale"),
                          3 if kind == "multiple" else None, 500 if kind == "text" else None))
        for position, label in enumerate(labels, 1):
            options.append((len(options) + 1, qid, position, label))
            option_ids.setdefault(qid, []).append(len(options))
    city.loader.load("survey_questions", ("id", "survey_id", "position", "kind", "prompt", "help", "required",
                                          "max_choices", "max_length"), questions)
    city.loader.load("survey_options", ("id", "question_id", "position", "label"), options)
    wanted = min(city.count(30_000), city.members - len(city.suspended) - 1)
    in_community = {m for joined in city.communities[1:] for m in joined}
    first = sorted((m for m in in_community if m != 1 and m not in city.suspended),
                   key=lambda m: (abs(len(city.friends[m]) - 20), m))[:max(1, wanted // 10)]
    chosen, seen = list(first), set(first)
    while len(chosen) < wanted:
        m = city.any_member()
        if m != 1 and m not in city.suspended and m not in seen:
            seen.add(m)
            chosen.append(m)
    span = (closes - opens).total_seconds()
    moments = sorted(opens + timedelta(seconds=span * rng.random() ** 2) for _ in chosen)
    city.loader.load("survey_participations", ("survey_id", "member_id"), ((1, m) for m in chosen))
    city.loader.load("survey_responses", ("id", "survey_id", "member_id", "created_at"),
                     ((i, 1, m, moments[i - 1]) for i, m in enumerate(chosen, 1)))

    def answers() -> Iterator[tuple]:
        n = 0
        for rid in range(1, len(chosen) + 1):
            rows = [(1, None, None, rng.choices(option_ids[1], (2, 3, 3, 5))[0]),
                    *((2, None, None, o) for o in rng.sample(option_ids[2], rng.choice((1, 1, 2, 3)))),
                    (3, min(5, max(1, round(rng.gauss(3.2, 1.1)))), None, None)]
            if rng.random() < 0.35:
                rows.append((4, None, rng.choice(OPINIONS), None))
            if rng.random() < 0.9:
                rows.append((5, None, None, rng.choices(option_ids[5], (1, 3, 4, 5, 4))[0]))
            for question_id, scale, opinion, option_id in rows:
                n += 1
                yield (n, 1, rid, question_id, option_id, scale, opinion)

    city.loader.load("survey_answers", ("id", "survey_id", "response_id", "question_id", "option_id", "scale", "text"),
                     answers())


# --- map pins ---------------------------------------------------------------------------------------

# What residents pin, by share (shelters are the city's own: a fixed few hundred, not a share).
PIN_KINDS = {"facility": 30, "hazard": 10, "event_venue": 20, "road_works": 15, "new_facility": 5, "other": 20}
PIN_TITLES = {"facility": ("{p}の駐車場", "{d}公民館", "{p}のトイレ", "{d}の図書館分室", "{p}の案内所"),
              "hazard": ("{d}の冠水しやすい道", "{p}近くの落石", "{d}の見通しの悪い交差点", "{p}の急な坂"),
              "event_venue": ("{p}で集まり", "{d}の夏祭り会場", "{p}の茶摘み体験", "{d}の運動会"),
              "road_works": ("{d}の舗装工事", "{p}付近の水道工事", "{d}の橋の補修"),
              "new_facility": ("{d}の新しい公園", "{p}の新しい駐輪場", "{d}の新しい子育て支援センター"),
              "other": ("{p}の眺め", "{d}のおいしいお店", "{p}の桜並木", "{d}の湧き水")}
SHELTERS = 300
PIN_GRID = 0.005  # degrees: pins fall in grid cells whose four corners lie inside the city


def _inside_cells() -> list[tuple[float, float]]:
    """The south-west corners of grid cells inside Kakegawa: a few thousand boundary checks, not 200,000."""
    from ejan.geo.boundary import bbox, inside_city

    min_lon, min_lat, max_lon, max_lat = bbox()
    corners: dict[tuple[int, int], bool] = {}

    def inside(i: int, j: int) -> bool:
        if (i, j) not in corners:
            corners[i, j] = inside_city(min_lat + j * PIN_GRID, min_lon + i * PIN_GRID)
        return corners[i, j]

    columns, rows = int((max_lon - min_lon) / PIN_GRID) + 1, int((max_lat - min_lat) / PIN_GRID) + 1
    return [(min_lat + j * PIN_GRID, min_lon + i * PIN_GRID) for i in range(columns) for j in range(rows)
            if inside(i, j) and inside(i + 1, j) and inside(i, j + 1) and inside(i + 1, j + 1)]


@step
def pins(city: City) -> None:
    rng = city.rng
    cells = _inside_cells()
    kinds, weights = list(PIN_KINDS), list(PIN_KINDS.values())
    total = city.count(FULL["pins"], least=50)
    shelters = min(SHELTERS, max(5, total // 100))

    def rows() -> Iterator[tuple]:
        for pin_id in range(1, total + 1):
            cell_lat, cell_lon = rng.choice(cells)
            lat, lon = cell_lat + rng.random() * PIN_GRID, cell_lon + rng.random() * PIN_GRID
            shelter = pin_id <= shelters
            kind = "shelter" if shelter else rng.choices(kinds, weights)[0]
            author = 1 if shelter else city.active_member()
            district = city.district[author] if not shelter else rng.choice(list(DISTRICT_WEIGHTS))
            title = (f"{district}の指定避難所" if shelter
                     else rng.choice(PIN_TITLES[kind]).format(p=rng.choice(PLACES), d=district))
            created = city.later(city.joined[author], 24 * 300)
            starts = ends = None
            if kind in ("event_venue", "road_works"):  # a period; most of them are over by now
                starts = city.at(created)
                ends = city.at(city.later(created, 24 * (3 if kind == "event_venue" else 60)))
            hidden = city.at(city.later(created, 48)) if rng.random() < 0.005 else None
            yield (pin_id, title[:100], kind, rng.choice(SENTENCES).format(p=rng.choice(PLACES), d=district),
                   lat, lon, district, author, starts, ends, city.at(created), hidden, 1 if hidden else None,
                   rng.choice(("open", "full", "closed", None)) if shelter else None)

    city.loader.load("pins", ("id", "title", "category", "description", "lat", "lon", "district", "author_id",
                              "starts_at", "ends_at", "created_at", "hidden_at", "hidden_by_id", "shelter_status"),
                     rows())


# --- disaster mode: the night of the flood ---------------------------------------------------------

DISASTER_NOTICE = {
    "ja": {"title": "大東・大須賀地区に避難指示", "body": "大雨により大東・大須賀地区に避難指示を出しました。近くの避難所へ避難してください。"},
    "ja@easy": {"title": "だいとう・おおすかに ひなんしじ", "body": "あめが たくさん ふっています。ちかくの ひなんじょへ にげてください。"},
    "pt": {"title": "Ordem de evacuação em Daito e Osuka", "body": "Por causa da chuva forte, evacue para o abrigo mais próximo."},
    "en": {"title": "Evacuation order for Daito and Osuka", "body": "Heavy rain: please evacuate to the nearest shelter."},
}
REPORT_TEXTS = ("アンダーパスが冠水して通れません。", "裏山から土砂が流れてきています。", "停電しています。",
                "県道が倒木でふさがっています。", "断水しています。", "避難所はまだ余裕があります。")


@step
def disaster(city: City) -> None:
    """The flood night of DESIGN.md's second journey, kept as an ended event (its archive). bench/run.py
    switches it on again for the disaster screen's pages, so every other page is measured as usual."""
    import json

    rng = city.rng
    started = city.span - 2 * 86400
    city.loader.load("disaster_events", ("id", "title", "kind", "districts", "drill", "automatic", "live",
                                         "started_at", "started_by_id", "ended_at", "ended_by_id"),
                     [(1, "大雨による浸水（大東・大須賀）", "flood", json.dumps(["大東", "大須賀"], ensure_ascii=False),
                       False, False, None, city.at(started), 1, city.at(started + 7 * 3600), 1)])
    city.loader.load("disaster_notices", ("event_id", "texts", "posted_at", "posted_by_id", "broadcast_at",
                                          "broadcast_count"),
                     [(1, json.dumps(DISASTER_NOTICE, ensure_ascii=False), city.at(started + 60 * n), 1,
                       city.at(started + 60 * n + 30), city.members) for n in range(3)])
    categories = ("flooding", "flooding", "landslide", "road", "power", "water", "shelter", "building", "other")
    statuses = ("unverified", "verified", "verified", "resolved", "hidden")

    def reports() -> Iterator[tuple]:
        for n in range(city.count(FULL["damage_reports"], least=20)):
            author = city.active_member()
            lat, lon = 34.70 + rng.random() * 0.12, 137.94 + rng.random() * 0.12
            yield (1, author, rng.choice(categories), rng.choice(REPORT_TEXTS), city.district[author], "",
                   lat, lon, rng.choice(statuses), city.at(started + rng.random() * 7 * 3600))

    city.loader.load("damage_reports", ("event_id", "author_id", "category", "body", "district", "address",
                                        "lat", "lon", "status", "created_at"), reports())
    checkin_statuses = ("safe",) * 12 + ("home",) * 6 + ("shelter",) * 3 + ("injured", "rescue")
    visibilities = ("friends",) * 7 + ("communities",) * 2 + ("staff",)

    def checkins() -> Iterator[tuple]:
        for member in range(1, city.members + 1):
            if member in city.suspended or rng.random() > CHECKED_IN:
                continue
            yield (1, member, "", rng.choice(checkin_statuses), "", rng.choice(visibilities), city.district[member],
                   city.at(started + rng.random() * 7 * 3600))
            if rng.random() < 0.05:  # a parent checked in for by a son or daughter
                yield (1, member, rng.choice(GIVEN), rng.choice(checkin_statuses), "", "friends",
                       city.district[member], city.at(started + rng.random() * 7 * 3600))

    city.loader.load("safety_checkins", ("event_id", "member_id", "person", "status", "comment", "visibility",
                                         "district", "updated_at"), checkins())


# --- notifications (last: every step before may have added some) -----------------------------------

@step
def notifications(city: City) -> None:
    rng = city.rng

    def rows() -> Iterator[tuple]:
        city.notifications.sort()  # ids follow time, as they would have
        for moment, member_id, kind, actor_id, about, subject in city.notifications:
            # Older notifications have been read; the last few days' mostly not.
            unread = city.span - moment < 5 * 86400 and rng.random() < 0.8
            yield (member_id, kind, actor_id, subject[:100], LINKS[kind].format(about), city.at(moment),
                   None if unread else city.at(city.later(moment, 20)))

    city.loader.load("notifications", ("member_id", "kind", "actor_id", "subject", "link", "created_at", "read_at"),
                     rows())
    city.notifications = []


# --- the database -----------------------------------------------------------------------------------

def prepare_database(url: str, replace: bool) -> None:
    """Create (or, with replace, recreate) a PostgreSQL database; refuse one that already holds members."""
    target = make_url(url)
    if target.get_backend_name() == "postgresql":
        if target.database in (None, "", "postgres", "template0", "template1") or target.database.startswith("ejan_test_"):
            raise SystemExit(f"refusing to seed {target.database!r}: give the bench a database of its own")
        server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
            if exists and replace:
                conn.execute(text(f'DROP DATABASE "{target.database}" WITH (FORCE)'))
                exists = False
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
        server.dispose()
    elif replace and target.database and os.path.exists(target.database):
        os.remove(target.database)
    engine = create_engine(target)
    try:
        if inspect(engine).has_table("members"):
            with engine.connect() as conn:
                if conn.scalar(text("SELECT count(*) FROM members")):
                    raise SystemExit(f"{target.render_as_string()} already holds members: use --replace or another database")
    finally:
        engine.dispose()


def migrate(url: str) -> None:
    """The schema comes only from the app's Alembic migrations, as on a real installation."""
    from flask_migrate import upgrade

    from ejan import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[1] / "migrations"))
        from ejan.extensions import db

        db.engine.dispose()


def finish(engine: Engine) -> None:
    """Move every id sequence past the loaded ids, then VACUUM ANALYZE (autovacuum would, soon)."""
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        serials = conn.execute(text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'")).all()
        for table, column in serials:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                              f"coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"))
        conn.exec_driver_sql("VACUUM (ANALYZE)")


def seed(url: str, scale: float = 1.0, *, seed_value: int = 2007, replace: bool = False,
         now: datetime | None = None) -> dict[str, int]:
    """Build the city into the database at url; returns rows loaded per table."""
    began = time.perf_counter()
    prepare_database(url, replace)
    migrate(url)
    engine = create_engine(make_url(url))
    try:
        city = City(scale=scale, rng=random.Random(seed_value), loader=Loader(engine),
                    now=now or datetime.now(timezone.utc).replace(tzinfo=None))
        for function in STEPS:
            print(f"{function.__name__}:", flush=True)
            function(city)
        finish(engine)
    finally:
        engine.dispose()
    rows = sum(city.loader.counts.values())
    print(f"seeded {city.members:,} members, {rows:,} rows in {time.perf_counter() - began:.0f} s "
          f"({make_url(url).render_as_string()}); every password: {PASSWORD}", flush=True)
    return city.loader.counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the whole city; 0.01 for quick runs")
    parser.add_argument("--database-url", help=f"default: a fresh {DEFAULT_URL} (dropped and created)")
    parser.add_argument("--replace", action="store_true", help="drop and recreate the given database first")
    parser.add_argument("--seed", type=int, default=2007, help="random seed: the same city every time")
    args = parser.parse_args()
    if args.database_url:
        seed(args.database_url, args.scale, seed_value=args.seed, replace=args.replace)
    else:
        seed(DEFAULT_URL, args.scale, seed_value=args.seed, replace=True)


if __name__ == "__main__":
    main()
