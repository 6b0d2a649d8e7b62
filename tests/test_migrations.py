"""The schema comes only from migrations: upgrading an empty database gives exactly the models, it goes
down to nothing and up again, and a pg_dump of the demo shop restores into an empty database (the
restore drill of the README) at the head revision with every row."""
from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import make_url

from config import TestingConfig, database_engine_options
from gallery import create_app
from gallery.extensions import db, limiter


class ScratchDatabases:
    """Empty databases of the suite's kind (SQLite files, or PostgreSQL databases on the same server)."""

    def __init__(self, base_url: str, tmp_path):
        self.base = make_url(base_url)
        self.tmp_path = tmp_path
        self.created: list[str] = []

    @property
    def postgresql(self) -> bool:
        return self.base.get_backend_name() == "postgresql"

    def _admin(self):
        return create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def new(self) -> str:
        if not self.postgresql:
            return f"sqlite:///{self.tmp_path / (uuid.uuid4().hex + '.sqlite3')}"
        name = f"{self.base.database}_scratch_{uuid.uuid4().hex[:8]}"
        engine = self._admin()
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        self.created.append(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        engine = self._admin()
        with engine.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture
def scratch(app, tmp_path):
    databases = ScratchDatabases(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    yield databases
    databases.drop_all()
    limiter.init_app(app)  # the limiter follows the last app built; hand it back to the suite's


def app_on(url: str):
    class Scratch(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ENGINE_OPTIONS = database_engine_options(url, connect_timeout=5, statement_timeout_ms=60_000)

    return create_app(Scratch)


def head_revision(application) -> str:
    return ScriptDirectory.from_config(application.extensions["migrate"].migrate.get_config()).get_current_head()


def current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_migrations_from_empty_equal_the_models_and_go_down_to_nothing_and_up_again(scratch):
    application = app_on(scratch.new())
    with application.app_context():
        upgrade()
        check()  # raises when the models and the migrated schema differ
        assert current_revision() == head_revision(application)
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        check()
        db.engine.dispose()


def row_counts() -> dict[str, int]:
    names = [t.name for t in db.metadata.sorted_tables]
    return {name: db.session.scalar(select(func.count()).select_from(table(name))) for name in names}


@pytest.fixture
def small_demo_pictures(monkeypatch):
    import gallery.devtools.demo

    real = gallery.devtools.demo.demo_picture
    monkeypatch.setattr(gallery.devtools.demo, "demo_picture", lambda title, sector, seed: real(title, sector, seed, size=240))


@pytest.mark.requires_postgres(reason="the restore drill uses pg_dump and pg_restore")
def test_a_dump_of_the_demo_restores_into_an_empty_database(scratch, small_demo_pictures):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump and pg_restore are needed for the restore drill (apt-get install postgresql-client)")
    # Given the demo shop in a database, dumped as the README's nightly job does
    source_url, target_url = scratch.new(), scratch.new()
    source = app_on(source_url)
    with source.app_context():
        upgrade()
        from gallery.devtools.demo import load_demo

        load_demo()
        db.session.commit()
        before = row_counts()
        db.session.remove()
        db.engine.dispose()
    dump = scratch.tmp_path / "gallery.dump"
    environment = dict(os.environ, PGCONNECT_TIMEOUT="10")
    libpq = lambda url: make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)  # noqa: E731
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", libpq(source_url)], check=True, env=environment)
    # When it is restored into an empty database
    subprocess.run(["pg_restore", "--no-owner", f"--dbname={libpq(target_url)}", str(dump)], check=True,
                   env=environment)
    # Then the restored shop is at the head migration, its schema equals the models, and every row is there
    target = app_on(target_url)
    with target.app_context():
        assert current_revision() == head_revision(target)
        check()
        assert row_counts() == before
        assert before["products"] > 0 and before["orders"] > 0 and before["users"] > 0
        db.session.remove()
        db.engine.dispose()
