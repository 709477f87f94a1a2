"""Search by character grams, for the one- and two-character words Japanese is full of (茶, 掛川).

Trigram indexes (pg_trgm) cannot serve a query shorter than three characters, and Debian ships
neither pg_bigm nor PGroonga. So beside the text each row keeps its grams: every character and every
pair of neighbouring characters, lower-cased, each as one integer (the UTF-16-ish code of the
character, or two of them side by side in 32 bits). On PostgreSQL a GIN index over that int4[]
answers "rows holding all these grams" (`@>`), and the ILIKE that follows keeps only true matches,
so a gram shared by chance (two rare characters folded onto one code) costs a recheck, never a wrong
hit. Integers rather than text: 4 bytes an element, no per-element header, so 2 million entries of
about 60 characters keep about 100 grams each at a sensible size.

SQLite (the embedded site) keeps plain LIKE and stores nothing: the column type drops the value.
The migration that added the column (0009_city_speed) holds the same function in SQL,
ejan_search_grams(title, body), for its backfill; tests/diary/test_diary_search_grams.py checks the two agree.
"""
from __future__ import annotations

from sqlalchemy import Integer, Text, and_, func, literal, or_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import TypeDecorator

_MASK = 0xFFFF


def _signed(value: int) -> int:
    return value - (1 << 32) if value >= (1 << 31) else value


def grams(*texts: str) -> list[int]:
    """Every character and every neighbouring pair of the texts (lower-cased), as sorted distinct int4s.
    Texts are kept apart: no pair spans the end of one and the start of the next."""
    found: set[int] = set()
    for text in texts:
        codes = [ord(c) & _MASK for c in (text or "").lower()]
        found.update(codes)
        found.update(_signed(a << 16 | b) for a, b in zip(codes, codes[1:]))
    return sorted(found)


def query_grams(query: str) -> list[int]:
    """What a row must hold to contain `query`: its pairs, or the character itself for a one-character query."""
    codes = [ord(c) & _MASK for c in query.lower()]
    if len(codes) == 1:
        return codes
    return sorted({_signed(a << 16 | b) for a, b in zip(codes, codes[1:])})


def matching(grams_column, query: str, *text_columns):
    """PostgreSQL's condition: rows holding the query's grams (the GIN index), then truly containing it.

    The recheck is strpos() over lower(), not ILIKE, on purpose: the planner prices a function
    comparison at a flat third instead of multiplying its ILIKE guess with the grams' (the two are
    the same fact, not independent), so for a common word (茶 is in half the city's diaries) it reads
    the newest entries backwards and stops at a page, and for a rare one it asks the GIN index."""
    needle = func.lower(literal(query))
    return and_(grams_column.op("@>")(literal(query_grams(query), ARRAY(Integer))),
                or_(*(func.strpos(func.lower(column), needle) > 0 for column in text_columns)))


class Grams(TypeDecorator):
    """int4[] on PostgreSQL; on SQLite a column that stays empty (LIKE needs no help there)."""

    impl = ARRAY(Integer)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(Integer))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value, dialect):
        return value if dialect.name == "postgresql" else None
