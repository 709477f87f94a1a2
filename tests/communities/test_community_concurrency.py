"""Two requests at the same moment: two moderators approving one request, a member joining twice, a topic
or comment form sent twice. Each side runs in its own thread with its own app context and database session;
both are held at a barrier just after their checks, so neither can see what the other is about to write.
The database has the last word (a conditional UPDATE, the membership primary key, the form token)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from ejan.communities import access, directory, membership, topics
from ejan.communities.models import (APPROVAL, MEMBER, OPEN, PENDING, RUNNERS, Community, Membership, Topic,
                                     TopicComment)
from ejan.errors import Invalid
from ejan.extensions import db
from ejan.members.models import Member
from ejan.notify.models import Notification
from helpers_communities import assert_count_right, at_the_same_moment, count, open_community, role_in

TOKEN = "same-form-token-0123456789"


def as_member(member_id: int) -> Member:
    return db.session.get(Member, member_id)


def test_two_moderators_approving_the_same_request_make_one_membership(app, make_member, monkeypatch):
    owner, moderator, asker = make_member("佐藤"), make_member("鈴木"), make_member("田中")
    community = open_community(owner, join_policy=APPROVAL)
    membership.join(moderator, community.id)
    membership.approve(owner, community.id, moderator.id)
    membership.set_moderator(owner, community.id, moderator.id, True)
    membership.join(asker, community.id)
    before = assert_count_right(community.id)
    community_id, asker_id = community.id, asker.id
    approvers = iter([owner.id, moderator.id])

    def approve():
        membership.approve(as_member(next(approvers)), community_id, asker_id)
        return "approved"

    # approve() checks the approver's role with role_of() (through access.require_role), then updates the
    # request; hold both right there.
    results, refused = at_the_same_moment(app, monkeypatch, access, "role_of", approve,
                                          when=lambda role: role in RUNNERS, catch=(Invalid,))
    assert results == ["approved"]
    assert len(refused) == 1 and "すでに処理" in refused[0].message
    assert role_in(community_id, asker_id) == MEMBER
    assert count(Membership, Membership.community_id == community_id, Membership.member_id == asker_id) == 1
    assert assert_count_right(community_id) == before + 1, "the count went up once"
    assert count(Notification, Notification.member_id == asker_id,
                 Notification.kind == "community_join_approved") == 1, "the requester hears once"


@pytest.mark.parametrize("policy, role", [(OPEN, MEMBER), (APPROVAL, PENDING)])
def test_a_member_joining_twice_at_once_gets_one_membership_and_a_clean_message(app, make_member, monkeypatch,
                                                                               policy, role):
    owner, joiner = make_member("佐藤"), make_member("鈴木")
    community = open_community(owner, join_policy=policy)
    community_id, joiner_id = community.id, joiner.id

    def join():
        return membership.join(as_member(joiner_id), community_id)

    # join() asks role_of() whether they are in already; both hear "no" before either has written.
    results, refused = at_the_same_moment(app, monkeypatch, membership, "role_of", join,
                                          when=lambda found: found is None, catch=(Invalid,))
    assert results == [role]
    assert len(refused) == 1
    assert refused[0].message in ("すでに参加しています。", "参加を申請済みです。管理人の承認をお待ちください。")
    assert count(Membership, Membership.community_id == community_id, Membership.member_id == joiner_id) == 1
    assert role_in(community_id, joiner_id) == role
    assert assert_count_right(community_id) == (2 if role == MEMBER else 1)


def test_a_topic_form_sent_twice_at_once_makes_one_topic(app, make_member, monkeypatch):
    owner = make_member("佐藤")
    community_id, owner_id = open_community(owner).id, owner.id

    def send():
        return topics.create_topic(as_member(owner_id), community_id, title="草刈りの日程", body="いつにしますか",
                                     submit_token=TOKEN).id

    # create_topic's duplicate check is a session.scalar() that finds nothing (role_of finds a role).
    ids, _ = at_the_same_moment(app, monkeypatch, type(db.session), "scalar", send, when=lambda found: found is None)
    assert ids[0] == ids[1]
    assert count(Topic) == 1


def test_a_comment_form_sent_twice_at_once_makes_one_comment(app, make_member, monkeypatch):
    owner, member = make_member("佐藤"), make_member("鈴木")
    community = open_community(owner)
    membership.join(member, community.id)
    topic_id = topics.create_topic(owner, community.id, title="草刈り", body="日程").id
    member_id = member.id

    def send():
        return topics.add_comment(as_member(member_id), topic_id, "参加します", submit_token=TOKEN).id

    ids, _ = at_the_same_moment(app, monkeypatch, type(db.session), "scalar", send, when=lambda found: found is None)
    assert ids[0] == ids[1]
    assert count(TopicComment) == 1
    db.session.expire_all()
    assert db.session.scalar(select(Topic.comment_count).where(Topic.id == topic_id)) == 1


@pytest.mark.parametrize("names", [("掛川茶の会", "掛川茶の会"), ("Kakegawa Tea", "kakegawa tea")])
def test_two_people_opening_communities_of_the_same_name_at_once_get_one_and_a_clean_message(app, make_member,
                                                                                            monkeypatch, names):
    openers = iter([(make_member("佐藤").id, names[0]), (make_member("鈴木").id, names[1])])

    def open_one():
        member_id, name = next(openers)
        return directory.create_community(as_member(member_id), name=name, category="趣味",
                                         description="同時に作る").id

    # Both ask _name_taken() first and hear "free"; the unique name lets one community in.
    results, refused = at_the_same_moment(app, monkeypatch, directory, "_name_taken", open_one,
                                          when=lambda taken: not taken, catch=(Invalid,))
    assert len(results) == 1
    assert len(refused) == 1 and refused[0].code == "name" and "同じ名前" in refused[0].message
    assert count(Community) == 1
    assert count(Membership) == 1, "the refused opener is nobody's owner"
