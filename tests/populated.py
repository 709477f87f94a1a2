"""A populated site in one call: members, friends, a diary with photos, communities, pins, a disaster, surveys,
notifications; used by the leaving tests (Sato leaves) and the backup test (every table has rows)."""
from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from ejan import media
from ejan.clock import utcnow
from ejan.communities import directory, topics
from ejan.communities.models import Community, Membership
from ejan.diary import footprints, services as diary
from ejan.diary.models import MEMBERS
from ejan.disaster.models import DamageReport, DisasterEvent, SafetyCheckIn
from ejan.extensions import db
from ejan.friends.models import FriendRequest, Introduction
from ejan.maps.models import Pin
from ejan.members.models import Block, Invitation
from ejan.notify.models import Broadcast, Delivery, KeitaiConfirmation, Notification, Preference
from ejan.surveys.models import Answer, Participation, Question, Response, Survey

SECRET = "茶畑ひみつ"  # in the leaver's diary, pin and profile: must vanish from every page


def jpeg(color=(30, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), color).save(out, "JPEG")
    return out.getvalue()


def populate(app, make_member, befriend) -> dict:
    """Sato leaves. Around her: a friend (Suzuki), a stranger (Tanaka), and every kind of thing she made."""
    sato = make_member("佐藤")
    suzuki, tanaka = make_member("鈴木"), make_member("田中")
    befriend(sato, suzuki)
    sato.intro, sato.district = f"{SECRET}の自己紹介", "倉真"
    sato.photo_key = media.store_image(jpeg((200, 10, 10)), app.config["EJAN_MEDIA_DIR"]).key
    sato.keitai_email = "sato@docomo.ne.jp"
    db.session.commit()
    entry = diary.create_entry(sato, title=f"{SECRET}の日記", body=f"{SECRET}です", visibility=MEMBERS,
                               photos=[io.BytesIO(jpeg())])
    theirs = diary.create_entry(suzuki, title="鈴木の日記", body="お茶の話", visibility=MEMBERS)
    diary.add_comment(suzuki, entry.id, "鈴木のコメント")
    diary.add_comment(sato, theirs.id, f"{SECRET}のコメント")
    footprints.record(sato, suzuki)
    footprints.record(tanaka, sato)
    footprints.flush()  # in the table, as another web process would have written them by now
    diary.update_settings(sato, default_visibility=MEMBERS, feed_enabled=True)
    feed = diary.feed_token(sato)
    db.session.add_all([
        FriendRequest(from_id=sato.id, to_id=tanaka.id, message="よろしく"),
        Introduction(about_id=sato.id, author_id=suzuki.id, body="働き者"),
        Introduction(about_id=suzuki.id, author_id=sato.id, body="親切"),
        Block(blocker_id=tanaka.id, blocked_id=sato.id),
        Invitation(inviter_id=sato.id, email="neighbour@example.jp", token_hash="x" * 64,
                   expires_at=utcnow() + timedelta(days=7)),
    ])
    db.session.commit()
    # Communities: Suzuki's, where Sato wrote a topic and a comment; Sato's own with no other member.
    tea = directory.create_community(suzuki, name="倉真の茶畑", category="地域", description="お茶")
    db.session.add(Membership(community_id=tea.id, member_id=sato.id, role="member"))
    db.session.execute(Community.__table__.update().where(Community.id == tea.id).values(member_count=2))
    db.session.commit()
    topic = topics.create_topic(sato, tea.id, title="佐藤のトピック", body="摘み取りの日程")
    topics.add_comment(suzuki, topic.id, "鈴木の返事")
    topics.add_comment(sato, topic.id, "佐藤の返事")
    alone = directory.create_community(sato, name="佐藤だけの会", category="趣味", description="ひとり")
    # The map, the disaster, surveys, notifications.
    pin_photo = media.store_image(jpeg((10, 10, 200)), app.config["EJAN_MEDIA_DIR"]).key
    pin = Pin(title=f"{SECRET}のピン", category="facility", lat=34.77, lon=138.01, author_id=sato.id,
              photo_key=pin_photo)
    event = DisasterEvent(title="大雨", kind="flood", districts=[], drill=False)
    db.session.add_all([pin, event])
    db.session.flush()
    db.session.add_all([
        SafetyCheckIn(event_id=event.id, member_id=sato.id, status="safe"),
        SafetyCheckIn(event_id=event.id, member_id=sato.id, person="佐藤の母", status="shelter"),
        SafetyCheckIn(event_id=event.id, member_id=suzuki.id, status="safe"),
        DamageReport(event_id=event.id, author_id=sato.id, category="flooding", body="地下道が冠水"),
    ])
    named = Survey(creator_id=suzuki.id, audience="everyone", title="バス路線", anonymous=False,
                   opens_at=utcnow(), closes_at=utcnow() + timedelta(days=7), published_at=utcnow())
    secret = Survey(creator_id=suzuki.id, audience="everyone", title="匿名調査", anonymous=True,
                    opens_at=utcnow(), closes_at=utcnow() + timedelta(days=7), published_at=utcnow())
    draft = Survey(creator_id=sato.id, audience="everyone", title="下書き", opens_at=utcnow(),
                   closes_at=utcnow() + timedelta(days=7))
    db.session.add_all([named, secret, draft])
    db.session.flush()
    for survey in (named, secret):
        question = Question(survey_id=survey.id, position=0, kind="text", prompt="ご意見")
        db.session.add(question)
        db.session.flush()
        for who in (sato, suzuki):
            response = Response(survey_id=survey.id, member_id=None if survey.anonymous else who.id)
            db.session.add(response)
            db.session.flush()
            db.session.add_all([Answer(survey_id=survey.id, response_id=response.id, question_id=question.id,
                                       text=f"{who.stored_nickname}の答え"),
                                Participation(survey_id=survey.id, member_id=who.id)])
    broadcast = Broadcast(kind="friend_requested", payload={}, member_ids=[sato.id])
    db.session.add(broadcast)
    db.session.flush()
    db.session.add_all([
        Notification(member_id=sato.id, kind="diary_commented", actor_id=suzuki.id, subject="x"),
        Notification(member_id=suzuki.id, kind="friend_requested", actor_id=sato.id, subject="y"),
        Notification(member_id=suzuki.id, kind="diary_commented", actor_id=tanaka.id, subject="z"),
        Preference(member_id=sato.id, kind="diary_commented", channel="email", mode="digest"),
        KeitaiConfirmation(member_id=sato.id, address="sato@docomo.ne.jp", token_hash="k" * 64),
        Delivery(broadcast_id=broadcast.id, member_id=sato.id, channel="email", address=sato.email,
                 status="digest"),
    ])
    db.session.commit()
    return dict(sato=sato, suzuki=suzuki, tanaka=tanaka, entry=entry, theirs=theirs, feed=feed, tea=tea,
                topic=topic, alone=alone, pin=pin, event=event, named=named, secret=secret,
                photo_key=sato.photo_key, pin_photo=pin_photo, diary_photo=entry.photos[0].image_key)


