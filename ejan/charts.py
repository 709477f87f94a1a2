"""Bar charts made on the server (survey results, the site statistics): SVG for PCs and smartphones, ■□ text bars for keitai.

SVG needs no font file on the server (the reader's browser draws the Japanese labels with its own
fonts) and no image library; it carries no script and no style attribute, so the CSP stays strict.
"""
from __future__ import annotations

from typing import Sequence

from markupsafe import Markup, escape

WIDTH = 560
LABEL_WIDTH = 200
ROW = 28
BAR_HEIGHT = 18
LABEL_CHARS = 14


def svg_bar_chart(bars: Sequence, title: str = "", *, percent: bool = True, css_class: str = "survey-chart") -> Markup:
    """One horizontal bar per option (or scale point, or month): label, bar scaled to the largest percentage, count.

    `bars` have label, count and percent (surveys' results.Bar); percent=False writes only the count
    beside the bar (the statistics, where the percentage is of the largest month and says nothing)."""
    height = ROW * len(bars) + 8
    room = WIDTH - LABEL_WIDTH - 90
    top = max((bar.percent for bar in bars), default=0) or 100
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" '
             f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">',
             f"<title>{escape(title)}</title>"]
    for i, bar in enumerate(bars):
        y = 4 + i * ROW
        label = bar.label if len(bar.label) <= LABEL_CHARS else bar.label[:LABEL_CHARS - 1] + "…"
        length = round(room * bar.percent / top) if bar.percent else 0
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end" font-size="13">{escape(label)}</text>'
                     f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
                     f'fill="#2f7d4f"><title>{escape(bar.label)}</title></rect>'
                     f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 14}" font-size="12">{bar.count}'
                     + (f' ({bar.percent:g}%)' if percent else '') + '</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def text_bar(percent: float, cells: int = 10) -> str:
    """■■■□□…: a keitai's bar chart, one cell per 10 percent (rounded, so 5% shows one cell)."""
    full = min(cells, max(0, int(percent * cells / 100 + 0.5)))
    return "■" * full + "□" * (cells - full)
