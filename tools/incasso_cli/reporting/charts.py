"""Charts as inline SVG, drawn here: no library, no script, nothing fetched when the page is viewed.

Geometry is done in ``Decimal`` (amounts never pass through a float on their way to a coordinate).
Every text that comes from data is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from html import escape

Number = int | Decimal
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" font-size=\"12\""
AXIS_COLOR = "#475569"
GRID_COLOR = "#e2e8f0"


@dataclass(frozen=True)
class Series:
    label: str
    color: str
    values: Sequence[Number]


@dataclass(frozen=True)
class Frame:
    """The plotting area inside an SVG of ``width`` x ``height``."""

    width: int
    height: int
    left: int = 64
    right: int = 16
    top: int = 14
    bottom: int = 30

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


def coord(value: Number) -> str:
    """An SVG coordinate with one decimal."""
    return f"{Decimal(value).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}"


def nice_ticks(maximum: Number, target: int = 5) -> list[Decimal]:
    """Round tick values from 0 to at least ``maximum`` (steps of 1, 2 or 5 times a power of ten)."""
    top = Decimal(maximum)
    if top <= 0:
        return [Decimal(0), Decimal(1)]
    raw = top / target
    magnitude = Decimal(10) ** raw.adjusted()
    step = next(m * magnitude for m in (Decimal(1), Decimal(2), Decimal(5), Decimal(10)) if m * magnitude >= raw)
    count = int((top / step).to_integral_value(rounding=ROUND_CEILING))
    return [step * n for n in range(count + 1)]


def day_ticks(days: Sequence[dt.date]) -> list[int]:
    """Indexes of the days to label: month starts over a long span, Mondays over a short one."""
    if not days:
        return []
    if len(days) > 70:
        picks = [i for i, day in enumerate(days) if day.day == 1]
    elif len(days) > 21:
        picks = [i for i, day in enumerate(days) if day.weekday() == 0]
    else:
        picks = list(range(0, len(days), max(1, len(days) // 7)))
    return picks or [0]


def short_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b')}"


def _x(frame: Frame, index: int, count: int) -> Decimal:
    if count <= 1:
        return Decimal(frame.left) + Decimal(frame.plot_width) / 2
    return Decimal(frame.left) + Decimal(frame.plot_width) * index / (count - 1)


def _y(frame: Frame, value: Number, top: Decimal) -> Decimal:
    return Decimal(frame.top) + Decimal(frame.plot_height) * (1 - Decimal(value) / top)


def _open(frame: Frame, title: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" '
            f'width="100%" role="img" aria-label="{escape(title)}" {FONT}>',
            f"<title>{escape(title)}</title>"]


def _y_axis(frame: Frame, ticks: Sequence[Decimal], label: Callable[[Decimal], str]) -> list[str]:
    top = ticks[-1]
    parts = []
    for tick in ticks:
        y = coord(_y(frame, tick, top))
        parts.append(f'<line x1="{frame.left}" x2="{frame.width - frame.right}" y1="{y}" y2="{y}" '
                     f'stroke="{GRID_COLOR}" stroke-width="1"/>')
        parts.append(f'<text x="{frame.left - 8}" y="{y}" dy="4" text-anchor="end" fill="{AXIS_COLOR}">'
                     f"{escape(label(tick))}</text>")
    return parts


def _x_axis(frame: Frame, days: Sequence[dt.date]) -> list[str]:
    baseline = frame.top + frame.plot_height
    parts = [f'<line x1="{frame.left}" x2="{frame.width - frame.right}" y1="{baseline}" y2="{baseline}" '
             f'stroke="{AXIS_COLOR}" stroke-width="1"/>']
    for index in day_ticks(days):
        x = coord(_x(frame, index, len(days)))
        parts.append(f'<line x1="{x}" x2="{x}" y1="{baseline}" y2="{baseline + 4}" stroke="{AXIS_COLOR}"/>')
        parts.append(f'<text x="{x}" y="{baseline + 18}" text-anchor="middle" fill="{AXIS_COLOR}">'
                     f"{escape(short_date(days[index]))}</text>")
    return parts


def _empty(frame: Frame, title: str) -> str:
    parts = _open(frame, title)
    parts.append(f'<text x="{frame.width // 2}" y="{frame.height // 2}" text-anchor="middle" '
                 f'fill="{AXIS_COLOR}">No data yet</text></svg>')
    return "".join(parts)


def stacked_area(days: Sequence[dt.date], series: Sequence[Series], *, title: str,
                 width: int = 1040, height: int = 320) -> str:
    """Series stacked on top of each other, day by day (counts)."""
    frame = Frame(width, height, left=84)  # as the line chart's: the two time axes line up
    shown = [s for s in series if any(v for v in s.values)]
    if not days or not shown:
        return _empty(frame, title)
    totals = [sum((Decimal(s.values[i]) for s in shown), Decimal(0)) for i in range(len(days))]
    ticks = nice_ticks(max(totals))
    top = ticks[-1]
    parts = _open(frame, title) + _y_axis(frame, ticks, lambda t: f"{t:,.0f}")
    below = [Decimal(0)] * len(days)
    for one in shown:
        above = [below[i] + Decimal(one.values[i]) for i in range(len(days))]
        upper = [f"{coord(_x(frame, i, len(days)))},{coord(_y(frame, above[i], top))}" for i in range(len(days))]
        lower = [f"{coord(_x(frame, i, len(days)))},{coord(_y(frame, below[i], top))}"
                 for i in reversed(range(len(days)))]
        if len(days) == 1:  # one day: a bar instead of a line
            x = _x(frame, 0, 1)
            upper = [f"{coord(x - 20)},{coord(_y(frame, above[0], top))}", f"{coord(x + 20)},{coord(_y(frame, above[0], top))}"]
            lower = [f"{coord(x + 20)},{coord(_y(frame, below[0], top))}", f"{coord(x - 20)},{coord(_y(frame, below[0], top))}"]
        parts.append(f'<polygon points="{" ".join(upper + lower)}" fill="{escape(one.color)}" '
                     f'stroke="#ffffff" stroke-width="0.5"><title>{escape(one.label)}</title></polygon>')
        below = above
    parts += _x_axis(frame, days)
    parts.append("</svg>")
    return "".join(parts)


def line_chart(days: Sequence[dt.date], series: Sequence[Series], *, title: str,
               value_label: Callable[[Decimal], str], width: int = 1040, height: int = 300,
               fill_first: bool = True) -> str:
    """Lines over days; the first series gets a light fill beneath it."""
    frame = Frame(width, height, left=84)
    if not days or not series:
        return _empty(frame, title)
    highest = max((Decimal(v) for s in series for v in s.values), default=Decimal(0))
    ticks = nice_ticks(highest)
    top = ticks[-1]
    parts = _open(frame, title) + _y_axis(frame, ticks, value_label)
    baseline = coord(frame.top + frame.plot_height)
    for position, one in enumerate(series):
        points = [f"{coord(_x(frame, i, len(days)))},{coord(_y(frame, v, top))}" for i, v in enumerate(one.values)]
        if position == 0 and fill_first:
            first_x, last_x = coord(_x(frame, 0, len(days))), coord(_x(frame, len(days) - 1, len(days)))
            parts.append(f'<polygon points="{first_x},{baseline} {" ".join(points)} {last_x},{baseline}" '
                         f'fill="{escape(one.color)}" fill-opacity="0.12" stroke="none"/>')
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{escape(one.color)}" '
                     f'stroke-width="2.5" stroke-linejoin="round"><title>{escape(one.label)}</title></polyline>')
    parts += _x_axis(frame, days)
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(labels: Sequence[str], values: Sequence[Number], notes: Sequence[str], *, title: str,
                    color: str = "#2563eb", width: int = 1040, row_height: int = 34) -> str:
    """One bar per label, longest = largest value; ``notes`` are printed at the end of each bar."""
    label_width, note_width = 120, 220
    height = row_height * len(labels) + 12
    bar_space = Decimal(width - label_width - note_width)
    highest = max((Decimal(v) for v in values), default=Decimal(0))
    parts = _open(Frame(width, height), title)
    for index, (label, value, note) in enumerate(zip(labels, values, notes)):
        y = 6 + index * row_height
        length = bar_space * Decimal(value) / highest if highest > 0 else Decimal(0)
        parts.append(f'<text x="{label_width - 10}" y="{y + row_height // 2}" dy="4" text-anchor="end" '
                     f'fill="{AXIS_COLOR}">{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 6}" width="{coord(max(length, Decimal(0)))}" '
                     f'height="{row_height - 12}" rx="3" fill="{escape(color)}"><title>{escape(label)}: '
                     f'{escape(note)}</title></rect>')
        parts.append(f'<text x="{coord(label_width + length + 8)}" y="{y + row_height // 2}" dy="4" '
                     f'fill="#0f172a">{escape(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)
