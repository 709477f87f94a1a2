"""Demo data, so that every page of a fresh embedded site has something to show."""
from __future__ import annotations

import random

from sqlalchemy import select

from .diary.models import FRIENDS, MEMBERS, PRIVATE, DiaryComment, DiaryEntry
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

DIARY = [
    ("一番茶の摘み取り", "今朝は早起きして倉真の畑で一番茶を摘みました。\n今年は霜の心配もなく、いい香りです。"),
    ("掛川城の桜", "掛川城の桜が満開でした。天守閣と桜の組み合わせは何度見てもいいですね。"),
    ("自治会の防災訓練", "日曜日は自治会の防災訓練。消火器の使い方を教わりました。\n避難所の場所も確認しておきましょう。"),
    ("新しいパン屋さん", "駅前に新しいパン屋さんができました。茶葉入りのメロンパンがおすすめです。"),
    ("孫の運動会", "孫の運動会を見に行きました。リレーで一等賞！"),
    ("大東の海", "大東の海岸を散歩。風が強かったけれど気持ちよかったです。"),
    ("つま恋のイベント", "週末はつま恋でイベントがあるそうです。詳しくは https://www.city.kakegawa.shizuoka.jp/ を見てください。"),
]
COMMENTS = ["いいですね！", "今度ぜひご一緒させてください。", "写真も見たいです。", "お疲れさまでした。"]

COMMUNITIES = [
    ("倉真の茶畑", "地域", "倉真地区で茶畑をやっている人、お茶が好きな人の集まりです。摘み取りの情報交換をしましょう。", "open", "site"),
    ("第一小学校PTA", "学校・PTA", "第一小学校の保護者のコミュニティです。参加には承認が必要です。", "approval", "members"),
    ("掛川ジョギング部", "スポーツ", "掛川城のまわりを走る仲間を募集中！", "open", "site"),
    ("自主防災会・南部", "防災", "南部地区の自主防災会の連絡用です。", "approval", "site"),
]
TOPICS = [("今年の一番茶はいつごろ？", "みなさんの畑ではいつごろ摘み取りの予定ですか？"),
          ("次の集まりについて", "来月の集まりの日程を相談しましょう。")]

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
    for member in residents[:3]:  # one request per pair, either way (two who asked each other are friends)
        candidates = [r for r in residents if r.id != member.id and (min(r.id, member.id), max(r.id, member.id)) not in pairs]
        pairs.add((min(candidates[0].id, member.id), max(candidates[0].id, member.id)))
        db.session.add(FriendRequest(from_id=candidates[0].id, to_id=member.id, message="はじめまして！"))
    for number, member in enumerate(residents):
        for title, body in rng.sample(DIARY, 2):
            entry = DiaryEntry(author_id=member.id, title=title, body=body,
                               visibility=rng.choice([MEMBERS, MEMBERS, FRIENDS, PRIVATE]))
            db.session.add(entry)
            db.session.flush()
            for commenter in rng.sample(residents, 2) if entry.visibility == MEMBERS else []:
                if commenter.id != member.id:
                    db.session.add(DiaryComment(entry_id=entry.id, author_id=commenter.id, body=rng.choice(COMMENTS)))
    _load_communities(rng, residents)
    db.session.commit()
    return ADMIN_EMAIL, PASSWORD


def _load_communities(rng: random.Random, residents: list[Member]) -> None:
    from datetime import timedelta

    from .clock import utcnow
    from .communities.models import Community, Event, Membership, Topic, TopicComment

    for number, (name, category, description, policy, visibility) in enumerate(COMMUNITIES):
        owner = residents[number * 3]
        joined = [m for m in rng.sample(residents, 10) if m.id != owner.id]
        community = Community(name=name, category=category, description=description, join_policy=policy,
                              topic_visibility=visibility, owner_id=owner.id, member_count=1 + len(joined))
        db.session.add(community)
        db.session.flush()
        db.session.add(Membership(community_id=community.id, member_id=owner.id, role="owner"))
        db.session.add_all(Membership(community_id=community.id, member_id=m.id,
                                      role="moderator" if i == 0 else "member") for i, m in enumerate(joined))
        for title, body in TOPICS:
            topic = Topic(community_id=community.id, author_id=owner.id, title=title, body=body, comment_count=2)
            db.session.add(topic)
            db.session.flush()
            db.session.add_all(TopicComment(topic_id=topic.id, author_id=m.id, body=rng.choice(COMMENTS))
                               for m in joined[:2])
        db.session.add(Event(community_id=community.id, author_id=owner.id, title=f"{name}の集まり",
                             starts_at=utcnow() + timedelta(days=7 + number), place="掛川市生涯学習センター",
                             description="どなたでもどうぞ。"))
