"""Fresh table statistics for the database's query planner, where migrations and imports finish and nightly.

SQLite never gathers statistics by itself: without them its planner chose the published-products index and
scanned the whole catalogue for one producer's page (75 ms at 50,000 products; 0.3 ms after ANALYZE).
PostgreSQL's autovacuum gathers them, but only some time after a bulk load.
"""
from __future__ import annotations

from sqlalchemy.engine import Connection

from gallery.extensions import db

# Rows SQLite samples per index (0 = all): enough for the planner, seconds less on a large catalogue.
SQLITE_ANALYSIS_LIMIT = 2000


def refresh_planner_statistics(connection: Connection | None = None) -> None:
    """Run ANALYZE on the shop's database (in the caller's transaction when a connection is given)."""
    if connection is None:
        with db.engine.begin() as own:
            refresh_planner_statistics(own)
        return
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("PRAGMA optimize")
    else:
        connection.exec_driver_sql("ANALYZE")
