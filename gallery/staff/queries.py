"""Figures for the staff dashboard, read in a fixed number of statements.

Stock figures come from gallery.consignment.reports (the consignment domain's read models);
the catalogue counts are read here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from gallery import clock
from gallery.cache import memoize
from gallery.catalog.certificates import WARNING_DAYS, CertificateAlert, certificate_alerts
from gallery.catalog.models import Producer, Product, Variant
from gallery.consignment import reports
from gallery.consignment.models import Lot
from gallery.consignment.sellable import sellable_lot_condition
from gallery.extensions import db

EXPIRY_DAYS = reports.DEFAULT_EXPIRY_DAYS
SOONEST_SHOWN = 5


@dataclass(frozen=True)
class DashboardFigures:
    active_producers: int
    published_products: int
    draft_products: int
    units_on_hand: int  # sellable: on hand in lots that have not expired
    payout_value_on_hand: int  # those units at their lots' harga titip
    sold_out_variants: int
    low_stock_variants: int
    receipts_today: list[reports.ReceiptRow]
    expiry: reports.ExpiryOverview
    expiry_days: int
    today: date
    certificates_due: list[CertificateAlert] = field(default_factory=list)  # lapsed or lapsing soon
    certificates_due_count: int = 0
    certificate_days: int = WARNING_DAYS

    @property
    def units_received_today(self) -> int:
        return sum(receipt.units for receipt in self.receipts_today)


def _catalogue_and_stock_counts(today: date) -> dict[str, int]:
    """The dashboard's figures that add up or search whole tables (seven statements), for `memoize`."""
    producers = db.session.scalar(select(func.count(Producer.id)).where(Producer.is_active.is_(True))) or 0
    published, drafts = db.session.execute(
        select(
            func.count(Product.id).filter(Product.published.is_(True)),
            func.count(Product.id).filter(Product.published.is_(False)),
        )
    ).one()
    units, value = reports.sellable_units_and_value(today)
    stocked = select(Lot.variant_id).where(sellable_lot_condition(today))
    sold_out = db.session.scalar(
        select(func.count(Variant.id))
        .join(Product, Product.id == Variant.product_id)
        .where(Variant.is_active.is_(True), Product.published.is_(True), Variant.id.not_in(stocked))
    ) or 0
    expiring, expired, expiring_units = reports.expiry_counts(EXPIRY_DAYS, today)
    return {
        "active_producers": producers, "published_products": published or 0, "draft_products": drafts or 0,
        "units_on_hand": units, "payout_value_on_hand": value, "sold_out_variants": sold_out,
        "low_stock_variants": reports.low_stock_count(today), "expiring": expiring, "expired": expired,
        "expiring_units": expiring_units,
        "soonest_lot_ids": [lot.lot_id for lot in reports.soonest_expiring(EXPIRY_DAYS, SOONEST_SHOWN, today)],
    }


def dashboard_figures() -> DashboardFigures:
    """Catalogue counts, stock on the shelf, today's receipts, expiring lots, low stock and certificates
    that lapse within 30 days.

    The whole-table counts and which lots expire first are kept under the catalogue version and the day
    (gallery.cache): any change of products, producers or lots, or midnight WIB, reads them again. Five
    statements when they are kept (the soonest lots read by their keys), thirteen when they are read,
    whatever the size of the shop.
    """
    today = clock.today_wib()
    counts = memoize("staff-dashboard", "all", (), lambda: _catalogue_and_stock_counts(today))
    certificates_due, certificates_due_count = certificate_alerts(today)
    expiry = reports.ExpiryOverview(counts["expiring"], counts["expired"], counts["expiring_units"],
                                    reports.soonest_expiring(EXPIRY_DAYS, SOONEST_SHOWN, today,
                                                             among=counts["soonest_lot_ids"]))
    return DashboardFigures(
        active_producers=counts["active_producers"],
        published_products=counts["published_products"],
        draft_products=counts["draft_products"],
        units_on_hand=counts["units_on_hand"],
        payout_value_on_hand=counts["payout_value_on_hand"],
        sold_out_variants=counts["sold_out_variants"],
        low_stock_variants=counts["low_stock_variants"],
        receipts_today=reports.receipts_on(today),
        expiry=expiry,
        expiry_days=EXPIRY_DAYS,
        today=today,
        certificates_due=certificates_due,
        certificates_due_count=certificates_due_count,
    )
