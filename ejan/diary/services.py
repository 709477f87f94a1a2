"""Who may see a diary entry, and everything that happens to one: the diary's rules, free of HTTP."""
from __future__ import annotations

import calendar
import functools
import hashlib
import hmac
import re
from datetime import date
from typing import BinaryIO, Iterable, Sequence

from flask import current_app
from flask_babel import format_number, gettext as _
from sqlalchemy import Integer, Select, and_, bindparam, delete, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from .. import fields, media, search_grams, signals
from ..clock import jst_day_bounds, to_jst, utcnow
from ..dbutil import add_once, contains, earlier_submission, form_token
from ..errors import Forbidden, Invalid, NotFound, Problems
from ..extensions import db
from ..members import access
from ..members.models import Member
from ..pagination import Page, page_holding, paginate
from .models import (FRIENDS, MEMBERS, PRIVATE, VISIBILITIES, DiaryComment, DiaryEntry, DiaryFollow, DiaryPhoto,
                     DiarySettings)

TITLE_MAX = 100
BODY_MAX = 10_000
COMMENT_MAX = 2_000
PHOTOS_MAX = 3
SEARCH_MAX = 100


# --- who may see what ------------------------------------------------------------------------------

def can_see(viewer: Member | None, entry: DiaryEntry) -> bool:
    """The one rule. Strangers see no diary at all; admins are ordinary readers here and see
    private entries only through the moderation queue. A block either way hides the diary both ways."""
    if not access.is_active(viewer):
        return False
    if entry.author_id == viewer.id:
        return True
    if not access.is_active(entry.author) or entry.visibility == PRIVATE:
        return False
    if entry.visibility == FRIENDS and not access.is_friend(viewer.id, entry.author_id):
        return False
    return entry.visibility in (MEMBERS, FRIENDS) and not access.is_blocked_between(viewer.id, entry.author_id)


def visible_to(viewer: Member | None):
    """can_see() as a SQL condition, for lists, feeds and search."""
    if not access.is_active(viewer):
        return false()
    return _visible_to_id(viewer.id)


def _visible_to_id(viewer_id):
    """visible_to() for an active viewer, whose id is a value or a bound parameter (VIEWER)."""
    # "The author is active" stands outside the OR (the viewer, the author of their own entries, is
    # active too): there PostgreSQL turns it into a join probing members by key for the few rows a
    # page needs; inside the OR it became a subplan hashing all members on every request.
    return and_(
        access.active_member(DiaryEntry.author_id),
        or_(DiaryEntry.author_id == viewer_id,
            and_(or_(DiaryEntry.visibility == MEMBERS,
                     and_(DiaryEntry.visibility == FRIENDS, access.friend_of(viewer_id, DiaryEntry.author_id))),
                 ~access.blocked_between(viewer_id, DiaryEntry.author_id))),
    )


_WITH_AUTHOR_AND_PHOTOS = (joinedload(DiaryEntry.author), joinedload(DiaryEntry.photos))


def get_entry(viewer: Member | None, entry_id: int) -> DiaryEntry:
    """An entry the viewer may see. One they may not see does not exist for them (no hint that it does).
    Its author (the rule asks whether they are active) and its few photos come in the same statement."""
    entry = db.session.get(DiaryEntry, entry_id, options=_WITH_AUTHOR_AND_PHOTOS)
    if entry is None or not can_see(viewer, entry):
        raise NotFound(_("日記が見つかりません。"))
    return entry


def editable_entry(actor: Member, entry_id: int) -> DiaryEntry:
    """The entry for its edit and delete pages: only the author changes or deletes an entry.

    NotFound when the actor may not see it; Forbidden when they may see it but it is someone else's.
    """
    entry = get_entry(actor, entry_id)
    if entry.author_id != actor.id:
        raise Forbidden(_("日記を変えられるのは書いた本人だけです。"))
    return entry


def _own_entry(actor: Member, entry_id: int) -> DiaryEntry:
    entry = db.session.get(DiaryEntry, entry_id)
    if entry is None or entry.author_id != actor.id:
        raise NotFound(_("日記が見つかりません。"))
    return entry


# --- writing ---------------------------------------------------------------------------------------

# Control characters (pasted from spreadsheets and the like) show as nothing and make the Atom feed
# invalid XML for every reader; tab and line breaks stay.
def check_entry(title: str, body: str, visibility: str) -> tuple[str, str, str]:
    """An entry's title, body and visibility, cleaned; every fault at once."""
    # Requests are cleaned as they are parsed; services are also called from the CLI, the demo and tasks.
    problems = Problems()
    title, body = fields.title(problems, title, TITLE_MAX), fields.body(problems, body, BODY_MAX)
    if visibility not in VISIBILITIES:
        problems.add(_("公開範囲を選んでください。"), "visibility")
    problems.raise_any()
    return title, body, visibility


def _store_photos(uploads: Sequence[BinaryIO], room: int) -> list[str]:
    """Store every upload or none: one bad image refuses the whole post, with its reason."""
    if len(uploads) > room:
        raise Invalid(_("写真は1件の日記に%(max)d枚までです。", max=PHOTOS_MAX), code="photos")
    media_dir = current_app.config["EJAN_MEDIA_DIR"]
    keys: list[str] = []
    try:
        for upload in uploads:
            keys.append(media.store_image(upload, media_dir).key)
    except Invalid as error:
        _drop_images(keys)
        raise Invalid(_("%(reason)s（写真はもう一度選んでください）", reason=error.message), code="photos")
    return keys


def _drop_images(keys: Iterable[str]) -> None:
    for key in keys:
        media.delete_image(current_app.config["EJAN_MEDIA_DIR"], key)


def create_entry(author: Member, *, title: str, body: str, visibility: str,
                 photos: Sequence[BinaryIO] = (), submit_token: str | None = None) -> DiaryEntry:
    title, body, visibility = check_entry(title, body, visibility)
    submit_token = form_token(submit_token)
    earlier = earlier_submission(DiaryEntry, author.id, submit_token)
    if earlier is not None:
        return earlier  # the same form sent twice: one entry
    keys = _store_photos(photos, PHOTOS_MAX)
    entry = DiaryEntry(author_id=author.id, title=title, body=body, visibility=visibility, submit_token=submit_token,
                       search_grams=search_grams.grams(title, body),
                       photos=[DiaryPhoto(position=i, image_key=k) for i, k in enumerate(keys)])
    db.session.add(entry)
    try:
        db.session.commit()
    except IntegrityError:
        # Both submits passed the check above at the same moment; the unique token let one through.
        db.session.rollback()
        _drop_images(keys)
        return earlier_submission(DiaryEntry, author.id, submit_token)
    return entry


def update_entry(author: Member, entry_id: int, *, title: str, body: str, visibility: str,
                 photos: Sequence[BinaryIO] = (), remove_photo_ids: Iterable[int] = ()) -> DiaryEntry:
    entry = _own_entry(author, entry_id)
    title, body, visibility = check_entry(title, body, visibility)
    removing = [p for p in entry.photos if p.id in set(remove_photo_ids)]
    keys = _store_photos(photos, PHOTOS_MAX - len(entry.photos) + len(removing))
    for photo in removing:
        entry.photos.remove(photo)
    db.session.flush()
    used = {p.position for p in entry.photos}
    free = [position for position in range(PHOTOS_MAX) if position not in used]
    entry.photos.extend(DiaryPhoto(position=free[i], image_key=key) for i, key in enumerate(keys))
    entry.title, entry.body, entry.visibility, entry.updated_at = title, body, visibility, utcnow()
    entry.search_grams = search_grams.grams(title, body)
    db.session.commit()
    _drop_images(p.image_key for p in removing)
    return entry


def delete_entry(actor: Member, entry_id: int) -> None:
    entry = _own_entry(actor, entry_id)
    keys = _remove_entry(entry)
    db.session.commit()
    _drop_images(keys)


def _remove_entry(entry: DiaryEntry) -> list[str]:
    """Delete the entry with its comments and follows; returns its photos' keys, dropped after the commit."""
    keys = [p.image_key for p in entry.photos]
    db.session.execute(delete(DiaryComment).where(DiaryComment.entry_id == entry.id))
    db.session.execute(delete(DiaryFollow).where(DiaryFollow.entry_id == entry.id))
    db.session.delete(entry)
    return keys


def remove_entry_for_tsuho(actor: Member, entry_id: int) -> None:
    """A 通報 upheld by an admin (ejan/reports/moderation.py decided): the entry goes; the caller commits.

    Its photo files stay until the purge of unreferenced media (a rolled-back removal must not lose them)."""
    entry = db.session.get(DiaryEntry, entry_id)
    if entry is not None:
        _remove_entry(entry)
        db.session.flush()


def remove_comment_for_tsuho(actor: Member, comment_id: int) -> None:
    """A 通報 upheld by an admin: the comment goes; the caller commits."""
    db.session.execute(delete(DiaryComment).where(DiaryComment.id == comment_id)
                       .execution_options(synchronize_session=False))


# --- reading ---------------------------------------------------------------------------------------

# The viewer's id in the diary lists' statements, given when they run (see _listing).
VIEWER = bindparam("viewer_id", type_=Integer)


def _listing(viewer: Member | None) -> tuple[Select, dict]:
    """Every diary list's statement (the entries `viewer` may see, newest first) and the parameters it
    runs with. For a member it is built once per process with the viewer as a bound parameter:
    building visibility's conditions anew cost more Python than the feed's query takes to run."""
    if not access.is_active(viewer):
        return _listing_statement(false()), {}
    return _member_listing(), {"viewer_id": viewer.id}


def _listing_statement(condition) -> Select:
    """A list shows each entry's title, author, time, visibility and how many photos and comments it has:
    one row each, the author's name and the two counts asked per row in the same statement (PostgreSQL
    asks them only for the rows the page keeps, after its ORDER BY and LIMIT). As ORM entries with their
    authors and photos loaded alongside, and the comments counted apart, a list took four statements and
    built three objects per row."""
    entry = DiaryEntry.__table__.c
    return (
        select(entry.id, entry.title, entry.author_id, entry.created_at, entry.visibility,
               select(Member.nickname).where(Member.id == entry.author_id).scalar_subquery()
               .label("author_nickname"),
               select(func.count()).select_from(DiaryPhoto).where(DiaryPhoto.entry_id == entry.id)
               .scalar_subquery().label("photo_count"),
               select(func.count()).select_from(DiaryComment).where(DiaryComment.entry_id == entry.id)
               .scalar_subquery().label("comment_count"))
        .where(condition)
        .order_by(DiaryEntry.created_at.desc(), DiaryEntry.id.desc())
    )


@functools.cache
def _member_listing() -> Select:
    return _listing_statement(_visible_to_id(VIEWER))


# Every diary list is newest first: its "次へ" links start after the last entry shown (ejan/pagination.py).
_NEWEST_FIRST = (DiaryEntry.created_at, DiaryEntry.id)


def entries_of(viewer: Member | None, author: Member, page: int, per_page: int, after: str | None = None) -> Page:
    listing, params = _listing(viewer)
    return paginate(listing.where(DiaryEntry.author_id == author.id), page, per_page,
                    keyset=_NEWEST_FIRST, after=after, params=params, scalars=False)


def friends_feed(viewer: Member, page: int, per_page: int, after: str | None = None) -> Page:
    """New from my friends: entries of my friends that I may see, newest first."""
    listing, params = _listing(viewer)
    return paginate(listing.where(DiaryEntry.author_id.in_(access.friend_ids(viewer.id))), page, per_page,
                    keyset=_NEWEST_FIRST, after=after, params=params, scalars=False)


def site_feed(viewer: Member, page: int, per_page: int, after: str | None = None) -> Page:
    """New across the site: only entries written for every member."""
    listing, params = _listing(viewer)
    return paginate(listing.where(DiaryEntry.visibility == MEMBERS), page, per_page,
                    keyset=_NEWEST_FIRST, after=after, params=params, scalars=False)


def search(viewer: Member, query: str, page: int, per_page: int, after: str | None = None) -> Page:
    query = (query or "").strip()
    if not query:
        return Page(items=[], number=1, per_page=per_page, has_next=False)
    if len(query) > SEARCH_MAX:
        raise Invalid(_("検索語は%(max)d文字以内にしてください。", max=SEARCH_MAX), code="q")
    if db.session.get_bind().dialect.name == "postgresql":
        found = search_grams.matching(DiaryEntry.search_grams, query, DiaryEntry.title, DiaryEntry.body)
    else:
        found = contains(query, DiaryEntry.title, DiaryEntry.body)
    listing, params = _listing(viewer)
    return paginate(listing.where(found), page, per_page, keyset=_NEWEST_FIRST, after=after, params=params,
                    scalars=False)


def month(viewer: Member | None, author: Member, year: int, month_number: int) -> tuple[list, set[int]]:
    """One month of a member's diary (in Japan time), as the lists' rows, and the days that have entries."""
    if not (1 <= month_number <= 12 and 2000 <= year <= 2100):
        raise NotFound(_("その月はありません。"))
    days_in_month = calendar.monthrange(year, month_number)[1]
    start, end = jst_day_bounds(date(year, month_number, 1), date(year, month_number, days_in_month))
    listing, params = _listing(viewer)
    entries = db.session.execute(
        listing.where(DiaryEntry.author_id == author.id, DiaryEntry.created_at >= start,
                      DiaryEntry.created_at < end).limit(400), params).all()
    return entries, {to_jst(e.created_at).day for e in entries}


def comments_on(entry: DiaryEntry, page: int, per_page: int, viewer: Member | None = None) -> Page:
    """The comments on an entry; those by someone with a block between them and the viewer are left out."""
    stmt = (select(DiaryComment).where(DiaryComment.entry_id == entry.id,
                                       access.not_blocked_between(viewer, DiaryComment.author_id))
            .options(joinedload(DiaryComment.author))
            .order_by(DiaryComment.created_at, DiaryComment.id))
    return paginate(stmt, page, per_page)


def page_of_comment(comment: DiaryComment, per_page: int, viewer: Member | None = None) -> int:
    """The page of comments_on() that holds this comment, as the viewer's list counts."""
    return page_holding(comment, per_page, DiaryComment.entry_id == comment.entry_id,
                        access.not_blocked_between(viewer, DiaryComment.author_id))


def photo(viewer: Member | None, photo_id: int) -> DiaryPhoto:
    found = db.session.get(DiaryPhoto, photo_id)
    if found is None or not can_see(viewer, found.entry):
        raise NotFound(_("写真が見つかりません。"))
    return found


# --- comments ---------------------------------------------------------------------------------------

def check_comment(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid(_("コメントを入力してください。"), code="body")
    if len(body) > COMMENT_MAX:
        raise Invalid(_("コメントは%(max)s文字以内にしてください。", max=format_number(COMMENT_MAX)), code="body")
    return body


def add_comment(actor: Member, entry_id: int, body: str, *, follow: bool = False,
                submit_token: str | None = None) -> DiaryComment:
    entry = get_entry(actor, entry_id)  # no comment on what the commenter cannot see
    body = check_comment(body)
    submit_token = form_token(submit_token)
    earlier = earlier_submission(DiaryComment, actor.id, submit_token)
    if earlier is not None:
        return earlier
    comment = DiaryComment(entry_id=entry.id, author_id=actor.id, body=body, submit_token=submit_token)
    db.session.add(comment)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return earlier_submission(DiaryComment, actor.id, submit_token)
    if follow and actor.id != entry.author_id and db.session.get(DiaryFollow, (entry.id, actor.id)) is None:
        add_once(DiaryFollow(entry_id=entry.id, member_id=actor.id))
    signals.diary_commented.send(comment, entry=entry, followers=_followers_who_may_see(entry, actor))
    return comment


def _followers_who_may_see(entry: DiaryEntry, commenter: Member) -> list[int]:
    """Followers still allowed to read the entry (it may have turned friends-only or private since, or
    they may have a block with its author), and who have no block with the commenter."""
    if entry.visibility == PRIVATE:
        return []
    stmt = (select(DiaryFollow.member_id).join(Member, Member.id == DiaryFollow.member_id)
            .where(DiaryFollow.entry_id == entry.id, DiaryFollow.member_id != commenter.id, access.active(),
                   ~access.blocked_between(DiaryFollow.member_id, entry.author_id),
                   ~access.blocked_between(DiaryFollow.member_id, commenter.id)))
    if entry.visibility == FRIENDS:
        stmt = stmt.where(access.friend_of(DiaryFollow.member_id, entry.author_id))
    return list(db.session.scalars(stmt))


def get_comment(viewer: Member, comment_id: int) -> DiaryComment:
    comment = db.session.get(DiaryComment, comment_id)
    if comment is None or not can_see(viewer, comment.entry) \
            or access.is_blocked_between(viewer.id, comment.author_id):
        raise NotFound(_("コメントが見つかりません。"))
    return comment


def may_delete_comment(actor: Member, comment: DiaryComment, entry: DiaryEntry) -> bool:
    """The commenter may take a comment back; the entry's author may remove any comment on it."""
    return actor.id in (comment.author_id, entry.author_id)


def deletable_comments(actor: Member, entry: DiaryEntry, comments: Sequence[DiaryComment]) -> set[int]:
    return {c.id for c in comments if may_delete_comment(actor, c, entry)}


def delete_comment(actor: Member, comment_id: int) -> DiaryEntry:
    comment = db.session.get(DiaryComment, comment_id)
    if comment is None:
        raise NotFound(_("コメントが見つかりません。"))
    entry = db.session.get(DiaryEntry, comment.entry_id)
    if not may_delete_comment(actor, comment, entry):
        raise Forbidden(_("このコメントは削除できません。"))
    db.session.delete(comment)
    db.session.commit()
    return entry


def is_following(member: Member, entry: DiaryEntry) -> bool:
    return db.session.get(DiaryFollow, (entry.id, member.id)) is not None


# --- settings and the private Atom feed -----------------------------------------------------------------

def settings_for(member: Member) -> DiarySettings:
    return db.session.get(DiarySettings, member.id) or DiarySettings(
        member_id=member.id, default_visibility=MEMBERS, feed_enabled=False, feed_generation=0)


def update_settings(member: Member, *, default_visibility: str, feed_enabled: bool) -> DiarySettings:
    if default_visibility not in VISIBILITIES:
        raise Invalid(_("公開範囲を選んでください。"), code="default_visibility")
    settings = settings_for(member)
    if feed_enabled and not settings.feed_enabled:
        settings.feed_generation += 1  # switched back on: a new address, never the one given out before
    settings.default_visibility, settings.feed_enabled = default_visibility, feed_enabled
    db.session.merge(settings)
    db.session.commit()
    return settings_for(member)


def renew_feed_token(member: Member) -> DiarySettings:
    """A new feed address; the old one stops working at once."""
    settings = settings_for(member)
    settings.feed_generation += 1
    settings.feed_enabled = True
    db.session.merge(settings)
    db.session.commit()
    return settings_for(member)


def _feed_mac(member_id: int, generation: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"diary-feed:{member_id}:{generation}".encode(), hashlib.sha256).hexdigest()[:32]


def feed_token(member: Member) -> str | None:
    settings = settings_for(member)
    return f"{member.id}-{_feed_mac(member.id, settings.feed_generation)}" if settings.feed_enabled else None


def member_for_feed(token: str) -> Member:
    member_id, _dash, mac = (token or "").partition("-")
    # ASCII digits of a sane length only: "²" passes isdigit(), and a huge number overflows the database.
    member = db.session.get(Member, int(member_id)) if re.fullmatch(r"[0-9]{1,9}", member_id) else None
    if member is None or not access.is_active(member):
        raise NotFound(_("フィードが見つかりません。"))
    settings = settings_for(member)
    if not settings.feed_enabled or not hmac.compare_digest(mac, _feed_mac(member.id, settings.feed_generation)):
        raise NotFound(_("フィードが見つかりません。"))
    return member


def feed_entries(member: Member, limit: int = 20) -> list[DiaryEntry]:
    """What a feed reader gets: only the entries written for every member, never friends-only or private."""
    return list(db.session.scalars(
        select(DiaryEntry).where(DiaryEntry.author_id == member.id, DiaryEntry.visibility == MEMBERS)
        .options(selectinload(DiaryEntry.photos))
        .order_by(DiaryEntry.created_at.desc(), DiaryEntry.id.desc()).limit(limit)))
