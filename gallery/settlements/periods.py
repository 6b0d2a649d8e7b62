"""A settlement period: WIB dates [start, end), usually a calendar month, and what counts as settled in it.

A sale is gallery.orders.sales's: paid and handed over (a delivery when shipped, a pick-up or counter sale
when collected), dated that moment in WIB. Statements, reconciliation and the portal's reads all date sales
through `Period.utc_bounds` so a sale falls in exactly one month.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import lazy_gettext as _l

from gallery import clock
from gallery.errors import DomainError
from gallery.orders.sales import is_sale, sold_at_column

__all__ = ["Period", "counts_for_settlement", "sold_at_column"]


@dataclass(frozen=True)
class Period:
    """WIB dates [start, end)."""

    start: date
    end: date

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1)
        return cls(start, end)

    @classmethod
    def parse(cls, text: str | None) -> "Period":
        """`YYYY-MM`; anything else raises DomainError."""
        try:
            year, month = (int(part) for part in (text or "").strip().split("-"))
            if not 2000 <= year <= 2100:
                raise ValueError
            return cls.month(year, month)
        except ValueError:
            raise DomainError(_l("Periode harus berbentuk TTTT-BB, misalnya 2026-11."), field="period") from None

    @classmethod
    def previous_month(cls, today: date | None = None) -> "Period":
        today = today or clock.today_wib()
        first = today.replace(day=1) - timedelta(days=1)
        return cls.month(first.year, first.month)

    @property
    def key(self) -> str:
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def is_month(self) -> bool:
        return self.start.day == 1 and self == Period.month(self.start.year, self.start.month)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        return _wib_midnight(self.start), _wib_midnight(self.end)


def _wib_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.WIB).astimezone(timezone.utc)


def counts_for_settlement():
    """A sale (gallery.orders.sales): paid and handed over; refunds are subtracted per unit (payouts)."""
    return is_sale()
