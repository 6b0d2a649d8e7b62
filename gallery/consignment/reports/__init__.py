"""Read-only stock reports for the back office, one module per report family:

* `stock` — stock by producer; `lots` — a producer's lots and their totals; `expiry` — expired and
  expiring lots; `variants` — low stock and slow movers; `dashboard` — the day's receipts and sellable
  stock; `stocktakes` — stock-take lists and sheets; `common` — what they share.

Nothing here writes. Every function runs a fixed number of SQL statements whatever the number of
rows (stated in its docstring), selects plain columns rather than entities, and returns frozen
dataclass rows the views and the CSV export share. Rupiah values are summed as BIGINT so a large
lot (100,000 units × a songket's price) cannot overflow PostgreSQL's INTEGER.

The package re-exports each family's public names, so `reports.producer_lots` reads as before.
"""
from __future__ import annotations

from gallery.consignment.reports.common import (
    DEFAULT_EXPIRY_DAYS,
    DEFAULT_SLOW_DAYS,
    MAX_DAYS,
)
from gallery.consignment.reports.dashboard import (
    ReceiptRow,
    receipts_on,
    sellable_units_and_value,
)
from gallery.consignment.reports.expiry import (
    ExpiryOverview,
    ExpiryPage,
    ExpiryReport,
    expiry_counts,
    expiry_report,
    expiry_report_page,
    soonest_expiring,
)
from gallery.consignment.reports.lots import (
    LotRow,
    Totals,
    lot_totals,
    producer_lots,
)
from gallery.consignment.reports.stock import (
    ProducerStockPage,
    ProducerStockRow,
    producer_stock_page,
    producer_stock_summary,
)
from gallery.consignment.reports.stocktakes import (
    SheetLine,
    SheetSummary,
    StockTakePage,
    StockTakeRow,
    get_stocktake,
    shelves_with_stock,
    stocktake_page,
    stocktake_sheet,
    summarize,
)
from gallery.consignment.reports.variants import (
    LowStockRow,
    SlowMoverRow,
    low_stock,
    low_stock_count,
    low_stock_page,
    slow_movers,
    slow_movers_page,
)

__all__ = [
    "DEFAULT_EXPIRY_DAYS",
    "DEFAULT_SLOW_DAYS",
    "ExpiryOverview",
    "ExpiryPage",
    "ExpiryReport",
    "LotRow",
    "LowStockRow",
    "MAX_DAYS",
    "ProducerStockPage",
    "ProducerStockRow",
    "ReceiptRow",
    "SheetLine",
    "SheetSummary",
    "SlowMoverRow",
    "StockTakePage",
    "StockTakeRow",
    "Totals",
    "expiry_counts",
    "expiry_report",
    "expiry_report_page",
    "get_stocktake",
    "lot_totals",
    "low_stock",
    "low_stock_count",
    "low_stock_page",
    "producer_lots",
    "producer_stock_page",
    "producer_stock_summary",
    "receipts_on",
    "sellable_units_and_value",
    "shelves_with_stock",
    "slow_movers",
    "slow_movers_page",
    "soonest_expiring",
    "stocktake_page",
    "stocktake_sheet",
    "summarize",
]
