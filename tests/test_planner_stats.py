"""The query planner has statistics: after migrations, after bulk loads and imports, and from the nightly job."""
from sqlalchemy import text

from gallery.extensions import db
from gallery.planner_stats import refresh_planner_statistics


def _analysed_tables() -> set[str]:
    if db.engine.dialect.name == "sqlite":
        return set(db.session.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")))
    return set(db.session.scalars(text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")))


def test_migrating_ends_with_analyze(app):
    # The suite's database was migrated by the session fixture; SQLite keeps statistics only of tables that
    # held rows then (alembic_version), PostgreSQL records when each table was analysed.
    expected = "alembic_version" if db.engine.dialect.name == "sqlite" else "products"
    assert expected in _analysed_tables()


def test_refreshing_statistics_sees_a_grown_catalogue(make):
    producer = make.producer()
    for _ in range(3):
        make.product(producer)
    refresh_planner_statistics()
    assert "variants" in _analysed_tables()


def test_the_nightly_command_refreshes_them_under_its_lock(app):
    result = app.test_cli_runner().invoke(args=["catalog", "analyze"])
    assert result.exit_code == 0 and "catalog-analyze: done in" in result.output
