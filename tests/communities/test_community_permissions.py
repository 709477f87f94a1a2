"""Who may do what in a community, by role: the rules of ejan.communities (access, directory,
membership, topics, events) as a table.

The cast (helpers_communities.quick_cast: the same rows build_cast makes through the services) is one
approval community run by 管理人 (owner) with one 副管理人 (moderator) and members; one person has asked
to join (pending), one is banned, one is an outsider, one is a site administrator who has not joined
(administrators are ordinary members here: they act on community content only through the moderation
queue), and one visitor is logged out. A member wrote a topic; a bystander member wrote a comment on it
and an event.

Every action is tried by every role, once with topics visible to the whole site and once with topics for
community members only. A refused action must leave every stored row as it was; an allowed one that
writes must change something; the member count always equals the joined rows. One test per action: the
tables are emptied and the cast built again after any try that changed a row (a fresh database for each
try would make the table slow on PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from ejan.communities import access, directory, events, membership, topics
from ejan.communities.models import GOING, MEMBERS_ONLY, PENDING, SITE, TopicFollow
from ejan.errors import Forbidden, Invalid, NotFound
from ejan.extensions import db
from helpers_communities import (ROLES, SECRET_TITLE, build_cast, fresh, in_two_days, joined_rows, quick_cast, snapshot,
                                 wipe)

# --- the actions -------------------------------------------------------------------------------------------
# Each takes the cast and the acting member; returns None, or "listed"/"absent" for search.


def _search(c, a):
    page = topics.search_topics(a, "防災倉庫", 1, 20)
    return "listed" if any(t.id == c.topic.id for t in page.items) else "absent"


ACTIONS = {
    "view top": (False, lambda c, a: access.get_community(a, c.community.id)),
    "edit settings": (True, lambda c, a: directory.update_community(
        a, c.community.id, name="倉真の防災会（改）", category="防災", description="説明を書き直しました。",
        join_policy="open", topic_visibility=c.community.topic_visibility)),
    "list members": (False, lambda c, a: membership.members_of(a, c.community, 1, 20)),
    "requests page": (False, lambda c, a: membership.people_waiting(a, c.community, PENDING, 1, 20)),
    "approve": (True, lambda c, a: membership.approve(a, c.community.id, c["applicant"].id)),
    "decline": (True, lambda c, a: membership.decline(a, c.community.id, c["applicant"].id)),
    "remove member": (True, lambda c, a: membership.remove_member(a, c.community.id, c["bystander"].id)),
    "ban": (True, lambda c, a: membership.ban(a, c.community.id, c["bystander"].id)),
    "unban": (True, lambda c, a: membership.unban(a, c.community.id, c["banned2"].id)),
    "promote": (True, lambda c, a: membership.set_moderator(a, c.community.id, c["bystander"].id, True)),
    "demote": (True, lambda c, a: membership.set_moderator(a, c.community.id, c["moderator"].id, False)),
    "hand over": (True, lambda c, a: membership.hand_over(a, c.community.id, c["bystander"].id)),
    "leave": (True, lambda c, a: membership.leave(a, c.community.id)),
    "join": (True, lambda c, a: membership.join(a, c.community.id, "入れてください")),
    "read topic": (False, lambda c, a: topics.get_topic(a, c.topic.id)),
    "list topics": (False, lambda c, a: topics.topics_of(a, c.community, 1, 20)),
    "search topics": (False, _search),
    "read comment": (False, lambda c, a: topics.get_comment(a, c.comment.id)),
    "create topic": (True, lambda c, a: topics.create_topic(a, c.community.id, title="新しい話題", body="本文です")),
    "comment": (True, lambda c, a: topics.add_comment(a, c.topic.id, "わたしも賛成です")),
    "edit topic": (True, lambda c, a: topics.edit_topic(a, c.topic.id, title="書き直し", body="書き直した本文")),
    "pin topic": (True, lambda c, a: topics.moderate_topic(a, c.topic.id, pinned=True)),
    "close topic": (True, lambda c, a: topics.moderate_topic(a, c.topic.id, closed=True)),
    "delete topic": (True, lambda c, a: topics.delete_topic(a, c.topic.id)),
    "delete comment": (True, lambda c, a: topics.delete_comment(a, c.comment.id)),
    "read event": (False, lambda c, a: events.get_event(a, c.event.id)),
    "create event": (True, lambda c, a: events.create_event(a, c.community.id, title="避難訓練",
                                                              starts_at=in_two_days(), place="小学校")),
    "edit event": (True, lambda c, a: events.update_event(a, c.event.id, title="避難訓練（雨天決行）",
                                                            starts_at=in_two_days(14), place="体育館",
                                                            description="")),
    "delete event": (True, lambda c, a: events.delete_event(a, c.event.id)),
    "attend": (True, lambda c, a: events.attend(a, c.event.id, GOING)),
}

# ok  allowed        403  Forbidden (known, but not theirs to do)     400  Invalid (told why, e.g. must hand over)
# 404 NotFound (the thing does not exist for them)   listed/absent  the topic is / is not in the search results
EXPECTED = {
    #                   owner     moderator member    pending   banned    outsider  admin     logged_out
    "view top":        ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "403"),
    "edit settings":   ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "list members":    ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "403"),
    "requests page":   ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "approve":         ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "decline":         ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "remove member":   ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "ban":             ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "unban":           ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "promote":         ("ok",    "403",    "403",    "403",    "403",    "403",    "403",    "403"),
    "demote":          ("ok",    "403",    "403",    "403",    "403",    "403",    "403",    "403"),
    "hand over":       ("ok",    "403",    "403",    "403",    "403",    "403",    "403",    "403"),
    "leave":           ("400",   "ok",     "ok",     "ok",     "400",    "400",    "400",    "403"),
    "join":            ("400",   "400",    "400",    "400",    "403",    "ok",     "ok",     "403"),
    "read topic":      ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "404"),
    "list topics":     ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "403"),
    "search topics":   ("listed", "listed", "listed", "listed", "listed", "listed", "listed", "absent"),
    "read comment":    ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "404"),
    "create topic":    ("ok",    "ok",     "ok",     "403",    "403",    "403",    "403",    "403"),
    "comment":         ("ok",    "ok",     "ok",     "403",    "403",    "403",    "403",    "404"),
    "edit topic":      ("403",   "403",    "ok",     "403",    "403",    "403",    "403",    "404"),
    "pin topic":       ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "404"),
    "close topic":     ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "404"),
    "delete topic":    ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "404"),
    "delete comment":  ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "404"),
    "read event":      ("ok",    "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "404"),
    "create event":    ("ok",    "ok",     "ok",     "403",    "403",    "403",    "403",    "403"),
    "edit event":      ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "404"),
    "delete event":    ("ok",    "ok",     "403",    "403",    "403",    "403",    "403",    "404"),
    "attend":          ("ok",    "ok",     "ok",     "403",    "403",    "403",    "403",    "404"),
}

# With topics for community members only, the topics, their comments and the events do not exist for
# anyone who has not joined: every path to them is a 404 (or an empty search), never a 403 that would
# confirm the topic is there. Rows not listed here are as in EXPECTED.
MEMBERS_ONLY_CHANGES = {
    #                   owner     moderator member    pending   banned    outsider  admin     logged_out
    "read topic":      ("ok",    "ok",     "ok",     "404",    "404",    "404",    "404",    "404"),
    "list topics":     ("ok",    "ok",     "ok",     "403",    "403",    "403",    "403",    "403"),
    "search topics":   ("listed", "listed", "listed", "absent", "absent", "absent", "absent", "absent"),
    "read comment":    ("ok",    "ok",     "ok",     "404",    "404",    "404",    "404",    "404"),
    "comment":         ("ok",    "ok",     "ok",     "404",    "404",    "404",    "404",    "404"),
    "edit topic":      ("403",   "403",    "ok",     "404",    "404",    "404",    "404",    "404"),
    "pin topic":       ("ok",    "ok",     "403",    "404",    "404",    "404",    "404",    "404"),
    "close topic":     ("ok",    "ok",     "403",    "404",    "404",    "404",    "404",    "404"),
    "delete topic":    ("ok",    "ok",     "403",    "404",    "404",    "404",    "404",    "404"),
    "delete comment":  ("ok",    "ok",     "403",    "404",    "404",    "404",    "404",    "404"),
    "read event":      ("ok",    "ok",     "ok",     "404",    "404",    "404",    "404",    "404"),
    "edit event":      ("ok",    "ok",     "403",    "404",    "404",    "404",    "404",    "404"),
    "delete event":    ("ok",    "ok",     "403",    "404",    "404",    "404",    "404",    "404"),
    "attend":          ("ok",    "ok",     "ok",     "404",    "404",    "404",    "404",    "404"),
}

# The form and confirmation pages ask the services first (views hold no rules): each page must refuse
# exactly whom the action it leads to refuses, in the same way.
PAGES = {
    "edit settings page": ("edit settings", lambda c, a: directory.editable_community(a, c.community.id)),
    "hand over page": ("hand over", lambda c, a: membership.community_to_hand_over(a, c.community.id)),
    "new topic page": ("create topic", lambda c, a: topics.community_for_new_topic(a, c.community.id)),
    "edit topic page": ("edit topic", lambda c, a: topics.editable_topic(a, c.topic.id)),
    "delete topic page": ("delete topic", lambda c, a: topics.deletable_topic(a, c.topic.id)),
    "delete comment page": ("delete comment", lambda c, a: topics.deletable_comment(a, c.comment.id)),
    "new event page": ("create event", lambda c, a: events.community_for_new_event(a, c.community.id)),
    "edit event page": ("edit event", lambda c, a: events.changeable_event(a, c.event.id)),
    "delete event page": ("delete event", lambda c, a: events.changeable_event(a, c.event.id)),
}
for _page, (_action, _check) in PAGES.items():
    ACTIONS[_page] = (False, _check)
    EXPECTED[_page] = EXPECTED[_action]
    if _action in MEMBERS_ONLY_CHANGES:
        MEMBERS_ONLY_CHANGES[_page] = MEMBERS_ONLY_CHANGES[_action]
EXPECTED_MEMBERS_ONLY = {**EXPECTED, **MEMBERS_ONLY_CHANGES}

OUTCOME_OF = {Forbidden: "403", NotFound: "404", Invalid: "400"}


def try_as(cast, action: str, role: str) -> tuple[str, bool]:
    """What happens when `role` tries `action` on the cast, and whether stored rows changed; a broken
    stored state is reported in the outcome."""
    writes, act = ACTIONS[action]
    before = snapshot(cast.community.id)
    try:
        result = act(cast, cast.actor(role))
    except (Forbidden, NotFound, Invalid) as error:
        db.session.rollback()
        got = OUTCOME_OF[type(error)]
        if SECRET_TITLE in error.message:
            got += ", naming the secret topic"
    else:
        got = result if result in ("listed", "absent") else "ok"
    after = snapshot(cast.community.id)
    changed = after != before
    if got == "ok" and writes and not changed:
        got = "ok, but nothing changed"
    elif not (got == "ok" and writes) and changed:
        got += ", but stored rows changed"
    joined = joined_rows(cast.community.id)
    if fresh(cast.community.id).member_count != joined:
        got += f", but member_count is not {joined}"
    return got, changed


@pytest.mark.parametrize("action", list(ACTIONS))
def test_who_may_do_what(app, action):
    """One row of both tables: each role tries the action on a fresh cast. The cast is built again (the
    tables emptied) whenever the previous try changed a stored row; a try that changed nothing left the
    very same rows behind (snapshot() says so), so the next role may use them."""
    got, expected = {}, {}
    for visibility, table in ((SITE, EXPECTED), (MEMBERS_ONLY, EXPECTED_MEMBERS_ONLY)):
        cast = None
        for role in ROLES:
            if cast is None:
                wipe()
                cast = quick_cast(topic_visibility=visibility)
            got[visibility, role], changed = try_as(cast, action, role)
            expected[visibility, role] = table[action][ROLES.index(role)]
            if changed:
                cast = None
    assert got == expected


def layout(cast) -> tuple:
    """The cast's rows in terms of who is who (ids differ between builds)."""
    who = {cast[role].id: role for role in cast if cast[role] is not None}
    state = snapshot(cast.community.id)
    return (state[0][2], state[0][4], who[state[0][3]], sorted((who[m], r) for m, r in state[1]),
            [(title, body, pinned, closed, comments) for _, title, body, pinned, closed, comments in state[2]],
            len(state[3]), [(title, place) for _, title, _, place in state[4]],
            sorted(who[m] for m in db.session.scalars(select(TopicFollow.member_id))))


@pytest.mark.parametrize("visibility", [SITE, MEMBERS_ONLY])
def test_the_quick_cast_is_what_the_services_build(app, make_member, visibility):
    built = layout(build_cast(make_member, topic_visibility=visibility))
    wipe()
    assert layout(quick_cast(topic_visibility=visibility)) == built
    assert built[3] == sorted([("owner", "owner"), ("moderator", "moderator"), ("member", "member"),
                               ("bystander", "member"), ("pending", "pending"), ("applicant", "pending"),
                               ("banned", "banned"), ("banned2", "banned")])


def test_the_tables_cover_every_action_and_role():
    assert set(EXPECTED) == set(ACTIONS)
    assert set(MEMBERS_ONLY_CHANGES) <= set(ACTIONS)
    assert all(len(row) == len(ROLES) for row in EXPECTED_MEMBERS_ONLY.values())


# --- the exceptions to the table, by the author -----------------------------------------------------------

@pytest.mark.parametrize("visibility", [SITE, MEMBERS_ONLY])
def test_the_author_of_a_comment_or_event_may_delete_and_edit_it(make_member, visibility):
    cast = build_cast(make_member, topic_visibility=visibility)
    author = cast.actor("bystander")
    events.update_event(author, cast.event.id, title="日程変更", starts_at=in_two_days(15), place="", description="")
    events.delete_event(author, cast.event.id)
    topics.delete_comment(author, cast.comment.id)
    assert snapshot(cast.community.id)[3] == [] and snapshot(cast.community.id)[4] == []


def test_a_topic_author_who_left_may_no_longer_edit_it(make_member):
    cast = build_cast(make_member)
    membership.leave(cast.actor("member"), cast.community.id)
    with pytest.raises(Forbidden):
        topics.edit_topic(cast.actor("member"), cast.topic.id, title="書き直し", body="本文")


def test_a_suspended_member_may_do_nothing(make_member):
    cast = build_cast(make_member)
    owner = cast.actor("owner")
    owner.status = "suspended"
    db.session.commit()
    with pytest.raises(Forbidden):
        access.get_community(owner, cast.community.id)
    with pytest.raises(NotFound):
        topics.get_topic(owner, cast.topic.id)
    with pytest.raises(Forbidden):
        membership.approve(owner, cast.community.id, cast["applicant"].id)
    assert topics.search_topics(owner, "防災倉庫", 1, 20).items == []
