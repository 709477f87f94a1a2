"""Turning what other features announce into notifications and mail."""
from __future__ import annotations

from .. import i18n, signals
from ..urls import absolute_url, link_for
from .services import mark_read, notify, notify_many, queue_mail


@signals.friend_requested.connect
def on_friend_requested(request, **_):
    link = link_for("friends.requests")
    notify(request.to_id, "friend_requested", actor=request.from_member, link=link)
    queue_mail(
        request.to_member.email, "friend_requested", language=request.to_member.language or i18n.DEFAULT,
        nickname=request.to_member.nickname, actor=request.from_member.nickname,
        message=request.message, url=absolute_url("friends.requests"),
    )


@signals.friend_request_closed.connect
def on_friend_request_closed(recipient, requester_id, **_):
    # Answered (or taken back): nothing waits any more, so the request's notice is no longer 新着.
    mark_read(recipient.id, "friend_requested", actor_id=requester_id)


@signals.friend_accepted.connect
def on_friend_accepted(accepter, requester, **_):
    notify(requester.id, "friend_accepted", actor=accepter, link=link_for("members.profile", member_id=accepter.id))


@signals.diary_commented.connect
def on_diary_commented(comment, entry, followers, **_):
    link = link_for("diary.show", entry_id=entry.id)
    readers = set(followers)
    if entry.author_id != comment.author_id:
        readers.add(entry.author_id)
    readers.discard(comment.author_id)
    notify_many(sorted(readers), "diary_comment", actor=comment.author, link=link, subject=entry.title)


@signals.topic_commented.connect
def on_topic_commented(comment, topic, followers, **_):
    notify_many(sorted(set(followers)), "topic_comment", actor=comment.author,
                link=link_for("communities.topic", topic_id=topic.id), subject=topic.title)


@signals.community_join_requested.connect
def on_join_requested(community, requester, **_):
    from ..communities.membership import runner_ids

    notify_many(runner_ids(community), "community_join_requested", actor=requester,
                link=link_for("communities.waiting", community_id=community.id, which="requests"),
                subject=community.name)


@signals.community_join_approved.connect
def on_join_approved(community, member_id, actor, **_):
    notify(member_id, "community_join_approved", actor=actor,
           link=link_for("communities.show", community_id=community.id), subject=community.name)
