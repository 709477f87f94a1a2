"""Demo data, so that every page of a fresh embedded site has something to show."""
from __future__ import annotations

import random

from sqlalchemy import select

from .extensions import db
from .friends.models import FriendRequest, Friendship, Introduction
from .members import services as members
from .members.models import DISTRICTS, ROLE_ADMIN, Member

ADMIN_EMAIL = "admin@e-jan.kakegawa.example"
PASSWORD = "kakegawa-demo"

RESIDENTS = [
    ("佐藤 和子", "茶娘"), ("鈴木 一郎", "いっちゃん"), ("高橋 美香", "みか"), ("田中 健", "ケン"),
    ("伊藤 花子", "はなこ"), ("渡辺 茂", "しげさん"), ("山本 由美", "ゆみ"), ("中村 隆", "たかし"),
    ("小林 幸子", "さちこ"), ("加藤 正", "ただし"), ("吉田 恵", "めぐみ"), ("山田 翔太", "しょうた"),
    ("佐々木 愛", "あい"), ("山口 誠", "まこと"), ("松本 京子", "きょうこ"), ("井上 大輔", "だいすけ"),
    ("木村 真理", "まり"), ("林 聡", "さとし"), ("斎藤 直美", "なおみ"), ("清水 浩", "ひろし"),
    ("山崎 千尋", "ちひろ"), ("森 達也", "たつや"), ("池田 裕子", "ゆうこ"), ("橋本 学", "まなぶ"),
    ("阿部 静香", "しずか"), ("石川 勇", "いさむ"), ("前田 綾", "あや"), ("藤田 実", "みのる"),
    ("岡田 光", "ひかる"), ("後藤 遥", "はるか"),
]

INTROS = [
    "いつも畑のお茶をおすそ分けしてくれる、頼りになるご近所さんです。",
    "自治会の防災訓練でお世話になっています。",
    "子どもの同級生のお母さん。明るくて話し上手です。",
    "掛川城の写真を撮らせたら市内一！",
]


def load() -> tuple[str, str]:
    """Idempotent: a second run leaves existing demo data alone."""
    admin = db.session.scalar(select(Member).where(Member.email == ADMIN_EMAIL))
    if admin is not None:
        return ADMIN_EMAIL, PASSWORD
    rng = random.Random(2026)
    admin = members.create_member(ADMIN_EMAIL, "掛川市役所 情報政策課", PASSWORD, role=ROLE_ADMIN)
    residents: list[Member] = []
    for number, (_, nickname) in enumerate(RESIDENTS, start=1):
        # An invite tree a few levels deep: early residents were invited by the city, later ones by neighbours.
        inviter = admin if number <= 5 else rng.choice(residents[: max(5, number // 2)])
        member = members.create_member(
            f"resident{number:02d}@e-jan.kakegawa.example", nickname, PASSWORD,
            district=rng.choice(DISTRICTS[:-1]), invited_by=inviter,
        )
        member.intro = f"{member.district}に住んでいます。よろしくお願いします。"
        residents.append(member)
    pairs: set[tuple[int, int]] = set()
    for member in residents:
        for friend in rng.sample(residents, 4):
            if friend.id != member.id:
                pairs.add((min(member.id, friend.id), max(member.id, friend.id)))
    for a, b in sorted(pairs):
        db.session.add_all([Friendship(member_id=a, friend_id=b), Friendship(member_id=b, friend_id=a)])
    for a, b in sorted(pairs)[:12]:
        db.session.add(Introduction(about_id=a, author_id=b, body=rng.choice(INTROS)))
    # A few open requests, so the request pages and notifications are not empty.
    for member in residents[:3]:
        candidates = [r for r in residents if r.id != member.id and (min(r.id, member.id), max(r.id, member.id)) not in pairs]
        db.session.add(FriendRequest(from_id=candidates[0].id, to_id=member.id, message="はじめまして！"))
    db.session.commit()
    return ADMIN_EMAIL, PASSWORD
