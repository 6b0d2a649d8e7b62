"""Sequential document numbers (TT-2026-00001, RT-2026-00001, …), unique even when two staff save at once."""
from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from gallery.extensions import db


class DocumentSequence(db.Model):
    """The last number handed out per series (a prefix and a period such as a year)."""

    __tablename__ = "document_sequences"

    series: Mapped[str] = mapped_column(String(24), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


def next_value(series: str, count: int = 1) -> int:
    """Take the next number (or the last of the next `count` numbers) of `series` in the caller's transaction.

    One atomic upsert: PostgreSQL locks the row until the caller commits, so a second
    transaction waits and gets the next number; SQLite serialises writers. A rolled-back
    transaction gives its number back, so numbers have no gaps.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = DocumentSequence.__table__
    statement = (
        insert(table)
        .values(series=series, last_value=count)
        .on_conflict_do_update(index_elements=[table.c.series], set_={"last_value": table.c.last_value + count})
        .returning(table.c.last_value)
    )
    return int(db.session.execute(statement).scalar_one())


def next_document_number(prefix: str, year: int, width: int = 5) -> str:
    """`PREFIX-YEAR-NNNNN`, sequential per prefix and year."""
    return f"{prefix}-{year}-{next_value(f'{prefix}-{year}'):0{width}d}"
