"""Topics, topic comments and events as things a resident can report (通報)."""
from flask_babel import lazy_gettext as _l

from ..reports.targets import Target, TsuhoKind
from . import events, topics


def _topic(viewer, topic_id: int) -> Target:
    topic = topics.get_topic(viewer, topic_id)
    return Target("topic", topic.id, topic.title, topic.author_id, "communities.topic", {"topic_id": topic.id},
                  community_id=topic.community_id)


def _topic_comment(viewer, comment_id: int) -> Target:
    comment = topics.get_comment(viewer, comment_id)
    return Target("topic_comment", comment.id, comment.body, comment.author_id, "communities.comment_page",
                  {"comment_id": comment.id}, community_id=comment.topic.community_id)


def _event(viewer, event_id: int) -> Target:
    event = events.get_event(viewer, event_id)
    return Target("event", event.id, event.title, event.author_id, "communities.event", {"event_id": event.id},
                  community_id=event.community_id)


KINDS = {
    "topic": TsuhoKind(_l("トピック"), _topic, topics.remove_topic_for_tsuho),
    "topic_comment": TsuhoKind(_l("トピックへのコメント"), _topic_comment, topics.remove_comment_for_tsuho),
    "event": TsuhoKind(_l("イベント"), _event, events.remove_for_tsuho),
}
