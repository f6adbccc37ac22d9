"""Small charts drawn on the server as SVG: no JavaScript, readable by screen readers (title/desc
plus a text label on every bar), scaled by CSS to any width."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    css: str = ""  # an extra class for the bar's colour


def bar_chart(title: str, bars: Sequence[Bar], *, width: int = 480, height: int = 200) -> Markup:
    """A vertical bar chart with value labels above the bars and category labels below."""
    top, bottom, left = 18, 28, 8
    plot_height = height - top - bottom
    peak = max((bar.value for bar in bars), default=0) or 1
    slot = (width - 2 * left) / max(len(bars), 1)
    bar_width = max(slot * 0.62, 4)
    parts: list[str] = []
    summary = ", ".join(f"{bar.label}: {_num(bar.value)}" for bar in bars)
    for index, bar in enumerate(bars):
        x = left + index * slot + (slot - bar_width) / 2
        h = plot_height * bar.value / peak
        y = top + plot_height - h
        cx = x + bar_width / 2
        parts.append(
            f'<rect class="bar {escape(bar.css)}" x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" '
            f'height="{max(h, 0.5):.1f}" rx="2"></rect>'
            f'<text class="value" x="{cx:.1f}" y="{y - 4:.1f}" text-anchor="middle">'
            f"{_num(bar.value)}</text>"
            f'<text class="label" x="{cx:.1f}" y="{height - 10}" text-anchor="middle">'
            f"{escape(bar.label)}</text>"
        )
    baseline = top + plot_height
    ident = _id(title)
    svg = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(summary)}</desc>'
        f'<line class="axis" x1="{left}" y1="{baseline}" x2="{width - left}" y2="{baseline}"></line>'
        f"{''.join(parts)}</svg>"
    )
    return Markup(svg)  # noqa: S704 - every interpolated text above is escaped


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _id(title: str) -> str:
    return "chart-" + "".join(ch if ch.isalnum() else "-" for ch in title.lower())[:40]
