"""退会: a member leaves. The rule of what is deleted and what stays is published on the privacy page and in
docs/leaving.md; each feature carries out its own part through the `member_leaving` signal (ejan/signals.py), so
this module knows no feature's tables.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash

from .. import media, signals
from ..errors import Forbidden, Invalid
from ..extensions import db
from ..members import access, services as members
from ..members.models import STATUS_ACTIVE, STATUS_LEFT, Member


def notes_for(member: Member) -> list[signals.LeavingNote]:
    """What the leaving page tells the member: what must be done first (blocking), what will happen."""
    if not access.is_active(member):
        raise Forbidden(_("ログインしてください。"))
    return [note for _receiver, found in signals.member_leaving_check.send(member) for note in (found or ())]


def may_leave(notes: list[signals.LeavingNote]) -> bool:
    return not any(note.blocking for note in notes)


def leave(member: Member, password: str) -> None:
    """Leave for good, once the password is typed again. Every feature's part runs in one transaction: all of it
    happens, or (a feature refusing, a failure) none of it. Images are deleted after the commit."""
    if not access.is_active(member):
        raise Forbidden(_("ログインしてください。"))
    if not check_password_hash(member.password_hash, password or ""):
        raise Invalid(_("パスワードが違います。"))
    if not may_leave(notes_for(member)):
        raise Invalid(_("退会の前に済ませていただくことがあります。"))
    member_id = member.id
    # Conditional: of two submits (a double tap, two tabs) only one finds the member still active.
    if not members.change_status(member, STATUS_ACTIVE, STATUS_LEFT):
        db.session.rollback()
        raise Invalid(_("すでに退会の手続きが済んでいます。"))
    try:
        keys = [key for _receiver, found in signals.member_leaving.send(member) for key in (found or ())]
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    media_dir = current_app.config["EJAN_MEDIA_DIR"]
    for key in keys:
        media.delete_image(media_dir, key)
    current_app.logger.info("member %s left", member_id)
