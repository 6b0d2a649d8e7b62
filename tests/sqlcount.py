"""Counting the SQL statements a block of code runs."""
from contextlib import contextmanager

from sqlalchemy import event

from gallery.extensions import db


@contextmanager
def count_statements():
    """Yield a list that collects every statement the engine runs inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
