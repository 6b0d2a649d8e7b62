"""Shared caches of rendered pages and costly figures: in Redis when CACHE_REDIS_URL (by default REDIS_URL) is
set, shared by every worker and host; in this process's memory otherwise, and while Redis does not answer.

Nothing here decides freshness. Every key carries what its value was built from: the catalogue version
(gallery.catalogue_version, changed in the same transaction as any write a page shows) and today's date in
WIB (lots expire and certificates lapse at midnight without a write), so an entry is never read after its
data changed; `versioned_key` builds such keys. Entries also lapse after CACHE_TTL_SECONDS so an idle Redis
empties itself, and the memory store keeps at most CACHE_MEMORY_MB, the least recently used going first.
"""
from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from gallery import clock
from gallery.catalogue_version import current_version

EXTENSION = "gallery_cache"


class MemoryStore:
    """A bounded least-recently-used store of bytes, safe across threads (one per process)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, value = entry
            if expires < time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, ttl: int) -> None:
        if len(value) > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (time.monotonic() + ttl, value)
            self._size += len(value)
            while self._size > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        _, value = self._entries.pop(key)
        self._size -= len(value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


class RedisStore:
    """Entries under `prefix` in Redis; while Redis fails, the memory store answers for RETRY_SECONDS."""

    RETRY_SECONDS = 5.0

    def __init__(self, url: str, prefix: str, fallback: MemoryStore):
        import redis

        self.prefix = prefix
        self.fallback = fallback
        self.client = redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
        self._errors = (redis.RedisError, OSError)
        self._down_until = 0.0

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, error: Exception) -> None:
        self._down_until = time.monotonic() + self.RETRY_SECONDS
        current_app.logger.warning("cache: Redis did not answer (%s); using this process's memory", error)

    def get(self, key: str) -> bytes | None:
        if self._available():
            try:
                return self.client.get(self.prefix + key)
            except self._errors as error:
                self._failed(error)
        return self.fallback.get(key)

    def set(self, key: str, value: bytes, ttl: int) -> None:
        if self._available():
            try:
                self.client.set(self.prefix + key, value, ex=ttl)
                return
            except self._errors as error:
                self._failed(error)
        self.fallback.set(key, value, ttl)

    def clear(self) -> None:
        """Delete this shop's entries only (other keys in the same Redis database are left alone)."""
        self.fallback.clear()
        keys = list(self.client.scan_iter(match=self.prefix + "*", count=1000))
        for start in range(0, len(keys), 1000):
            self.client.delete(*keys[start:start + 1000])


def make_store(app: Flask) -> MemoryStore | RedisStore:
    """The store the configuration asks for."""
    memory = MemoryStore(app.config["CACHE_MEMORY_MB"] * 1024 * 1024)
    url = app.config.get("CACHE_REDIS_URL")
    return RedisStore(url, app.config["CACHE_KEY_PREFIX"], memory) if url else memory


def store() -> MemoryStore | RedisStore:
    """This application's store."""
    return current_app.extensions[EXTENSION]


def versioned_key(kind: str, version, *parts: str) -> str:
    """A key for `kind` built from the version it depends on (a CatalogueVersion or one of its tokens),
    today's WIB date and the given parts."""
    token = getattr(version, "key", version)
    detail = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{kind}:{token}:{clock.today_wib().isoformat()}:{detail}"


def memoize(kind: str, depends_on: str, parts: tuple, compute: Callable[[], object]):
    """The JSON value of `compute()` cached under the catalogue version (`depends_on` is "products" for
    figures that stock does not change, else "all"), computed again when the version or the day changed.

    Without a version yet (an empty shop) or with caching off, it is simply computed.
    """
    version = current_version() if current_app.config["CACHE_ENABLED"] else None
    if version is None:
        return compute()
    key = versioned_key(kind, version.products if depends_on == "products" else version, *map(str, parts))
    cached = store().get(key)
    if cached is not None:
        return json.loads(cached)
    value = compute()
    store().set(key, json.dumps(value).encode(), current_app.config["CACHE_TTL_SECONDS"])
    return value


def init_app(app: Flask) -> None:
    """Create the application's store."""
    app.extensions[EXTENSION] = make_store(app)


@click.group("cache")
def cache_commands():
    """The page and figure caches."""


@cache_commands.command("clear")
@with_appcontext
def clear_command():
    """Delete every cached page and figure of this shop (never needed for freshness; frees memory at once)."""
    store().clear()
    click.echo("cache: cleared")
