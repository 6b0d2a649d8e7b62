"""The IKM registry's statistics (/statistics): registered IKM by kecamatan, classification, size, sector and
year, how many consign to the gallery, and the gallery's sales by kecamatan and sector.

Gallery sales are gallery.orders.sales's: units paid and handed over, net of refunds, at their price. Every
figure is read in a fixed number of statements whatever the size of the registry.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from gallery.catalog.models import Category, IkmClassification, Producer, Product, SizeClass, Variant
from gallery.extensions import db
from gallery.orders.models import Order, OrderAllocation, OrderLine
from gallery.orders.sales import is_sale, net_quantity
from gallery.payments.models import RefundLine
from gallery.registry.models import SECTORS, RegistryEntry
from gallery.registry.services import SECTOR_LABELS, SIZE_LABELS
from gallery.shipping.models import HOME_REGENCY_CODE, District
from gallery.shipping.regions import display_name
from gallery.spreadsheets import csv_writer



@dataclass(frozen=True)
class StatRow:
    key: str
    label: str
    value: int
    extra: int | None = None  # e.g. the cumulative count of a year


@dataclass
class RegistryStatistics:
    total: int
    consigning: int
    by_kecamatan: list[StatRow]
    by_classification: list[StatRow]
    by_size: list[StatRow]
    by_sector: list[StatRow]
    by_year: list[StatRow]  # value: registered that year; extra: cumulative
    sales_by_kecamatan: list[StatRow]
    sales_by_sector: list[StatRow]

    @property
    def consigning_share_bp(self) -> int:
        """Share of registered IKM that consign, in basis points (half up)."""
        return (self.consigning * 10_000 * 2 + self.total) // (2 * self.total) if self.total else 0

    def table(self, name: str) -> list[StatRow]:
        return getattr(self, TABLES[name])


TABLES = {
    "kecamatan": "by_kecamatan",
    "classification": "by_classification",
    "size": "by_size",
    "sector": "by_sector",
    "year": "by_year",
    "sales-kecamatan": "sales_by_kecamatan",
    "sales-sector": "sales_by_sector",
}


def registry_statistics() -> RegistryStatistics:
    """Every figure of /statistics in ten statements, whatever the size of the registry."""
    districts = db.session.execute(
        select(District.code, District.name).where(District.regency_code == HOME_REGENCY_CODE).order_by(District.code)
    ).all()
    classifications = db.session.execute(
        select(IkmClassification.id, IkmClassification.code, IkmClassification.name)
        .order_by(IkmClassification.position, IkmClassification.id)
    ).all()

    def grouped(column):
        return dict(db.session.execute(select(column, func.count(RegistryEntry.id)).group_by(column)).all())

    per_kecamatan = grouped(RegistryEntry.kecamatan_code)
    per_classification = grouped(RegistryEntry.classification_id)
    per_size = grouped(RegistryEntry.size_class)
    per_sector = grouped(RegistryEntry.sector)
    per_year = grouped(RegistryEntry.year_registered)
    total = sum(per_size.values())
    consigning = db.session.scalar(select(func.count(RegistryEntry.producer_id))) or 0

    # Gallery sales are gallery.orders.sales's: units paid and handed over, net of refunds, at their price.
    refunded = (select(RefundLine.order_line_id.label("line_id"), func.sum(RefundLine.quantity).label("quantity"))
                .group_by(RefundLine.order_line_id).subquery())
    sold = func.sum(net_quantity(func.coalesce(refunded.c.quantity, 0)) * OrderAllocation.unit_price)
    sales = (select().select_from(OrderAllocation).join(OrderLine, OrderLine.id == OrderAllocation.line_id)
             .join(Order, Order.id == OrderLine.order_id).outerjoin(refunded, refunded.c.line_id == OrderLine.id)
             .where(is_sale()))
    sales_kecamatan = dict(db.session.execute(
        sales.add_columns(Producer.kecamatan_code, sold).join(Producer, Producer.id == OrderLine.producer_id)
        .group_by(Producer.kecamatan_code)
    ).all())
    parent = aliased(Category)
    sector_slug = func.coalesce(parent.slug, Category.slug)
    sales_sector = dict(db.session.execute(
        sales.add_columns(sector_slug, sold)
        .join(Variant, Variant.id == OrderLine.variant_id).join(Product, Product.id == Variant.product_id)
        .join(Category, Category.id == Product.category_id).outerjoin(parent, parent.id == Category.parent_id)
        .group_by(sector_slug)
    ).all())

    years = []
    running = 0
    for year in sorted(y for y in per_year if y is not None):
        running += per_year[year]
        years.append(StatRow(str(year), str(year), per_year[year], running))
    if None in per_year:
        years.append(StatRow("", str(_l("Tidak diketahui")), per_year[None], running + per_year[None]))
    known_sectors = list(SECTORS) + sorted(set(sales_sector) - set(SECTORS))
    return RegistryStatistics(
        total=total,
        consigning=consigning,
        by_kecamatan=[StatRow(code, display_name(name), per_kecamatan.get(code, 0)) for code, name in districts],
        by_classification=[StatRow(code, name, per_classification.get(cid, 0)) for cid, code, name in classifications],
        by_size=[StatRow(size, str(SIZE_LABELS[size]), per_size.get(size, 0)) for size in SizeClass.ALL],
        by_sector=[StatRow(sector, str(SECTOR_LABELS[sector]), per_sector.get(sector, 0)) for sector in SECTORS],
        by_year=years,
        sales_by_kecamatan=[StatRow(code, display_name(name), int(sales_kecamatan.get(code) or 0))
                            for code, name in districts],
        sales_by_sector=[StatRow(sector, str(SECTOR_LABELS.get(sector, sector)), int(sales_sector.get(sector) or 0))
                         for sector in known_sectors],
    )


def statistics_csv(stats: RegistryStatistics, table: str) -> str:
    """One table of the statistics as CSV (the caller adds the BOM)."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    rows = stats.table(table)
    if table == "year":
        writer.writerow(("year", "registered", "cumulative"))
        for row in rows:
            writer.writerow((row.key, row.value, row.extra))
    elif table.startswith("sales-"):
        writer.writerow(("key", "name", "sales_idr"))
        for row in rows:
            writer.writerow((row.key, row.label, row.value))
    else:
        writer.writerow(("key", "name", "ikm"))
        for row in rows:
            writer.writerow((row.key, row.label, row.value))
    return out.getvalue()
