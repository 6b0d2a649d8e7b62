"""The shop's clock: UTC for storage, WIB (Asia/Jakarta) for people."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")

# Tests move the clock by setting this; nothing else should.
_frozen: datetime | None = None


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc)


def today_wib() -> date:
    """Return today's date in the gallery's time zone (expiry dates are local dates)."""
    return utcnow().astimezone(WIB).date()


def to_wib(moment: datetime | None) -> datetime | None:
    """Convert a stored UTC datetime to WIB for display."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(WIB)


def freeze(moment: datetime | None) -> None:
    """Fix the clock at `moment` (aware) or release it with None; for tests and simulations."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = moment.astimezone(timezone.utc) if moment else None
