"""What every stock report shares: the default windows, a lot's payout value as BIGINT, expiry and the
WIB calendar day."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import BigInteger, and_, cast

from gallery import clock
from gallery.consignment.models import Lot



DEFAULT_EXPIRY_DAYS = 14
DEFAULT_SLOW_DAYS = 60
MAX_DAYS = 365


def payout_value(quantity_column, payout_column=Lot.unit_payout):
    """quantity × payout as BIGINT (INTEGER × INTEGER overflows above Rp 2.1 billion on PostgreSQL)."""
    return cast(quantity_column, BigInteger) * payout_column


def expired_condition(today: date):
    """A lot past its "baik digunakan sebelum" date: it may not be sold from that day on."""
    return and_(Lot.expires_on.is_not(None), Lot.expires_on <= today)


def received_on(moment: datetime) -> date:
    """The WIB calendar day of a stored UTC time."""
    return clock.to_wib(moment).date()


def wib_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where a WIB calendar day starts and the next one starts."""
    start = datetime.combine(day, time(0), tzinfo=clock.WIB)
    return start.astimezone(timezone.utc), (start + timedelta(days=1)).astimezone(timezone.utc)
