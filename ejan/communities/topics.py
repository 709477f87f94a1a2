"""Topics (threads) in a community and their comments: reading, writing, moderating, searching."""
from __future__ import annotations

from typing import Sequence

from flask_babel import format_number, gettext as _
from sqlalchemy import delete, exists, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import fields, signals
from ..clock import utcnow
from ..dbutil import add_once, contains, earlier_submission, form_token
from ..errors import Forbidden, Invalid, NotFound, Problems
from ..extensions import db
from ..members import access as who
from ..members.models import Member
from ..pagination import Page, page_holding, paginate
from . import counts
from .access import NOT_ASKED, can_post, can_read_topics, get_community, is_active, require_role, role_of, touch
from .models import JOINED, MEMBERS_ONLY, RUNNERS, SITE, Community, Membership, Topic, TopicComment, TopicFollow

TITLE_MAX = 100
BODY_MAX = 10_000
COMMENT_MAX = 3_000


# --- topics -------------------------------------------------------------------------------------------------

def readable_topics(viewer: Member | None):
    """can_read_topics() as a SQL condition on Topic (for search and lists across communities)."""
    if not is_active(viewer):
        return false()
    joined = exists().where(Membership.community_id == Topic.community_id, Membership.member_id == viewer.id,
                            Membership.role.in_(JOINED))
    site_wide = exists().where(Community.id == Topic.community_id, Community.topic_visibility == SITE)
    return or_(site_wide, joined)


def check_post(title: str, body: str) -> tuple[str, str]:
    """A topic's title and body, trimmed; every fault at once."""
    problems = Problems()
    title, body = fields.title(problems, title, TITLE_MAX), fields.body(problems, body, BODY_MAX)
    problems.raise_any()
    return title, body


def topics_of(viewer: Member, community: Community, page: int, per_page: int,
              role: str | None = NOT_ASKED) -> Page:
    """The community's topics, pinned first, then by latest comment. `role`: the viewer's, if already asked."""
    if not can_read_topics(viewer, community, role):
        raise Forbidden(_("このコミュニティのトピックはメンバーだけが読めます。"))
    stmt = (select(Topic).where(Topic.community_id == community.id)
            .options(joinedload(Topic.author))
            .order_by(Topic.pinned.desc(), Topic.last_comment_at.desc(), Topic.id.desc()))
    return paginate(stmt, page, per_page)


def get_topic(viewer: Member | None, topic_id: int) -> Topic:
    """A topic the viewer may read; one in a members-only community does not exist for outsiders."""
    return topic_and_role(viewer, topic_id)[0]


def topic_and_role(viewer: Member | None, topic_id: int) -> tuple[Topic, str | None]:
    """get_topic(), and the viewer's role in its community, asked once for the rule and the page."""
    topic = db.session.get(Topic, topic_id)
    role = role_of(viewer, topic.community) if topic is not None else None
    if topic is None or not can_read_topics(viewer, topic.community, role):
        raise NotFound(_("トピックが見つかりません。"))
    return topic, role


def community_for_new_topic(actor: Member, community_id: int) -> Community:
    """A community the actor may open a topic in: members only."""
    community = get_community(actor, community_id)
    require_role(actor, community, JOINED, _("トピックを立てられるのはメンバーだけです。"))
    return community


def create_topic(actor: Member, community_id: int, *, title: str, body: str,
                 submit_token: str | None = None) -> Topic:
    community = community_for_new_topic(actor, community_id)
    title, body = check_post(title, body)
    submit_token = form_token(submit_token)
    earlier = earlier_submission(Topic, actor.id, submit_token)
    if earlier is not None:
        return earlier
    now = utcnow()
    topic = Topic(community_id=community.id, author_id=actor.id, title=title, body=body,
                  submit_token=submit_token, created_at=now, last_comment_at=now)
    db.session.add(topic)
    try:
        db.session.flush()  # a duplicate token fails here, inside the try
        touch(community.id, now)
        db.session.add(TopicFollow(topic_id=topic.id, member_id=actor.id))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return earlier_submission(Topic, actor.id, submit_token)
    return topic


def can_edit_topic(actor: Member, topic: Topic) -> bool:
    """Only the author, and only while still a member."""
    return is_active(actor) and topic.author_id == actor.id and role_of(actor, topic.community) in JOINED


def editable_topic(actor: Member, topic_id: int) -> Topic:
    topic = get_topic(actor, topic_id)
    if not can_edit_topic(actor, topic):
        raise Forbidden(_("トピックを編集できるのは、書いた本人だけです。"))
    return topic


def edit_topic(actor: Member, topic_id: int, *, title: str, body: str) -> Topic:
    topic = editable_topic(actor, topic_id)
    topic.title, topic.body = check_post(title, body)
    topic.updated_at = utcnow()
    db.session.commit()
    return topic


def moderate_topic(actor: Member, topic_id: int, *, pinned: bool | None = None, closed: bool | None = None) -> Topic:
    topic = get_topic(actor, topic_id)
    require_role(actor, topic.community, RUNNERS, _("トピックの固定や締め切りは管理人と副管理人ができます。"))
    if pinned is not None:
        topic.pinned = pinned
    if closed is not None:
        topic.closed = closed
    db.session.commit()
    return topic


def deletable_topic(actor: Member, topic_id: int) -> Topic:
    """A topic the actor may delete with its comments: the owner and moderators."""
    topic = get_topic(actor, topic_id)
    require_role(actor, topic.community, RUNNERS, _("トピックを削除できるのは管理人と副管理人です。"))
    return topic


def delete_topic(actor: Member, topic_id: int) -> Community:
    topic = deletable_topic(actor, topic_id)
    community = topic.community
    _remove_topic(topic)
    db.session.commit()
    return community


def _remove_topic(topic: Topic) -> None:
    db.session.execute(delete(TopicComment).where(TopicComment.topic_id == topic.id))
    db.session.execute(delete(TopicFollow).where(TopicFollow.topic_id == topic.id))
    db.session.delete(topic)


def remove_topic_for_tsuho(actor: Member, topic_id: int) -> None:
    """A 通報 upheld: the topic goes with its comments. ejan/reports/moderation.py has decided the actor may;
    the caller commits. Gone already: nothing to do."""
    topic = db.session.get(Topic, topic_id)
    if topic is not None:
        _remove_topic(topic)
        db.session.flush()


def search_topics(viewer: Member, query: str, page: int, per_page: int) -> Page:
    query = (query or "").strip()
    if not query:
        return Page(items=[], number=1, per_page=per_page, has_next=False)
    if len(query) > 100:
        raise Invalid(_("検索語は100文字以内にしてください。"), code="q")
    stmt = (select(Topic).where(readable_topics(viewer), contains(query, Topic.title, Topic.body))
            .options(joinedload(Topic.author), joinedload(Topic.community))
            .order_by(Topic.last_comment_at.desc(), Topic.id.desc()))
    return paginate(stmt, page, per_page)


# --- comments -----------------------------------------------------------------------------------------------

def comments_on(topic: Topic, page: int, per_page: int, viewer: Member | None = None) -> Page:
    """A topic's comments; those by someone with a block between them and the viewer are left out."""
    stmt = (select(TopicComment).where(TopicComment.topic_id == topic.id,
                                       who.not_blocked_between(viewer, TopicComment.author_id))
            .options(joinedload(TopicComment.author))
            .order_by(TopicComment.created_at, TopicComment.id))
    return paginate(stmt, page, per_page)


def page_of_comment(comment: TopicComment, per_page: int, viewer: Member | None = None) -> int:
    """The page of comments_on() that holds this comment, as the viewer's list counts."""
    return page_holding(comment, per_page, TopicComment.topic_id == comment.topic_id,
                        who.not_blocked_between(viewer, TopicComment.author_id))


def can_comment(viewer: Member | None, topic: Topic, role: str | None = NOT_ASKED) -> bool:
    """A member of the community, with no block between them and the topic's author."""
    return can_post(viewer, topic.community, role) and not who.is_blocked_between(viewer.id, topic.author_id)


def check_comment(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid(_("コメントを入力してください。"), code="body")
    if len(body) > COMMENT_MAX:
        raise Invalid(_("コメントは%(max)s文字以内にしてください。", max=format_number(COMMENT_MAX)), code="body")
    return body


def add_comment(actor: Member, topic_id: int, body: str, *, follow: bool = True,
                submit_token: str | None = None) -> TopicComment:
    topic = get_topic(actor, topic_id)
    require_role(actor, topic.community, JOINED, _("コメントできるのはコミュニティのメンバーだけです。"))
    if who.is_blocked_between(actor.id, topic.author_id):
        raise Forbidden(_("このトピックにはコメントできません。"))
    if topic.closed:
        raise Invalid(_("このトピックは締め切られています。"), code="body")
    body = check_comment(body)
    submit_token = form_token(submit_token)
    earlier = earlier_submission(TopicComment, actor.id, submit_token)
    if earlier is not None:
        return earlier
    now = utcnow()
    comment = TopicComment(topic_id=topic.id, author_id=actor.id, body=body, submit_token=submit_token, created_at=now)
    db.session.add(comment)
    try:
        db.session.flush()  # a duplicate token fails here, inside the try
        counts.comments_changed(topic.id, +1, last_comment_at=now)
        touch(topic.community_id, now)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return earlier_submission(TopicComment, actor.id, submit_token)
    if follow and db.session.get(TopicFollow, (topic.id, actor.id)) is None:
        add_once(TopicFollow(topic_id=topic.id, member_id=actor.id))
    signals.topic_commented.send(comment, topic=topic, followers=_followers_who_may_read(topic, actor))
    return comment


def _followers_who_may_read(topic: Topic, commenter: Member) -> list[int]:
    stmt = (select(TopicFollow.member_id).join(Member, Member.id == TopicFollow.member_id)
            .where(TopicFollow.topic_id == topic.id, TopicFollow.member_id != commenter.id, who.active(),
                   ~who.blocked_between(TopicFollow.member_id, commenter.id)))
    if topic.community.topic_visibility == MEMBERS_ONLY:
        stmt = stmt.where(exists().where(Membership.community_id == topic.community_id,
                                         Membership.member_id == TopicFollow.member_id, Membership.role.in_(JOINED)))
    return list(db.session.scalars(stmt))


def get_comment(viewer: Member, comment_id: int) -> TopicComment:
    comment = db.session.get(TopicComment, comment_id)
    if comment is None or not can_read_topics(viewer, comment.topic.community):
        raise NotFound(_("コメントが見つかりません。"))
    return comment


def deletable_comments(actor: Member, role: str | None, comments: Sequence[TopicComment]) -> set[int]:
    """The commenter takes a comment back; the owner and moderators remove any."""
    if not is_active(actor):
        return set()
    return {c.id for c in comments if c.author_id == actor.id or role in RUNNERS}


def can_delete_comment(actor: Member, comment: TopicComment) -> bool:
    return comment.id in deletable_comments(actor, role_of(actor, comment.topic.community), [comment])


def deletable_comment(actor: Member, comment_id: int) -> TopicComment:
    comment = get_comment(actor, comment_id)
    if not can_delete_comment(actor, comment):
        raise Forbidden(_("このコメントは削除できません。"))
    return comment


def delete_comment(actor: Member, comment_id: int) -> Topic:
    comment = deletable_comment(actor, comment_id)
    topic = comment.topic
    _remove_comment(comment.id, topic.id)
    db.session.commit()
    return topic


def _remove_comment(comment_id: int, topic_id: int) -> None:
    # A double tap deletes once: only the request whose DELETE found the row takes it off the count.
    if db.session.execute(delete(TopicComment).where(TopicComment.id == comment_id)
                          .execution_options(synchronize_session=False)).rowcount:
        counts.comments_changed(topic_id, -1)


def remove_comment_for_tsuho(actor: Member, comment_id: int) -> None:
    """A 通報 upheld: the comment goes (moderation.py has decided the actor may; the caller commits)."""
    topic_id = db.session.scalar(select(TopicComment.topic_id).where(TopicComment.id == comment_id))
    if topic_id is not None:
        _remove_comment(comment_id, topic_id)
