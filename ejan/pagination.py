"""Keyless page-by-number pagination that never counts the whole table."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

from sqlalchemy import Select

from .extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    per_page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def prev_number(self) -> int:
        return self.number - 1


def paginate(stmt: Select, number: int, per_page: int, *, scalars: bool = True) -> Page:
    """Fetch one page plus one row; the extra row tells whether a next page exists without a COUNT(*)."""
    number = max(1, number)
    result = db.session.execute(stmt.limit(per_page + 1).offset((number - 1) * per_page))
    rows = list(result.scalars() if scalars else result)
    return Page(items=rows[:per_page], number=number, per_page=per_page, has_next=len(rows) > per_page)
