"""A resident who presses 書き込む twice (or whose phone resends the form) gets one entry, one comment.

The same form token sent twice is answered with what the first send stored, also when both sends
arrive at the same moment: two threads, each with its own database session, both pass the "is there
already one?" check before either has written, and the unique token lets only one row in."""
from __future__ import annotations


from sqlalchemy import func, select

from ejan.diary import services
from ejan.diary.models import MEMBERS, DiaryComment, DiaryEntry
from ejan.extensions import db
from support import at_the_same_moment
from ejan.members.models import Member

TOKEN = "same-form-token-0123456789"


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_same_entry_form_sent_twice_makes_one_entry(make_member):
    sato = make_member("佐藤")
    first = services.create_entry(sato, title="新茶", body="今年も摘みました。", visibility=MEMBERS, submit_token=TOKEN)
    second = services.create_entry(sato, title="新茶", body="今年も摘みました。", visibility=MEMBERS, submit_token=TOKEN)
    assert second.id == first.id
    assert count(DiaryEntry) == 1


def test_two_different_forms_with_the_same_text_make_two_entries(make_member):
    sato = make_member("佐藤")
    services.create_entry(sato, title="新茶", body="今年も。", visibility=MEMBERS, submit_token="form-a")
    services.create_entry(sato, title="新茶", body="今年も。", visibility=MEMBERS, submit_token="form-b")
    assert count(DiaryEntry) == 2


def test_another_member_may_happen_to_use_the_same_token(make_member):
    services.create_entry(make_member("佐藤"), title="一", body="一", visibility=MEMBERS, submit_token=TOKEN)
    services.create_entry(make_member("鈴木"), title="二", body="二", visibility=MEMBERS, submit_token=TOKEN)
    assert count(DiaryEntry) == 2


def test_the_same_comment_form_sent_twice_makes_one_comment(make_member):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    entry = services.create_entry(sato, title="新茶", body="本文", visibility=MEMBERS)
    first = services.add_comment(suzuki, entry.id, "おいしそう！", submit_token=TOKEN)
    second = services.add_comment(suzuki, entry.id, "おいしそう！", submit_token=TOKEN)
    assert second.id == first.id
    assert count(DiaryComment) == 1




def test_two_sends_of_one_entry_form_at_the_same_moment_make_one_entry(app, make_member, monkeypatch):
    sato_id = make_member("佐藤").id

    def send():
        author = db.session.get(Member, sato_id)
        return services.create_entry(author, title="新茶", body="同時に二回", visibility=MEMBERS,
                                     submit_token=TOKEN).id

    # _store_photos runs after the check and before the insert (with no photos it stores nothing).
    ids, _ = at_the_same_moment(app, monkeypatch, services, "_store_photos", send)
    assert ids[0] == ids[1]
    assert count(DiaryEntry) == 1


def test_two_sends_of_one_comment_form_at_the_same_moment_make_one_comment(app, make_member, monkeypatch):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    entry_id, suzuki_id = services.create_entry(sato, title="新茶", body="本文", visibility=MEMBERS).id, suzuki.id

    def send():
        commenter = db.session.get(Member, suzuki_id)
        return services.add_comment(commenter, entry_id, "同時に二回", submit_token=TOKEN).id

    # add_comment's duplicate check is its one session.scalar() call; it finds nothing in both threads.
    ids, _ = at_the_same_moment(app, monkeypatch, type(db.session), "scalar", send,
                                when=lambda found: found is None)
    assert ids[0] == ids[1]
    assert count(DiaryComment) == 1
