"""Periodic commands (cron) run once at a time across every host: each holds a PostgreSQL advisory lock
named after it (on SQLite, a single-host database, a lock file beside it), skips quietly when another
host holds it, and reports how long it took."""
from __future__ import annotations

import fcntl
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path

import click
from sqlalchemy import text

from gallery.extensions import db


def lock_key(name: str) -> int:
    """A stable 32-bit advisory-lock key for a job name (the same on every host and Python)."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


@contextmanager
def single_run(name: str) -> Iterator[bool]:
    """Yield True while holding the job's lock, False when another process holds it."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            key = lock_key(name)
            held = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar_one()
            try:
                yield bool(held)
            finally:
                if held:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
        return
    path = Path(db.engine.url.database or "instance/gallery.sqlite3").with_suffix(f".{name}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def periodic(name: str) -> Callable:
    """Wrap a click command body: run it under the job's lock and print how long it took."""

    def decorator(body: Callable) -> Callable:
        @wraps(body)
        def wrapped(*args, **kwargs):
            started = time.monotonic()
            with single_run(name) as held:
                if not held:
                    click.echo(f"{name}: skipped, already running on another host")
                    return None
                result = body(*args, **kwargs)
            click.echo(f"{name}: done in {time.monotonic() - started:.2f} s")
            return result

        return wrapped

    return decorator
