"""The dashboard's bar chart of monthly sales, laid out on the server as plain numbers for an inline SVG."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_date

WIDTH = 360
HEIGHT = 180
TOP = 18  # room for the value above the tallest bar
BOTTOM = 22  # room for the month labels
SLOT = WIDTH / 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    month_label: str  # short month, e.g. "Nov"
    title: str  # e.g. "November 2026: 12 unit, Rp 600.000"
    units: int
    earnings: int
    current: bool


def bars(months, money, units_text) -> list[Bar]:
    """One bar per month, height by earnings; `money` formats Rupiah, `units_text(n)` says "n unit"."""
    plot = HEIGHT - TOP - BOTTOM
    largest = max((m.earnings for m in months), default=0) or 1
    slot = WIDTH / max(len(months), 1)
    result = []
    for index, month in enumerate(months):
        height = round(plot * month.earnings / largest, 1)
        if month.earnings and height < 1:
            height = 1.0
        x = round(index * slot + slot * 0.15, 1)
        result.append(Bar(
            x=x, y=round(TOP + plot - height, 1), width=round(slot * 0.7, 1), height=height,
            label_x=round(index * slot + slot / 2, 1),
            month_label=format_date(month.month, "MMM"),
            title=f"{format_date(month.month, 'MMMM y')}: {units_text(month.units)}, {money(month.earnings)}",
            units=month.units, earnings=month.earnings, current=index == len(months) - 1,
        ))
    return result


# ---------------------------------------------------------------------------------------------
# A general horizontal bar chart (one row per item), used by the registry statistics.

ROW_HEIGHT = 18
LABEL_WIDTH = 150  # room for the names on the left
VALUE_WIDTH = 70  # room for the value right of the bar
ROWS_WIDTH = 480


@dataclass(frozen=True)
class RowBar:
    y: float
    width: float
    text_y: float
    label: str
    value_text: str
    title: str


@dataclass(frozen=True)
class RowChart:
    width: int
    height: int
    label_width: int
    bar_height: float
    bars: list[RowBar]


def row_chart(items, value_text=str) -> RowChart:
    """Lay out `items` ((label, value) pairs) as horizontal bars, longest = largest; `value_text(v)` formats."""
    items = list(items)
    largest = max((value for _, value in items), default=0) or 1
    room = ROWS_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    result = []
    for index, (label, value) in enumerate(items):
        width = round(room * value / largest, 1)
        if value and width < 1:
            width = 1.0
        text = value_text(value)
        result.append(RowBar(
            y=index * ROW_HEIGHT + 2, width=width, text_y=index * ROW_HEIGHT + ROW_HEIGHT * 0.7,
            label=label if len(label) <= 24 else label[:23] + "…", value_text=text, title=f"{label}: {text}",
        ))
    return RowChart(width=ROWS_WIDTH, height=max(len(items), 1) * ROW_HEIGHT + 4, label_width=LABEL_WIDTH,
                    bar_height=ROW_HEIGHT - 4, bars=result)
