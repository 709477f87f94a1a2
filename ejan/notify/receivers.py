"""Turning what other features announce into notify() calls: in-app notices and mail, by preference."""
from __future__ import annotations

from .. import signals
from ..urls import absolute_url, link_for
from .api import notify
from .services import mark_read


@signals.friend_requested.connect
def on_friend_requested(request, **_):
    notify([request.to_id], "friend_requested", {
        "link": link_for("friends.requests"), "actor_id": request.from_id, "mail": "friend_requested",
        "context": {"actor": request.from_member.nickname, "message": request.message,
                    "url": absolute_url("friends.requests")},
    })


@signals.friend_request_closed.connect
def on_friend_request_closed(recipient, requester_id, **_):
    # Answered (or taken back): nothing waits any more, so the request's notice is no longer 新着.
    mark_read(recipient.id, "friend_requested", actor_id=requester_id)


@signals.friend_accepted.connect
def on_friend_accepted(accepter, requester, **_):
    notify([requester.id], "friend_accepted",
           {"link": link_for("members.profile", member_id=accepter.id), "actor_id": accepter.id})


@signals.diary_commented.connect
def on_diary_commented(comment, entry, followers, **_):
    readers = set(followers)
    if entry.author_id != comment.author_id:
        readers.add(entry.author_id)
    readers.discard(comment.author_id)
    notify(readers, "diary_comment", {"link": link_for("diary.show", entry_id=entry.id),
                                      "actor_id": comment.author_id, "subject": entry.title})


@signals.topic_commented.connect
def on_topic_commented(comment, topic, followers, **_):
    notify(followers, "topic_comment", {"link": link_for("communities.topic", topic_id=topic.id),
                                        "actor_id": comment.author_id, "subject": topic.title})


@signals.community_join_requested.connect
def on_join_requested(community, requester, **_):
    from ..communities.membership import runner_ids

    notify(runner_ids(community), "community_join_requested", {
        "link": link_for("communities.waiting", community_id=community.id, which="requests"),
        "actor_id": requester.id, "subject": community.name})


@signals.community_join_approved.connect
def on_join_approved(community, member_id, actor, **_):
    notify([member_id], "community_join_approved", {
        "link": link_for("communities.show", community_id=community.id),
        "actor_id": actor.id if actor else None, "subject": community.name})
