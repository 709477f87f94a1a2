"""Diary's part of 退会 (docs/leaving.md): every entry with its photos and all its comments, the comments the
member wrote on others' diaries, footprints both ways and the private feed's settings, all deleted."""
from __future__ import annotations

from sqlalchemy import delete, or_, select

from .. import signals
from ..extensions import db
from . import footprints
from .models import DiaryComment, DiaryEntry, DiaryFollow, DiaryPhoto, DiarySettings, Footprint


@signals.member_leaving.connect
def _delete_diary(member, **unused) -> list[str]:
    entries = select(DiaryEntry.id).where(DiaryEntry.author_id == member.id).scalar_subquery()
    keys = list(db.session.scalars(select(DiaryPhoto.image_key).where(DiaryPhoto.entry_id.in_(entries))))
    db.session.execute(delete(DiaryComment).where(or_(DiaryComment.entry_id.in_(entries),
                                                      DiaryComment.author_id == member.id)))
    db.session.execute(delete(DiaryFollow).where(or_(DiaryFollow.entry_id.in_(entries),
                                                     DiaryFollow.member_id == member.id)))
    db.session.execute(delete(DiaryPhoto).where(DiaryPhoto.entry_id.in_(entries)))
    db.session.execute(delete(DiaryEntry).where(DiaryEntry.author_id == member.id))
    # Not a flush: its own connection would wait for this transaction's lock on the member, which waits for it.
    footprints.forget_member(member.id)
    db.session.execute(delete(Footprint).where(or_(Footprint.owner_id == member.id, Footprint.visitor_id == member.id)))
    db.session.execute(delete(DiarySettings).where(DiarySettings.member_id == member.id))
    return keys
