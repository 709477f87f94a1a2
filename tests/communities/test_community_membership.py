"""A community's life: opening it, joining and asking to join, approving, leaving, handing over, banning.

After every step the member count kept on the community row must equal the real number of joined
members: the list sorts 5,000 communities by it, so a drift would never be noticed otherwise."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from ejan.communities import directory, membership
from ejan.communities.models import APPROVAL, BANNED, MEMBER, MODERATOR, OWNER, PENDING, Community, Membership
from ejan.errors import Forbidden, Invalid
from ejan.extensions import db
from ejan.notify.models import Notification
from helpers_communities import assert_count_right, count, fresh, open_community, reload, role_in


@pytest.fixture
def people(make_member):
    return {name: make_member(name) for name in ("佐藤", "鈴木", "高橋", "田中", "伊藤")}


def notifications(member, kind: str, actor=None) -> list[Notification]:
    db.session.expire_all()
    stmt = select(Notification).where(Notification.member_id == member.id, Notification.kind == kind)
    if actor is not None:
        stmt = stmt.where(Notification.actor_id == actor.id)
    return list(db.session.scalars(stmt))


# --- opening ----------------------------------------------------------------------------------------------

def test_the_opener_is_the_owner_and_the_only_member(people):
    community = open_community(people["佐藤"], "掛川の子育て広場", category="子育て")
    assert role_in(community.id, people["佐藤"].id) == OWNER
    assert fresh(community.id).owner_id == people["佐藤"].id
    assert assert_count_right(community.id) == 1


@pytest.mark.parametrize("taken, asked", [("Kakegawa Tea Club", "kakegawa tea club"),
                                          ("掛川茶の会", "  掛川茶の会 "),
                                          ("ＥＪＡＮ友の会", "ＥＪＡＮ友の会")])
def test_names_are_unique_whatever_the_case(people, taken, asked):
    open_community(people["佐藤"], taken)
    with pytest.raises(Invalid) as refused:
        open_community(people["鈴木"], asked)
    assert refused.value.code == "name"
    assert "同じ名前" in refused.value.message
    assert count(Community) == 1
    assert count(Membership, Membership.member_id == people["鈴木"].id) == 0


def test_renaming_to_a_taken_name_is_refused_but_keeping_ones_own_name_is_fine(people):
    open_community(people["佐藤"], "Tea Lovers")
    mine = open_community(people["鈴木"], "倉真の集い")
    with pytest.raises(Invalid) as refused:
        directory.update_community(people["鈴木"], mine.id, name="TEA LOVERS", category="趣味", description="説明",
                                  join_policy="open", topic_visibility="site")
    assert refused.value.code == "name"
    directory.update_community(people["鈴木"], mine.id, name="倉真の集い", category="地域", description="新しい説明",
                              join_policy="open", topic_visibility="site")
    assert fresh(mine.id).category == "地域"


@pytest.mark.parametrize("field, values", [
    ("name", {"name": ""}), ("name", {"name": "あ" * 61}), ("category", {"category": "宇宙"}),
    ("description", {"description": "  "}), ("join_policy", {"join_policy": "invite"}),
    ("topic_visibility", {"topic_visibility": "public"}),
])
def test_a_community_needs_a_name_a_listed_category_and_a_description(people, field, values):
    fields = dict(name="掛川の会", category="地域", description="説明", join_policy="open", topic_visibility="site")
    with pytest.raises(Invalid) as refused:
        directory.create_community(people["佐藤"], **{**fields, **values})
    assert refused.value.code == field
    assert count(Community) == 0


# --- joining ------------------------------------------------------------------------------------------------

def test_joining_an_open_community_makes_a_member_at_once(people):
    community = open_community(people["佐藤"])
    assert membership.join(people["鈴木"], community.id) == MEMBER
    assert role_in(community.id, people["鈴木"].id) == MEMBER
    assert assert_count_right(community.id) == 2
    with pytest.raises(Invalid, match="すでに参加"):
        membership.join(people["鈴木"], community.id)
    assert assert_count_right(community.id) == 2


def test_asking_to_join_then_being_approved(people):
    owner, moderator, member, asker = people["佐藤"], people["鈴木"], people["高橋"], people["田中"]
    community = open_community(owner, join_policy=APPROVAL)
    for person in (moderator, member):
        membership.join(person, community.id)
        membership.approve(owner, community.id, person.id)
    membership.set_moderator(owner, community.id, moderator.id, True)
    assert assert_count_right(community.id) == 3

    assert membership.join(asker, community.id, "茶畑の近くに住んでいます") == PENDING
    assert assert_count_right(community.id) == 3, "a request is not a member"
    assert db.session.get(Membership, (community.id, asker.id)).message == "茶畑の近くに住んでいます"
    with pytest.raises(Invalid, match="申請済み"):
        membership.join(asker, community.id)
    # The owner and the moderators hear about the request; plain members do not.
    asked = notifications(owner, "community_join_requested", actor=asker)
    assert [(n.subject, n.link) for n in asked] == [(community.name, f"/communities/{community.id}/requests")]
    assert len(notifications(moderator, "community_join_requested", actor=asker)) == 1
    assert notifications(member, "community_join_requested", actor=asker) == []
    assert notifications(asker, "community_join_requested") == []

    membership.approve(moderator, community.id, asker.id)
    assert role_in(community.id, asker.id) == MEMBER
    assert assert_count_right(community.id) == 4
    approved = notifications(asker, "community_join_approved")
    assert len(approved) == 1 and approved[0].actor_id == moderator.id
    assert approved[0].link == f"/communities/{community.id}"
    with pytest.raises(Invalid, match="すでに処理"):
        membership.approve(owner, community.id, asker.id)
    assert assert_count_right(community.id) == 4


def test_a_declined_request_is_gone_and_may_be_made_again(people):
    owner, asker = people["佐藤"], people["田中"]
    community = open_community(owner, join_policy=APPROVAL)
    membership.join(asker, community.id)
    membership.decline(owner, community.id, asker.id)
    assert role_in(community.id, asker.id) is None
    assert notifications(asker, "community_join_approved") == []
    with pytest.raises(Invalid, match="すでに処理"):
        membership.decline(owner, community.id, asker.id)
    with pytest.raises(Invalid):
        membership.approve(owner, community.id, asker.id)
    assert membership.join(asker, community.id) == PENDING
    assert assert_count_right(community.id) == 1


def test_one_cannot_approve_someone_who_never_asked(people):
    owner = people["佐藤"]
    community = open_community(owner, join_policy=APPROVAL)
    with pytest.raises(Invalid):
        membership.approve(owner, community.id, people["鈴木"].id)
    membership.join(people["高橋"], community.id)
    membership.approve(owner, community.id, people["高橋"].id)
    with pytest.raises(Invalid):  # already a member: approving again must not count them twice
        membership.approve(owner, community.id, people["高橋"].id)
    assert assert_count_right(community.id) == 2


def test_a_pending_request_can_be_withdrawn(people):
    community = open_community(people["佐藤"], join_policy=APPROVAL)
    membership.join(people["田中"], community.id)
    membership.leave(people["田中"], community.id)
    assert role_in(community.id, people["田中"].id) is None
    assert assert_count_right(community.id) == 1


# --- leaving and handing over ----------------------------------------------------------------------------

def test_members_and_moderators_leave(people):
    owner, moderator, member = people["佐藤"], people["鈴木"], people["高橋"]
    community = open_community(owner)
    membership.join(moderator, community.id)
    membership.join(member, community.id)
    membership.set_moderator(owner, community.id, moderator.id, True)
    membership.leave(member, community.id)
    membership.leave(moderator, community.id)
    assert role_in(community.id, member.id) is None and role_in(community.id, moderator.id) is None
    assert assert_count_right(community.id) == 1
    with pytest.raises(Invalid, match="参加していません"):
        membership.leave(member, community.id)
    assert assert_count_right(community.id) == 1


def test_the_owner_must_hand_over_before_leaving(people):
    owner, heir = people["佐藤"], people["鈴木"]
    community = open_community(owner)
    membership.join(heir, community.id)
    with pytest.raises(Invalid, match="引き継"):
        membership.leave(owner, community.id)
    assert role_in(community.id, owner.id) == OWNER

    membership.hand_over(owner, community.id, heir.id)
    assert role_in(community.id, heir.id) == OWNER
    assert role_in(community.id, owner.id) == MODERATOR, "the old owner stays on as a moderator"
    assert fresh(community.id).owner_id == heir.id
    assert count(Membership, Membership.community_id == community.id, Membership.role == OWNER) == 1
    assert assert_count_right(community.id) == 2

    with pytest.raises(Forbidden):  # no longer the owner
        membership.hand_over(reload(owner), community.id, heir.id)
    membership.leave(reload(owner), community.id)
    assert assert_count_right(community.id) == 1


@pytest.mark.parametrize("target", ["pending", "banned", "outsider", "suspended", "self"])
def test_ownership_goes_only_to_a_joined_active_member(people, make_member, target):
    owner = people["佐藤"]
    community = open_community(owner, join_policy=APPROVAL)
    person = people["鈴木"] if target != "self" else owner
    if target == "pending":
        membership.join(person, community.id)
    elif target == "banned":
        membership.ban(owner, community.id, person.id)
    elif target == "suspended":
        membership.join(person, community.id)
        membership.approve(owner, community.id, person.id)
        person.status = "suspended"
        db.session.commit()
    with pytest.raises(Invalid):
        membership.hand_over(owner, community.id, person.id)
    assert role_in(community.id, owner.id) == OWNER
    assert fresh(community.id).owner_id == owner.id


def test_promoting_and_demoting(people):
    owner, member = people["佐藤"], people["鈴木"]
    community = open_community(owner, join_policy=APPROVAL)
    membership.join(member, community.id)
    with pytest.raises(Invalid):  # a request is not a member yet
        membership.set_moderator(owner, community.id, member.id, True)
    membership.approve(owner, community.id, member.id)
    membership.set_moderator(owner, community.id, member.id, True)
    assert role_in(community.id, member.id) == MODERATOR
    with pytest.raises(Invalid):
        membership.set_moderator(owner, community.id, member.id, True)
    with pytest.raises(Invalid):  # the owner is never demoted
        membership.set_moderator(owner, community.id, owner.id, False)
    membership.set_moderator(owner, community.id, member.id, False)
    assert role_in(community.id, member.id) == MEMBER
    assert assert_count_right(community.id) == 2


# --- removing and banning -------------------------------------------------------------------------------

@pytest.fixture
def running(people):
    """佐藤 owns it; 鈴木 and 高橋 are moderators; 田中 and 伊藤 are members."""
    owner = people["佐藤"]
    community = open_community(owner)
    for name in ("鈴木", "高橋", "田中", "伊藤"):
        membership.join(people[name], community.id)
    for name in ("鈴木", "高橋"):
        membership.set_moderator(owner, community.id, people[name].id, True)
    assert assert_count_right(community.id) == 5
    return community


@pytest.mark.parametrize("action", [membership.remove_member, membership.ban])
@pytest.mark.parametrize("target", ["佐藤", "高橋", "鈴木"])
def test_a_moderator_cannot_remove_or_ban_the_owner_another_moderator_or_themself(people, running, action, target):
    with pytest.raises(Forbidden):
        action(people["鈴木"], running.id, people[target].id)
    assert role_in(running.id, people["佐藤"].id) == OWNER
    assert role_in(running.id, people["高橋"].id) == MODERATOR
    assert role_in(running.id, people["鈴木"].id) == MODERATOR
    assert assert_count_right(running.id) == 5


def test_a_moderator_removes_and_bans_members(people, running):
    membership.remove_member(people["鈴木"], running.id, people["田中"].id)
    assert role_in(running.id, people["田中"].id) is None
    assert assert_count_right(running.id) == 4
    membership.ban(people["鈴木"], running.id, people["伊藤"].id)
    assert role_in(running.id, people["伊藤"].id) == BANNED
    assert assert_count_right(running.id) == 3


def test_the_owner_removes_and_bans_moderators_but_not_themself(people, running):
    owner = people["佐藤"]
    membership.remove_member(owner, running.id, people["鈴木"].id)
    membership.ban(owner, running.id, people["高橋"].id)
    assert role_in(running.id, people["鈴木"].id) is None
    assert role_in(running.id, people["高橋"].id) == BANNED
    assert assert_count_right(running.id) == 3
    for action in (membership.remove_member, membership.ban):
        with pytest.raises(Forbidden):
            action(owner, running.id, owner.id)
    assert role_in(running.id, owner.id) == OWNER
    assert assert_count_right(running.id) == 3


def test_removing_someone_who_is_not_a_member_is_refused(people, running):
    with pytest.raises(Forbidden):
        membership.remove_member(people["佐藤"], running.id, 999_999)
    assert assert_count_right(running.id) == 5


def test_a_banned_member_cannot_rejoin_until_unbanned(people, running):
    owner, banned = people["佐藤"], people["田中"]
    membership.ban(owner, running.id, banned.id)
    assert assert_count_right(running.id) == 4
    with pytest.raises(Forbidden):
        membership.join(banned, running.id)
    with pytest.raises(Invalid):  # and has nothing to leave
        membership.leave(banned, running.id)
    membership.ban(owner, running.id, banned.id)  # banning twice changes nothing
    assert assert_count_right(running.id) == 4
    membership.unban(people["鈴木"], running.id, banned.id)
    assert role_in(running.id, banned.id) is None
    with pytest.raises(Invalid):
        membership.unban(owner, running.id, banned.id)
    assert membership.join(banned, running.id) == MEMBER
    assert assert_count_right(running.id) == 5


def test_banning_someone_who_never_joined_keeps_them_out(people, make_member):
    owner = people["佐藤"]
    community = open_community(owner)
    stranger = make_member("通りすがり")
    membership.ban(owner, community.id, stranger.id)
    with pytest.raises(Forbidden):
        membership.join(stranger, community.id)
    assert assert_count_right(community.id) == 1


def test_banning_a_pending_request_does_not_change_the_count(people):
    owner = people["佐藤"]
    community = open_community(owner, join_policy=APPROVAL)
    membership.join(people["田中"], community.id)
    membership.ban(owner, community.id, people["田中"].id)
    assert role_in(community.id, people["田中"].id) == BANNED
    assert assert_count_right(community.id) == 1


def test_the_count_stays_right_through_a_whole_story(people, make_member):
    """Every membership change in one community, checking the count after each."""
    owner, a, b, c, d = (people[n] for n in ("佐藤", "鈴木", "高橋", "田中", "伊藤"))
    community = open_community(owner, join_policy=APPROVAL)
    steps = [
        lambda: membership.join(a, community.id), lambda: membership.approve(owner, community.id, a.id),
        lambda: membership.join(b, community.id), lambda: membership.decline(owner, community.id, b.id),
        lambda: membership.join(b, community.id), lambda: membership.approve(owner, community.id, b.id),
        lambda: membership.join(c, community.id), lambda: membership.approve(owner, community.id, c.id),
        lambda: membership.set_moderator(owner, community.id, a.id, True),
        lambda: membership.ban(a, community.id, c.id), lambda: membership.unban(owner, community.id, c.id),
        lambda: membership.join(c, community.id), lambda: membership.leave(c, community.id),
        lambda: membership.join(d, community.id), lambda: membership.ban(owner, community.id, d.id),
        lambda: membership.remove_member(a, community.id, b.id),
        lambda: membership.hand_over(owner, community.id, a.id),
        lambda: membership.leave(reload(owner), community.id),
        lambda: membership.join(c, community.id), lambda: membership.approve(reload(a), community.id, c.id),
    ]
    for step in steps:
        step()
        assert_count_right(community.id)
    assert assert_count_right(community.id) == 2  # a (owner) and c
