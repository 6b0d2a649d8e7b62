"""Counts SQL statements per request, reported in the X-SQL-Statements header (benchmarks only)."""
from flask import Flask, g
from sqlalchemy import event

from gallery.extensions import db


def install_statement_counter(app: Flask) -> None:
    """Count every statement the app's engine runs during a request."""
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        try:
            g.sql_statements = g.get("sql_statements", 0) + 1
        except RuntimeError:  # outside a request or app context
            pass

    @app.after_request
    def _report(response):
        response.headers["X-SQL-Statements"] = str(g.get("sql_statements", 0))
        return response
