"""The site's monthly statistics: what the city reports to its council, and how the site is used.

Every figure is an aggregate query, grouped by the Japan-time month: what features declare
(`Feature(monthly=(MonthlyCount(...),))`: members, communities, diaries, comments, survey responses, damage
reports, 通報) plus what the admin package counts itself (active members, page views per device class).
No rows are loaded into Python, only one number per month and figure.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text

from ..clock import today_jst
from ..extensions import db
from . import pageviews
from .audit import require_admin

JST_OFFSET_HOURS = 9


@dataclass(frozen=True)
class Column:
    name: str
    label: object
    cumulative: bool = False


@dataclass(frozen=True)
class Statistics:
    columns: list[Column]
    rows: list[tuple[str, dict[str, int]]]  # ("YYYY-MM", {column name: number}), oldest month first

    def series(self, name: str) -> list[tuple[str, int]]:
        return [(month, values.get(name, 0)) for month, values in self.rows]


@dataclass(frozen=True)
class Bar:
    """One month in a chart (ejan/charts.py draws label, count and a bar as long as percent)."""
    label: str
    count: int
    percent: float


def month_of(column):
    """The Japan-time "YYYY-MM" of a naive-UTC DateTime column, in the database's own dialect."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column + text(f"interval '{JST_OFFSET_HOURS} hours'"), "YYYY-MM")
    return func.strftime("%Y-%m", column, f"+{JST_OFFSET_HOURS} hours")


def monthly_counts(column) -> dict[str, int]:
    """Rows per Japan-time month of `column`: one grouped query."""
    month = month_of(column)
    rows = db.session.execute(select(month, func.count()).where(column.isnot(None)).group_by(month))
    return {m: int(n) for m, n in rows if m}


def _columns() -> list[Column]:
    declared: dict[str, Column] = {}
    orders: dict[str, int] = {}
    for count in current_app.extensions.get("ejan.monthly", []):
        if count.name not in declared:
            declared[count.name] = Column(count.name, count.label, count.cumulative)
            orders[count.name] = count.order
    declared["active_members"] = Column("active_members", _l("利用した会員"))
    orders["active_members"] = 35
    names = sorted(declared, key=lambda name: (orders[name], name))
    views = [Column(f"views_{device}", label) for device, label in
             (("pc", _l("ページビュー（PC）")), ("smartphone", _l("ページビュー（スマートフォン）")),
              ("keitai", _l("ページビュー（携帯電話）")))]
    return [declared[name] for name in names] + views


def compute() -> Statistics:
    """Every figure per month, from the first month anything happened to this month."""
    columns = _columns()
    per_name: dict[str, dict[str, int]] = {}
    for count in current_app.extensions.get("ejan.monthly", []):
        merged = per_name.setdefault(count.name, {})
        for month, n in monthly_counts(count.column).items():
            merged[month] = merged.get(month, 0) + n
    per_name["active_members"] = pageviews.active_per_month()
    for month, devices in pageviews.views_per_month().items():
        for device, n in devices.items():
            per_name.setdefault(f"views_{device}", {})[month] = n
    months = sorted({m for values in per_name.values() for m in values})
    if not months:
        return Statistics(columns, [])
    rows = []
    running = {c.name: 0 for c in columns}
    for month in _month_range(months[0], max(months[-1], today_jst().strftime("%Y-%m"))):
        values = {}
        for c in columns:
            n = per_name.get(c.name, {}).get(month, 0)
            if c.cumulative:
                running[c.name] += n
                n = running[c.name]
            values[c.name] = n
        rows.append((month, values))
    return Statistics(columns, rows)


def for_admin(viewer) -> Statistics:
    require_admin(viewer)
    return compute()


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def bars(stats: Statistics, name: str, last: int = 24) -> list[Bar]:
    """A figure's last months as chart bars, each as long as its share of the largest month."""
    series = stats.series(name)[-last:]
    top = max((n for _m, n in series), default=0) or 1
    return [Bar(month, n, round(100 * n / top, 1)) for month, n in series]


def as_csv(stats: Statistics) -> bytes:
    """UTF-8 with a BOM, so Excel on the city's PCs opens the Japanese headings right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(_l("月"))] + [str(c.label) for c in stats.columns])
    for month, values in stats.rows:
        writer.writerow([month] + [values[c.name] for c in stats.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
