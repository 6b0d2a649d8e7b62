"""Column types that behave the same on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, Table
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from gallery import clock


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: the same on both databases (rule 9)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def now_utc() -> datetime:
    """Column default: the shop clock's current UTC time."""
    return clock.utcnow()


def insert_many(session: Session, table: Table, columns: list[str], rows: list[tuple]) -> None:
    """INSERT many rows with one executemany, the values going to the driver without SQLAlchemy's per-row
    processing (generating 100,000 statement lines spent more time there than in the database).

    Values must already be what the column stores: integers, strings, dates, and naive UTC datetimes for
    UTCDateTime columns (written in SQLAlchemy's text form on SQLite).
    """
    if not rows:
        return
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    stamps = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, (UTCDateTime, DateTime))]
    if sqlite and stamps:
        as_text = []
        for row in rows:
            row = list(row)
            for i in stamps:
                if row[i] is not None:
                    row[i] = row[i].isoformat(" ", "microseconds")  # SQLAlchemy's text form on SQLite
            as_text.append(tuple(row))
        rows = as_text
    mark = "?" if sqlite else "%s"
    # Table and column names come from our own models, never from input.
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"  # noqa: S608
    connection.exec_driver_sql(sql, rows)
