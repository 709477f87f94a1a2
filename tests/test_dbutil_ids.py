"""ids_of (ejan/dbutil.py): a group's ids as one list of ints, on SQLite (group_concat) and PostgreSQL (array_agg)."""
from sqlalchemy import Integer, String, literal, select, union_all

from ejan.dbutil import ids_of
from ejan.extensions import db


def test_each_group_gives_its_ids_as_ints(app):
    rows = union_all(*(select(literal(group, String).label("grp"), literal(number, Integer).label("n"))
                       for group, number in [("a", 3), ("b", 10), ("a", 1), ("a", 123456)])).subquery()
    found = dict(db.session.execute(select(rows.c.grp, ids_of(rows.c.n)).group_by(rows.c.grp)).all())
    assert {group: sorted(ids) for group, ids in found.items()} == {"a": [1, 3, 123456], "b": [10]}
    assert all(isinstance(number, int) for ids in found.values() for number in ids)


def test_no_group_no_list(app):
    rows = select(literal(1, Integer).label("n")).subquery()
    assert db.session.execute(select(ids_of(rows.c.n)).where(rows.c.n > 5)).scalar() == []
