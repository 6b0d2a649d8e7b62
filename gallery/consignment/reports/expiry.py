"""Lots expired or expiring within a window: the expiry report, its page, counts and the soonest ones."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, select

from gallery import clock
from gallery.catalog.models import Producer, Product
from gallery.consignment.models import Lot
from gallery.extensions import db
from gallery.pagination import PageNumbers, clamp_page, offset_of
from gallery.consignment.reports.lots import LotRow, Totals, lot_rows
from gallery.consignment.reports.common import (
    DEFAULT_EXPIRY_DAYS,
    expired_condition,
    payout_value,
)


@dataclass(frozen=True)
class ExpiryReport:
    days: int
    until: date
    expiring: list[LotRow]  # still sellable, expiring within `days`
    expired: list[LotRow]  # past their date but still on the shelf: return or write off


def _expiry_conditions(days: int, today: date) -> tuple:
    return Lot.expires_on.is_not(None), Lot.expires_on <= today + timedelta(days=days)


_EXPIRY_ORDER = (Lot.expires_on, Producer.business_name, Product.name, Lot.id)


def expiry_report(days: int = DEFAULT_EXPIRY_DAYS, today: date | None = None) -> ExpiryReport:
    """Lots on hand that expire within `days` days, and lots already expired (one statement)."""
    today = today or clock.today_wib()
    rows = lot_rows(*_expiry_conditions(days, today), order_by=_EXPIRY_ORDER, today=today)
    return ExpiryReport(days, today + timedelta(days=days), [r for r in rows if not r.expired],
                        [r for r in rows if r.expired])


@dataclass
class ExpiryPage(PageNumbers):
    """A page of the expiry report (expired lots come first: they expire earliest), with totals over all."""

    report: ExpiryReport
    total: int
    page: int
    per_page: int
    expired_totals: Totals
    expiring_totals: Totals


def expiry_report_page(days: int = DEFAULT_EXPIRY_DAYS, page: int = 1, per_page: int = 100,
                       today: date | None = None) -> ExpiryPage:
    """`expiry_report` a page at a time: two statements whatever the number of lots."""
    today = today or clock.today_wib()
    conditions = _expiry_conditions(days, today)
    expired = expired_condition(today)
    figures = db.session.execute(
        select(
            func.count(Lot.id).filter(expired), func.coalesce(func.sum(Lot.on_hand).filter(expired), 0),
            func.coalesce(func.sum(payout_value(Lot.on_hand)).filter(expired), 0),
            func.count(Lot.id).filter(~expired), func.coalesce(func.sum(Lot.on_hand).filter(~expired), 0),
            func.coalesce(func.sum(payout_value(Lot.on_hand)).filter(~expired), 0),
        ).where(Lot.on_hand > 0, *conditions)
    ).one()
    expired_totals, expiring_totals = Totals(*map(int, figures[:3])), Totals(*map(int, figures[3:]))
    total = expired_totals.lots + expiring_totals.lots
    page = clamp_page(page, total, per_page)
    rows = lot_rows(*conditions, order_by=_EXPIRY_ORDER, today=today, limit=per_page,
                     offset=offset_of(page, per_page))
    report = ExpiryReport(days, today + timedelta(days=days), [r for r in rows if not r.expired],
                          [r for r in rows if r.expired])
    return ExpiryPage(report, total, page, per_page, expired_totals, expiring_totals)


@dataclass(frozen=True)
class ExpiryOverview:
    expiring_count: int
    expired_count: int
    expiring_units: int
    soonest: list[LotRow]


def expiry_counts(days: int = DEFAULT_EXPIRY_DAYS, today: date | None = None) -> tuple[int, int, int]:
    """How many lots expire within `days`, how many are already expired, and the units expiring. One statement."""
    today = today or clock.today_wib()
    until = today + timedelta(days=days)
    expiring = and_(Lot.expires_on > today, Lot.expires_on <= until)
    expiring_count, expired_count, expiring_units = db.session.execute(
        select(
            func.count(Lot.id).filter(expiring),
            func.count(Lot.id).filter(expired_condition(today)),
            func.coalesce(func.sum(Lot.on_hand).filter(expiring), 0),
        ).where(Lot.on_hand > 0, Lot.expires_on.is_not(None))
    ).one()
    return int(expiring_count or 0), int(expired_count or 0), int(expiring_units or 0)


def soonest_expiring(days: int = DEFAULT_EXPIRY_DAYS, limit: int = 5, today: date | None = None,
                     among: list[int] | None = None) -> list[LotRow]:
    """The first `limit` lots to expire within `days` (only `among` these lot ids, when given: a few rows
    read by their keys instead of a search of every lot). One statement, none for an empty `among`."""
    today = today or clock.today_wib()
    conditions = [Lot.expires_on > today, Lot.expires_on <= today + timedelta(days=days)]
    if among is not None:
        if not among:
            return []
        conditions.append(Lot.id.in_(among))
    return lot_rows(*conditions, order_by=(Lot.expires_on, Producer.business_name, Lot.id), today=today,
                     limit=limit)
