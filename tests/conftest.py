"""Test fixtures: one migrated database per run (SQLite, or PostgreSQL via TEST_DATABASE_URL).

The schema comes from the migrations, exactly as in production. Reference data (regions,
categories, IKM classifications) is loaded once; every other table is emptied after each test,
so tests may commit freely and threads may use their own connections.

Tests that need real concurrency carry `@pytest.mark.requires_postgres`: on SQLite they are skipped
with a reason, and with REQUIRE_POSTGRES=1 (as in CI) every such skip is a failure instead, as is a
run without TEST_DATABASE_URL, so CI cannot pass while they did not run.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import text

from config import TestingConfig
from gallery import clock, create_app
from gallery.extensions import db, limiter
from gallery.i18n import compile_catalogs

REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES", "").strip() not in ("", "0")
REFERENCE_TABLES = {"provinces", "regencies", "districts", "categories", "ikm_classifications", "alembic_version"}


class IsolatedClient(FlaskClient):
    """A test client whose requests never share the test's own app context (nor its session or g)."""

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


def _reset_database(app) -> None:
    """Start from an empty database: drop the file (SQLite) or the public schema (PostgreSQL)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        if url.startswith("sqlite:///"):
            db.engine.dispose()
            Path(url[len("sqlite:///"):]).unlink(missing_ok=True)
        else:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            db.engine.dispose()


def _relax_durability(app) -> None:
    """A throwaway test database need not wait for the disk at every commit (PostgreSQL only).

    Commits stay atomic and isolated, so concurrency tests test the same thing; only a server crash could
    lose the last transactions, which a test database does not care about.
    """
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                name = connection.execute(text("SELECT current_database()")).scalar()
                connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
            db.engine.dispose()


def _data_tables() -> list[str]:
    """Tables emptied after each test, children before parents."""
    return [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    compile_catalogs()
    TestingConfig.UPLOAD_FOLDER = str(tmp_path_factory.mktemp("uploads"))
    if not os.environ.get("TEST_DATABASE_URL"):
        TestingConfig.SQLALCHEMY_DATABASE_URI = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    application = create_app(TestingConfig)
    application.test_client_class = IsolatedClient
    _reset_database(application)
    _relax_durability(application)
    with application.app_context():
        from flask_migrate import upgrade

        from gallery.catalog.reference import seed_reference_data
        from gallery.shipping.regions import load_regions

        upgrade()
        load_regions()
        seed_reference_data()
        db.session.commit()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def ctx(app):
    """Each test runs inside its own app context and leaves the database empty behind it."""
    with app.app_context():
        yield
        db.session.remove()
        clock.freeze(None)
        limiter.reset()
        empty_database()


def empty_database() -> None:
    """Delete every row but the reference data (regions, categories, classifications).

    Only the tables a test wrote to are emptied, children before parents, and every id sequence starts
    again at 1, as after `TRUNCATE … RESTART IDENTITY` of all tables but at a fraction of its cost (that
    TRUNCATE alone took ~130 ms per test on PostgreSQL, most of a short test's time).
    """
    db.session.remove()
    tables = _data_tables()
    with db.engine.begin() as connection:
        probe = " UNION ALL ".join(f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {table})" for table in tables)
        written = {row[0] for row in connection.execute(text(probe))}
        for table in tables:  # children first
            if table in written:
                connection.execute(text(f"DELETE FROM {table}"))
        if connection.dialect.name == "postgresql":
            connection.execute(text(_restart_sequences_sql(connection, tables)))


_RESTART_SEQUENCES: list[str] = []


def _restart_sequences_sql(connection, tables: list[str]) -> str:
    """One statement that sets every data table's id sequence back to 1 (looked up once per run)."""
    if not _RESTART_SEQUENCES:
        with_id = [t for t in tables if "id" in db.metadata.tables[t].c]
        lookup = " UNION ALL ".join(f"SELECT pg_get_serial_sequence('{t}', 'id')" for t in with_id)
        sequences = [row[0] for row in connection.execute(text(lookup)) if row[0]]
        _RESTART_SEQUENCES.append(
            "SELECT " + ", ".join(f"setval('{sequence}', 1, false)" for sequence in sequences) if sequences
            else "SELECT 1")
    return _RESTART_SEQUENCES[0]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def database_name(app) -> str:
    """'sqlite' or 'postgresql': what this run tests against."""
    return db.engine.dialect.name


def pytest_configure(config):
    config.addinivalue_line("markers", "requires_postgres: needs PostgreSQL (real concurrency); "
                                       "skipped on SQLite, a failure there when REQUIRE_POSTGRES=1")


def pytest_sessionstart(session):
    if REQUIRE_POSTGRES and not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        raise pytest.UsageError("REQUIRE_POSTGRES=1 needs TEST_DATABASE_URL=postgresql://…: "
                                "the PostgreSQL-only tests would be skipped")


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """Skip (or, with REQUIRE_POSTGRES=1, fail) a `requires_postgres` test when the database is not PostgreSQL."""
    marker = request.node.get_closest_marker("requires_postgres")
    if marker is None or os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        return
    reason = marker.kwargs.get("reason", "needs PostgreSQL for real concurrency (SQLite serialises writers)")
    reason += "; set TEST_DATABASE_URL"
    if REQUIRE_POSTGRES:
        pytest.fail(f"REQUIRE_POSTGRES=1 but this test would be skipped: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_report_header(config):
    url = os.environ.get("TEST_DATABASE_URL")
    return f"database: {'PostgreSQL (' + url.rsplit('/', 1)[-1] + ')' if url else 'SQLite (a temporary file)'}"


from tests.factories import *  # noqa: E402,F401,F403  (factory fixtures)
