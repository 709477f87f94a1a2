"""Races outside communities from the outside audit (issue 8, item 4): the invitation quota, two members
asking each other to be friends at once, two photo edits at once. Each side runs in its own thread with its
own session (support.at_the_same_moment), both held just after their checks; the database has the last word."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from ejan import media
from ejan.errors import Invalid
from ejan.extensions import db
from ejan.friends import services as friends
from ejan.friends.models import FriendRequest, Friendship
from ejan.members import services as members
from ejan.members.models import Invitation, Member
from support import at_the_same_moment


def as_member(member_id: int) -> Member:
    return db.session.get(Member, member_id)


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_two_invitations_sent_at_once_cannot_pass_the_quota(app, make_member, monkeypatch):
    inviter = make_member("鈴木")
    quota = app.config["EJAN_INVITE_QUOTA"]
    for n in range(quota - 1):
        members.invite(inviter, f"neighbour{n}@example.jp")
    inviter_id = inviter.id
    addresses = iter(["last-a@example.jp", "last-b@example.jp"])

    def invite():
        return members.invite(as_member(inviter_id), next(addresses)).invitation.id

    # invite() asks invite_quota_left(): both hear "one place left".
    results, refused = at_the_same_moment(app, monkeypatch, members, "invite_quota_left", invite,
                                          when=lambda left: left == 1, catch=(Invalid,))
    assert len(results) == 1 and len(refused) == 1 and refused[0].code == "quota"
    assert count(Invitation, Invitation.inviter_id == inviter_id) == quota


def test_two_members_asking_each_other_at_once_become_friends(app, make_member, monkeypatch):
    sato, suzuki = make_member("佐藤"), make_member("鈴木")
    pairs = iter([(sato.id, suzuki.id), (suzuki.id, sato.id)])

    def ask():
        actor_id, target_id = next(pairs)
        friends.request_friend(as_member(actor_id), target_id)
        return actor_id

    # request_friend() looks for the other's request (a session.scalar() finding none) before writing its own.
    results, _ = at_the_same_moment(app, monkeypatch, type(db.session), "scalar", ask,
                                    when=lambda found: found is None)
    assert sorted(results) == sorted([sato.id, suzuki.id])
    assert count(FriendRequest) == 0, "no request is left waiting"
    assert count(Friendship, Friendship.member_id == sato.id, Friendship.friend_id == suzuki.id) == 1
    assert count(Friendship, Friendship.member_id == suzuki.id, Friendship.friend_id == sato.id) == 1


def photo(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def stored_keys(media_dir: str) -> set[str]:
    return {path.name for path in Path(media_dir).glob("*/*") if path.is_dir()}


def test_two_photo_edits_at_once_keep_one_photo_and_leave_no_file_behind(app, make_member, monkeypatch):
    media_dir = app.config["EJAN_MEDIA_DIR"]
    member = make_member("佐藤")
    members.update_profile(member, nickname="佐藤", intro="", district=None, keitai_email=None,
                           photo=io.BytesIO(photo("green")))
    first_key = member.photo_key
    before = stored_keys(media_dir)
    assert first_key in before
    member_id = member.id
    colours = iter(["red", "blue"])

    def edit():
        me = as_member(member_id)
        members.update_profile(me, nickname="佐藤", intro="お茶が好き", district=None, keitai_email=None,
                               photo=io.BytesIO(photo(next(colours))))
        return "saved"

    # Both store their new file (media.store_image) before either writes the member's row.
    results, _ = at_the_same_moment(app, monkeypatch, media, "store_image", edit)
    assert results == ["saved", "saved"]
    db.session.expire_all()
    kept = db.session.get(Member, member_id).photo_key
    assert kept not in (None, first_key)
    after = stored_keys(media_dir)
    assert kept in after and first_key not in after
    assert after - before == {kept}, "no orphaned file: the other edit's photo is deleted"
