"""Page-by-number pagination that never counts the whole table, with keyset "next" links for deep lists.

A "次へ" link of a newest-first list carries the key of the page's last row (`after`), so the next
page starts right after it along the index instead of skipping OFFSET rows: page 500 of everyone's
diaries costs what page 1 does. The page number still travels for the heading and the "前へ" link.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Sequence, TypeVar

from sqlalchemy import Select, and_, func, or_, select, tuple_

from .extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    per_page: int
    has_next: bool
    next_after: str | None = None  # the key the next page starts after (keyset lists only)

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def prev_number(self) -> int:
        return self.number - 1


def paginate(stmt: Select, number: int, per_page: int, *, scalars: bool = True, keyset=None,
             after: str | None = None, params: dict | None = None) -> Page:
    """Fetch one page plus one row; the extra row tells whether a next page exists without a COUNT(*).

    keyset: the (time, id) columns `stmt` is ordered by, newest first. Then a valid `after` (a key
    from Page.next_after) starts the page after that row instead of at an OFFSET.
    params: values for `stmt`'s bound parameters (a statement built once, ejan/diary/services.py)."""
    number = max(1, number)
    key = parse_key(after, number) if keyset is not None else None
    if key is not None:
        stmt = stmt.where(tuple_(*keyset) < tuple_(*key)).limit(per_page + 1)
    else:
        stmt = stmt.limit(per_page + 1).offset((number - 1) * per_page)
    result = db.session.execute(stmt, params)
    rows = list(result.scalars() if scalars else result)
    items, has_next = rows[:per_page], len(rows) > per_page
    next_after = None
    if keyset is not None and has_next:
        last = items[-1]
        next_after = format_key(number + 1, getattr(last, keyset[0].key), getattr(last, keyset[1].key))
    return Page(items=items, number=number, per_page=per_page, has_next=has_next, next_after=next_after)


_KEY = re.compile(r"([0-9]{1,6})\.([0-9]{20})-([0-9]{1,10})")


def format_key(number: int, moment: datetime, row_id: int) -> str:
    """The key of page `number`: it starts after the row (moment, row_id)."""
    return f"{number}.{moment:%Y%m%d%H%M%S%f}-{row_id}"


def parse_key(text: str | None, number: int) -> tuple[datetime, int] | None:
    """The row page `number` starts after, or None: no key, a tampered one, or one made for another page
    (a page number edited by hand), and the page falls back to OFFSET."""
    match = _KEY.fullmatch(text or "")
    if match is None or int(match.group(1)) != number:
        return None
    try:
        return datetime.strptime(match.group(2), "%Y%m%d%H%M%S%f"), int(match.group(3))
    except ValueError:
        return None


def page_holding(row, per_page: int, *conditions) -> int:
    """The page of a list ordered by (created_at, id) that holds `row`; `conditions` are the list's own filters."""
    model = type(row)
    at_or_before = db.session.scalar(select(func.count(model.id)).where(
        *conditions,
        or_(model.created_at < row.created_at, and_(model.created_at == row.created_at, model.id <= row.id))))
    return max(1, -(-at_or_before // per_page))
