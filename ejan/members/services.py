"""Who may join, log in, invite and see whom: the rules for members, free of HTTP."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import format_number, gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, insert, literal as sa_literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from .. import i18n, media, sessions, signals
from ..cleaning import single_line
from ..clock import to_jst, utcnow
from ..errors import Forbidden, Invalid, NotFound, Problems
from ..mail import loose_address
from ..dbutil import contains
from ..extensions import db
from ..notify.services import queue_mail
from ..pagination import Page, paginate
from ..urls import absolute_url
from . import access
from .models import DISTRICTS, ROLE_ADMIN, ROLE_MEMBER, STATUS_ACTIVE, STATUS_SUSPENDED, Invitation, Member

PASSWORD_MIN = 8
# A self-introduction must fit, whole, into the keitai edit form inside its 10 KB page budget.
INTRO_MAX = 2000
RESET_MAX_AGE = 3600 * 24


def normalize_email(raw: str, field: str = "email") -> str:
    try:
        return validate_email((raw or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise Invalid(_("メールアドレスの形式が正しくありません。"), code=field)


def normalize_keitai_email(raw: str, field: str = "keitai_email") -> str:
    """A keitai address as carriers hand them out, RFC-breaking dots included (`taro..x.@docomo.ne.jp`)."""
    address = loose_address(raw)
    if address is None:
        raise Invalid(_("メールアドレスの形式が正しくありません。"), code=field)
    return address


def set_keitai_email(member: Member, address: str | None) -> None:
    """The keitai address notify mails once it is confirmed (ejan/notify/keitai.py asks for that)."""
    member.keitai_email = address
    db.session.commit()


def member_by_mail_address(address: str | None) -> Member | None:
    """The active member who registered `address` as their e-mail or keitai mail address, else None
    (both are stored normalized, lower-cased, so plain equality meets their indexes).

    Mail arriving from outside (damage reports by mail) is matched with this; a suspended member's
    address is as unknown as a stranger's."""
    address = (address or "").strip().lower()
    if not address or "@" not in address or len(address) > 254:
        return None
    return db.session.scalars(select(Member).where(
        access.active(), (Member.email == address) | (Member.keitai_email == address))
        .order_by(Member.id).limit(1)).first()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_hash(password: str) -> str:
    check_password(password)
    return generate_password_hash(password, method=current_app.config["EJAN_PASSWORD_METHOD"])


def check_password(password: str) -> None:
    """The rule for a new password alone, for a form that found other faults first."""
    if len(password or "") < PASSWORD_MIN:
        raise Invalid(_("パスワードは%(min)d文字以上にしてください。", min=PASSWORD_MIN), code="password")


def set_password(member: Member, password: str) -> None:
    member.password_hash = password_hash(password)


def get_member(member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound(_("会員が見つかりません。"))
    return member


# --- Invitations -------------------------------------------------------------------------------

def _quota_full() -> Invalid:
    return Invalid(_("招待できる人数の上限に達しています。使われていない招待を取り消すと、また招待できます。"), code="quota")


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once, in the mail; only its hash is stored


def _open_invitations(inviter_id: int):
    return select(func.count(Invitation.id)).where(
        Invitation.inviter_id == inviter_id,
        Invitation.used_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow(),
    )


def open_invitation_count(member: Member) -> int:
    return db.session.scalar(_open_invitations(member.id))


def _add_within_quota(fields: dict, quota: int) -> Invitation | None:
    """Insert the invitation only if the inviter still has a place: one INSERT … SELECT … WHERE count < quota.

    The inviter's row is locked first (PostgreSQL), so a second invitation sent at the same moment counts
    after this one is committed; SQLite runs one writing statement at a time, which serializes the count."""
    db.session.execute(select(Member.id).where(Member.id == fields["inviter_id"]).with_for_update())
    table = Invitation.__table__
    values = [sa_literal(value, table.c[name].type) for name, value in fields.items()]
    stmt = (insert(table).from_select(list(fields), select(*values).where(
        _open_invitations(fields["inviter_id"]).scalar_subquery() < quota)).returning(table.c.id))
    added = db.session.scalar(stmt)  # None: nothing inserted
    return db.session.get(Invitation, added) if added is not None else None


def invite_quota_left(member: Member) -> int | None:
    """None means no limit (administrators)."""
    if member.is_admin:
        return None
    return max(0, current_app.config["EJAN_INVITE_QUOTA"] - open_invitation_count(member))


def invite(inviter: Member, email: str, message: str = "") -> IssuedInvitation:
    if inviter.is_suspended:
        raise Forbidden(_("利用停止中の会員は招待できません。"))
    email = check_invitation(email, message)
    if db.session.scalar(select(Member.id).where(Member.email == email)):
        raise Invalid(_("このメールアドレスの方はすでに会員です。"), code="email")
    left = invite_quota_left(inviter)
    if left is not None and left <= 0:
        raise _quota_full()
    token = secrets.token_urlsafe(32)
    fields = dict(inviter_id=inviter.id, email=email, token_hash=hash_token(token), message=(message or "").strip(),
                  created_at=utcnow(), expires_at=utcnow() + timedelta(days=current_app.config["EJAN_INVITE_DAYS"]))
    if left is None:
        invitation = Invitation(**fields)
        db.session.add(invitation)
    else:
        invitation = _add_within_quota(fields, current_app.config["EJAN_INVITE_QUOTA"])
        if invitation is None:  # the last place went to another invitation sent at the same moment
            db.session.rollback()
            raise _quota_full()
    db.session.commit()
    queue_mail(
        email,
        "invitation",
        inviter_name=inviter.nickname,
        message=invitation.message,
        url=absolute_url("members.join", token=token),
        # The date as the invitee reads it: the inviter's language is the best guess for a newcomer's.
        expires_at=to_jst(invitation.expires_at).strftime(_("%Y年%m月%d日 %H:%M")),
    )
    return IssuedInvitation(invitation, token)


def check_invitation(email: str, message: str) -> str:
    """The address (normalized) and the message of an invitation, every fault at once."""
    problems = Problems()
    email = problems.check(normalize_email, email)
    if len(message or "") > 1000:
        problems.add(_("メッセージは1000文字以内にしてください。"), "message")
    problems.raise_any()
    return email


def invitations_sent(member: Member, page: int, per_page: int) -> Page:
    stmt = (
        select(Invitation)
        .where(Invitation.inviter_id == member.id)
        .options(selectinload(Invitation.used_by), selectinload(Invitation.inviter))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    return paginate(stmt, page, per_page)


def revoke_invitation(actor: Member, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or (invitation.inviter_id != actor.id and not actor.is_admin):
        raise NotFound(_("招待が見つかりません。"))
    if invitation.used_at:
        raise Invalid(_("この招待はすでに使われています。"))
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        db.session.commit()
    return invitation


def invitation_state(token: str) -> tuple[Invitation | None, str]:
    """The invitation behind a token and why it does or does not work ("unknown" when no such token)."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token or "")))
    if invitation is None:
        return None, "unknown"
    return invitation, invitation.state()


def register(token: str, *, nickname: str, password: str, district: str | None) -> Member:
    """Create the member an invitation was for. Exactly one registration can use a token."""
    invitation, state = invitation_state(token)
    if state != "valid":
        raise Invalid(state, code="invitation")
    nickname, district = check_registration(nickname=nickname, password=password, district=district)
    member = Member(email=invitation.email, nickname=nickname, district=district, invited_by_id=invitation.inviter_id)
    set_password(member, password)
    invitation_id, now = invitation.id, utcnow()
    db.session.rollback()  # start the claim in a fresh transaction so it is the first write
    # The conditional UPDATE is the claim: of two concurrent registrations only one matches the row.
    claimed = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise Invalid("used", code="invitation")
    db.session.add(member)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Invalid(_("このメールアドレスの方はすでに会員です。"), code="email")
    db.session.execute(
        update(Invitation).where(Invitation.id == invitation_id).values(used_by_id=member.id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    signals.member_joined.send(member)
    return member


def check_registration(*, nickname: str, password: str, district: str | None) -> tuple[str, str | None]:
    """What a newcomer typed, every fault at once: the cleaned nickname and district."""
    problems = Problems()
    nickname = problems.check(_clean_nickname, nickname)
    district = problems.check(_clean_district, district)
    problems.check(check_password, password)
    problems.raise_any()
    return nickname, district


def invite_tree(member: Member) -> tuple[Member | None, list[Member]]:
    """Who vouched for this member, and whom the member brought in."""
    invited = db.session.scalars(
        select(Member).where(Member.invited_by_id == member.id).order_by(Member.created_at)
    ).all()
    return member.invited_by, list(invited)


# --- Logging in ----------------------------------------------------------------------------------

def authenticate(email: str, password: str) -> Member:
    try:
        email = normalize_email(email)
    except Invalid:
        raise Invalid(_("メールアドレスかパスワードが違います。"))
    member = db.session.scalar(select(Member).where(Member.email == email))
    if member is None or not check_password_hash(member.password_hash, password or ""):
        raise Invalid(_("メールアドレスかパスワードが違います。"))
    if member.is_suspended:
        raise Forbidden(_("このアカウントは利用停止中です。市役所の担当窓口にお問い合わせください。"))
    return member


def load_member(member_id: str) -> Member | None:
    """Flask-Login's loader: a suspended member's open sessions stop working at once."""
    member = db.session.get(Member, int(member_id)) if str(member_id).isdigit() else None
    return member if member is not None and member.is_active else None


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an active member; say nothing either way."""
    try:
        email = normalize_email(email)
    except Invalid:
        return
    member = db.session.scalar(select(Member).where(Member.email == email))
    if member is None or member.is_suspended:
        return
    # The password hash's tail is signed in, so the link dies once the password changes.
    token = _reset_serializer().dumps({"m": member.id, "p": member.password_hash[-12:]})
    queue_mail(member.email, "password_reset", language=member.language, nickname=member.nickname,
               url=absolute_url("members.reset_password", token=token))


def member_for_reset(token: str) -> Member:
    try:
        data = _reset_serializer().loads(token, max_age=RESET_MAX_AGE)
    except SignatureExpired:
        raise Invalid(_("このリンクは有効期限が切れています。もう一度お手続きください。"))
    except BadSignature:
        raise Invalid(_("このリンクは無効です。"))
    member = db.session.get(Member, data.get("m"))
    if member is None or member.is_suspended or member.password_hash[-12:] != data.get("p"):
        raise Invalid(_("このリンクはすでに使われたか、無効です。"))
    return member


def reset_password(token: str, password: str) -> Member:
    member = member_for_reset(token)
    new_hash = password_hash(password)
    # Conditional on the old hash: of two submits of one link, only the first changes the password.
    changed = db.session.execute(
        update(Member).where(Member.id == member.id, Member.password_hash == member.password_hash)
        .values(password_hash=new_hash).execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise Invalid(_("このリンクはすでに使われたか、無効です。"))
    sessions.end_all_for(member.id)
    db.session.commit()
    db.session.refresh(member)
    return member


# --- Profiles --------------------------------------------------------------------------------------

def visible_member(viewer: Member | None, member_id: int) -> Member:
    """Profiles are for logged-in members; a suspended member's page is seen by admins only, and a
    member who blocked the viewer is not there for the viewer (admins excepted: they moderate)."""
    if viewer is None:
        raise Forbidden(_("ログインしてください。"))
    member = get_member(member_id)
    if member.has_left:  # 退会: nothing of theirs is left to show, to anyone
        raise NotFound(_("会員が見つかりません。"))
    if viewer.is_admin or viewer.id == member.id:
        return member
    if access.is_suspended(member) or access.is_blocked_by(viewer.id, member.id):
        raise NotFound(_("会員が見つかりません。"))
    return member


def update_profile(
    member: Member,
    *,
    nickname: str,
    intro: str,
    district: str | None,
    keitai_email: str | None,
    photo: BinaryIO | None = None,
    remove_photo: bool = False,
    language: str | None = None,
) -> Member:
    nickname, district, language, keitai = check_profile(
        nickname=nickname, intro=intro, district=district, keitai_email=keitai_email, language=language)
    media_dir = current_app.config["EJAN_MEDIA_DIR"]
    old_photo = new_photo = member.photo_key
    if photo is not None:
        new_photo = media.store_image(photo, media_dir).key
    elif remove_photo:
        new_photo = None
    member.nickname, member.intro, member.district, member.keitai_email = nickname, intro or "", district, keitai
    member.language = language
    replaced = new_photo != old_photo and _replace_photo(member.id, old_photo, new_photo)
    db.session.commit()
    if replaced and old_photo:
        media.delete_image(media_dir, old_photo)
    elif not replaced and new_photo and new_photo != old_photo:
        # Another edit of this profile (a second tab, a double tap) changed the photo first; its photo
        # stays, and this one's file would belong to nobody.
        media.delete_image(media_dir, new_photo)
    return member


def check_profile(*, nickname: str, intro: str, district: str | None, keitai_email: str | None,
                  language: str | None) -> tuple[str, str | None, str | None, str | None]:
    """A profile's texts, every fault at once: nickname, district, language and keitai address, cleaned."""
    problems = Problems()
    nickname = problems.check(_clean_nickname, nickname)
    district = problems.check(_clean_district, district)
    language = problems.check(_clean_language, language)
    if len(intro or "") > INTRO_MAX:
        problems.add(_("自己紹介は%(max)d文字以内にしてください。", max=INTRO_MAX), "intro")
    keitai = problems.check(normalize_keitai_email, keitai_email, "keitai_email") if (keitai_email or "").strip() else None
    problems.raise_any()
    return nickname, district, language, keitai


def _replace_photo(member_id: int, old_key: str | None, new_key: str | None) -> bool:
    """Set the photo only if it is still the one this edit saw, so exactly one of two edits replaces it."""
    return bool(db.session.execute(
        update(Member).where(Member.id == member_id, Member.photo_key.is_not_distinct_from(old_key))
        .values(photo_key=new_key).execution_options(synchronize_session=False)).rowcount)


def set_language(member: Member, language: str | None) -> Member:
    """The footer's language switcher, for a logged-in member: the choice is kept in the profile."""
    language = _clean_language(language)
    if member.language != language:
        member.language = language
        db.session.commit()
    return member


REASON_MAX = 500


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise Invalid(_("理由は%(count)s文字以内にしてください。", count=format_number(REASON_MAX)), code="reason")
    return reason


def suspend(actor: Member, member: Member, reason: str = "") -> bool:
    """Suspend a member: their sessions end and their open invitations are revoked. True if it changed."""
    if not (access.is_active(actor) and actor.is_admin):
        raise Forbidden(_("管理者だけが利用停止にできます。"))
    if member.id == actor.id:
        raise Invalid(_("自分自身は利用停止にできません。"))
    reason = _check_reason(reason)
    changed = change_status(member, STATUS_ACTIVE, STATUS_SUSPENDED)
    if changed:
        signals.member_suspended.send(member)
        db.session.execute(update(Invitation).where(Invitation.inviter_id == member.id, Invitation.used_at.is_(None),
                                                    Invitation.revoked_at.is_(None))
                           .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
        signals.admin_acted.send(actor, action="members.suspend", target_kind="member", target_id=member.id,
                                 detail=reason)
    sessions.end_all_for(member.id)
    db.session.commit()
    return changed


def reinstate(actor: Member, member: Member, reason: str = "") -> bool:
    if not (access.is_active(actor) and actor.is_admin):
        raise Forbidden(_("管理者だけが利用停止を解除できます。"))
    reason = _check_reason(reason)
    changed = change_status(member, STATUS_SUSPENDED, STATUS_ACTIVE)
    if changed:
        signals.member_reinstated.send(member)
        signals.admin_acted.send(actor, action="members.reinstate", target_kind="member", target_id=member.id,
                                 detail=reason)
    db.session.commit()
    return changed


ROLES = (ROLE_MEMBER, ROLE_ADMIN)


def set_role(actor: Member, member: Member, role: str) -> bool:
    """Make a member an admin or an ordinary member again. The last active admin stays one (nobody,
    themselves included, takes the site's last admin away). True if it changed."""
    if not (access.is_active(actor) and actor.is_admin):
        raise Forbidden(_("管理者だけが役割を変えられます。"))
    if role not in ROLES:
        raise Invalid(_("役割を選んでください。"), code="role")
    if member.role == role:
        return False
    if role == ROLE_MEMBER:
        # Lock the admins' rows, so two admins demoting each other at once cannot leave none.
        admins = db.session.scalars(select(Member.id).where(Member.role == ROLE_ADMIN, access.active())
                                    .with_for_update()).all()
        if set(admins) <= {member.id}:
            raise Invalid(_("最後の管理者は一般会員にできません。先に別の管理者を決めてください。"), code="role")
    changed = db.session.execute(update(Member).where(Member.id == member.id, Member.role != role).values(role=role)
                                 .execution_options(synchronize_session=False)).rowcount
    db.session.expire(member, ["role"])
    if changed:
        signals.admin_acted.send(actor, action="members.role", target_kind="member", target_id=member.id,
                                 detail=role)
    db.session.commit()
    return bool(changed)


def invite_chain(member: Member, limit: int = 50) -> list[Member]:
    """Who invited this member, who invited them, … up to a member nobody invited (the first admins).

    One query per step, bounded by `limit` (an invitation tree is shallow; a loop in bad data stops)."""
    chain, seen = [], {member.id}
    current = member
    while current.invited_by_id is not None and len(chain) < limit:
        current = db.session.get(Member, current.invited_by_id)
        if current is None or current.id in seen:
            break
        seen.add(current.id)
        chain.append(current)
    return chain


def search_members(query: str = "", district: str | None = None, status: str | None = None):
    """Members whose nickname or e-mail contains the query, optionally in one district: a statement to page."""
    stmt = select(Member)
    query = (query or "").strip()
    if query:
        stmt = stmt.where(contains(query, Member.nickname, Member.email))
    if district:
        stmt = stmt.where(Member.district == district)
    if status in (STATUS_ACTIVE, STATUS_SUSPENDED):
        stmt = stmt.where(Member.status == status)
    return stmt.order_by(Member.id.desc())


def change_status(member: Member, was: str, now: str) -> bool:
    """Conditional, so two admins suspending at once announce it once (counts follow the announcement)."""
    changed = db.session.execute(update(Member).where(Member.id == member.id, Member.status == was)
                                 .values(status=now).execution_options(synchronize_session=False)).rowcount
    db.session.expire(member, ["status"])
    return bool(changed)


def create_member(email: str, nickname: str, password: str, *, role: str = "member",
                  district: str | None = None, invited_by: Member | None = None) -> Member:
    """For the CLI and demo data: a member without an invitation (the first admin has none)."""
    member = Member(email=normalize_email(email), nickname=_clean_nickname(nickname), role=role,
                    district=_clean_district(district), invited_by=invited_by)
    set_password(member, password)
    db.session.add(member)
    db.session.commit()
    return member


def _clean_nickname(nickname: str) -> str:
    # The CLI and the demo reach here without a form: a nickname goes into mail headers, one line only.
    nickname = single_line(nickname or "")
    if not nickname:
        raise Invalid(_("ニックネームを入力してください。"), code="nickname")
    if len(nickname) > 40:
        raise Invalid(_("ニックネームは40文字以内にしてください。"), code="nickname")
    return nickname


def _clean_district(district: str | None) -> str | None:
    if not district:
        return None
    if district not in DISTRICTS:
        raise Invalid(_("地区を一覧から選んでください。"), code="district")
    return district


def _clean_language(language: str | None) -> str | None:
    if not language:
        return None
    if language not in i18n.CODES:
        raise Invalid(_("言語を一覧から選んでください。"), code="language")
    return language

