"""Health check for load balancers and monitoring: each dependency's state, 503 only when the database
is down (Redis only holds rate limits, which fall back to memory), and never slower than
HEALTH_CHECK_TIMEOUT per dependency, even against a database that accepts connections and never answers."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from gallery.extensions import db

bp = Blueprint("health", __name__)

# One background thread per process runs the checks, so a hung check cannot pile up threads: while it
# is still stuck, the next call is answered "down" at once.
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="healthz")
_busy: set[str] = set()
_busy_lock = threading.Lock()


def _database_round_trip(app) -> None:
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                if connection.dialect.name == "postgresql":
                    timeout_ms = int(app.config["HEALTH_CHECK_TIMEOUT"] * 1000)
                    # LOCAL: only this check's transaction, not the pooled connection's later users.
                    connection.execute(text(f"SET LOCAL statement_timeout = {timeout_ms}"))
                connection.execute(text("SELECT 1")).scalar_one()
        finally:
            db.session.remove()


def _redis_ping(app) -> None:
    import redis

    timeout = app.config["HEALTH_CHECK_TIMEOUT"]
    client = redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


def _check(name: str, probe) -> str:
    """'ok' when `probe` finishes in time without raising, else 'down'."""
    app = current_app._get_current_object()
    with _busy_lock:
        if name in _busy:
            return "down"
        _busy.add(name)

    def run():
        try:
            probe(app)
        finally:
            with _busy_lock:
                _busy.discard(name)

    future = _executor.submit(run)
    try:
        future.result(timeout=app.config["HEALTH_CHECK_TIMEOUT"])
    except FutureTimeout:
        app.logger.warning("healthz: %s did not answer within %ss", name, app.config["HEALTH_CHECK_TIMEOUT"])
        return "down"
    except Exception as error:  # noqa: BLE001 - any failure of a dependency means it is down
        app.logger.warning("healthz: %s is down: %s", name, error)
        return "down"
    return "ok"


@bp.route("/healthz")
def healthz():
    """Each dependency's state; 503 only when the database is down."""
    report = {"database": _check("database", _database_round_trip)}
    if current_app.config.get("REDIS_URL"):
        report["redis"] = _check("redis", _redis_ping)
    healthy = report["database"] == "ok"
    return jsonify(status="ok" if healthy else "unavailable", **report), 200 if healthy else 503
