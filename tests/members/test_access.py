"""The who-is-who rules in ejan/members/access.py: each Python predicate against its SQL twin, over
every pair of a small cast, so a list never shows what a page refuses nor hides what a page opens.

Cast: 佐藤 and 鈴木 are friends; 停止中 is suspended (and friends with 佐藤 from before); 田中 has
blocked 佐藤; 佐藤 has blocked 高橋; 伊藤 knows nobody."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from ejan.extensions import db
from ejan.members import access
from ejan.members.models import Block, Member

EJAN = Path(__file__).resolve().parents[2] / "ejan"


@pytest.fixture
def cast(make_member, befriend):
    people = {n: make_member(n) for n in ("佐藤", "鈴木", "停止中", "田中", "高橋", "伊藤")}
    befriend(people["佐藤"], people["鈴木"])
    befriend(people["佐藤"], people["停止中"])
    db.session.add_all([Block(blocker_id=people["田中"].id, blocked_id=people["佐藤"].id),
                        Block(blocker_id=people["佐藤"].id, blocked_id=people["高橋"].id)])
    people["停止中"].status = "suspended"
    db.session.commit()
    return people


def ids_where(condition) -> set[int]:
    return set(db.session.scalars(select(Member.id).where(condition)))


def test_active_and_suspended_agree_with_their_sql(cast):
    everyone = list(cast.values())
    assert ids_where(access.active()) == {m.id for m in everyone if access.is_active(m)}
    assert ids_where(access.active_member(Member.id)) == {m.id for m in everyone if access.is_active(m)}
    assert ids_where(access.no_inactive_member(Member.id)) == {m.id for m in everyone if access.is_active(m)}
    assert ids_where(access.suspended()) == {m.id for m in everyone if access.is_suspended(m)}
    assert {m.nickname for m in everyone if not access.is_active(m)} == {"停止中"}
    assert not access.is_active(None) and not access.is_active(AnonymousUserMixin())


@pytest.mark.parametrize("rule", ["friend", "blocked_by", "blocked_between"])
def test_pair_rules_agree_with_their_sql_for_every_pair(cast, rule):
    python, sql = {
        "friend": (access.is_friend, access.friend_of),
        "blocked_by": (access.is_blocked_by, access.blocked_by),
        "blocked_between": (access.is_blocked_between, access.blocked_between),
    }[rule]
    everyone = list(cast.values())
    for a in everyone:
        assert ids_where(sql(a.id, Member.id)) == {b.id for b in everyone if python(a.id, b.id)}, (rule, a.nickname)


def test_the_matrix_says_what_the_cast_is(cast):
    """The twins agreeing on nothing would pass too; the cast's own facts pin the predicates down."""
    p = {n: m.id for n, m in cast.items()}
    assert access.is_friend(p["佐藤"], p["鈴木"]) and access.is_friend(p["鈴木"], p["佐藤"])
    assert not access.is_friend(p["佐藤"], p["伊藤"])
    assert access.is_blocked_by(p["佐藤"], p["田中"]) and not access.is_blocked_by(p["田中"], p["佐藤"])
    assert access.is_blocked_between(p["佐藤"], p["田中"]) and access.is_blocked_between(p["田中"], p["佐藤"])
    assert access.is_blocked_between(p["高橋"], p["佐藤"])
    assert not access.is_blocked_between(p["鈴木"], p["田中"])
    assert set(db.session.scalars(access.friend_ids(p["佐藤"]))) == {p["鈴木"], p["停止中"]}


def test_the_list_filter_leaves_out_both_sides_of_a_block(cast):
    sato = cast["佐藤"]
    assert {m.nickname for m in db.session.scalars(select(Member).where(access.not_blocked_between(sato, Member.id)))} \
        == {"佐藤", "鈴木", "停止中", "伊藤"}
    assert len(ids_where(access.not_blocked_between(None, Member.id))) == len(cast)


# --- one home: the rules are not restated elsewhere -------------------------------------------------------

def sources():
    return [p for p in EJAN.rglob("*.py") if p.name != "access.py" or p.parent.name != "members"]


def test_active_member_is_spelled_out_only_in_the_access_module():
    restated = [str(p.relative_to(EJAN)) for p in sources()
                if 'status == "active"' in p.read_text(encoding="utf-8")
                or "status == 'active'" in p.read_text(encoding="utf-8")]
    assert restated == []


def test_diary_does_not_read_the_friendship_tables():
    for path in (EJAN / "diary").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert not any(m.endswith("friends.models") for m in imported), path.name


def test_the_block_probes_read_a_pair_once_and_see_this_sessions_own_changes(make_member):
    """is_blocked_by / is_blocked_between share one read per pair and session; blocking, unblocking
    (a bulk delete) and a Block added by hand but not yet flushed are all seen at once."""
    from ejan.members import blocking

    from support import count_queries

    a, b = make_member("甲"), make_member("乙")
    a_id, b_id = a.id, b.id
    with count_queries(db.engine) as counter:
        assert not access.is_blocked_by(a_id, b_id) and not access.is_blocked_between(b_id, a_id)
        assert not access.is_blocked_by(b_id, a_id)
    assert len(counter.statements) == 1
    blocking.block(a, b.id)
    assert access.is_blocked_by(b.id, a.id) and access.is_blocked_between(a.id, b.id)
    assert not access.is_blocked_by(a.id, b.id)
    blocking.unblock(a, b.id)
    assert not access.is_blocked_between(a.id, b.id)
    db.session.add(Block(blocker_id=b.id, blocked_id=a.id))
    assert access.is_blocked_by(a.id, b.id)
    db.session.rollback()
    assert not access.is_blocked_by(a.id, b.id)
