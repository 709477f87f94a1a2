"""member_count counts joined members whose account works (issue 8, item 8): a suspended member leaves the
count of every community they belong to and comes back when reinstated; what runners do to a suspended
member's row while they are suspended does not move the count twice."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ejan.communities import membership
from ejan.communities.models import APPROVAL, BANNED, JOINED, Membership
from ejan.extensions import db
from ejan.members import services as members
from ejan.members.models import STATUS_ACTIVE, Member
from helpers_communities import assert_count_right, fresh, open_community, reload, role_in


def counted_rows(community_id: int) -> int:
    """The rule itself: joined rows of active members."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Membership).join(Member, Member.id == Membership.member_id)
                             .where(Membership.community_id == community_id, Membership.role.in_(JOINED),
                                    Member.status == STATUS_ACTIVE))


@pytest.fixture
def town(make_member):
    admin = make_member("市役所", role="admin")
    owner, neighbour = make_member("佐藤"), make_member("鈴木")
    tea, bus = open_community(owner, "倉真の茶畑"), open_community(owner, "バス路線を考える会")
    for community in (tea, bus):
        membership.join(neighbour, community.id)
    return admin, owner, neighbour, tea, bus


def test_a_suspended_member_is_not_counted_in_any_of_their_communities(town):
    admin, _owner, neighbour, tea, bus = town
    assert (fresh(tea.id).member_count, fresh(bus.id).member_count) == (2, 2)
    members.suspend(admin, reload(neighbour))
    assert (fresh(tea.id).member_count, fresh(bus.id).member_count) == (1, 1)
    assert counted_rows(tea.id) == 1
    members.reinstate(admin, reload(neighbour))
    assert (fresh(tea.id).member_count, fresh(bus.id).member_count) == (2, 2)


def test_suspending_twice_takes_the_member_off_once(town):
    admin, _owner, neighbour, tea, _bus = town
    members.suspend(admin, reload(neighbour))
    members.suspend(admin, reload(neighbour))
    assert fresh(tea.id).member_count == 1
    members.reinstate(admin, reload(neighbour))
    members.reinstate(admin, reload(neighbour))
    assert fresh(tea.id).member_count == 2


@pytest.mark.parametrize("act", ["remove", "ban"])
def test_removing_or_banning_a_suspended_member_does_not_count_them_off_again(town, act):
    admin, owner, neighbour, tea, _bus = town
    members.suspend(admin, reload(neighbour))
    if act == "remove":
        membership.remove_member(reload(owner), tea.id, neighbour.id)
    else:
        membership.ban(reload(owner), tea.id, neighbour.id)
        assert role_in(tea.id, neighbour.id) == BANNED
    assert fresh(tea.id).member_count == counted_rows(tea.id) == 1
    members.reinstate(admin, reload(neighbour))
    assert fresh(tea.id).member_count == counted_rows(tea.id) == 1


def test_a_suspended_members_approved_request_counts_once_they_are_reinstated(make_member):
    admin, owner, asker = make_member("市役所", role="admin"), make_member("佐藤"), make_member("田中")
    community = open_community(owner, join_policy=APPROVAL)
    membership.join(asker, community.id)
    members.suspend(admin, reload(asker))
    membership.approve(reload(owner), community.id, asker.id)
    assert fresh(community.id).member_count == counted_rows(community.id) == 1
    members.reinstate(admin, reload(asker))
    assert fresh(community.id).member_count == counted_rows(community.id) == 2
    assert assert_count_right(community.id) == 2
