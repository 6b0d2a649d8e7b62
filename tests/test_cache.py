"""The cache store: bounded in memory, shared in Redis, and still answering from memory while Redis is down."""
import socket

from gallery.cache import EXTENSION, MemoryStore, RedisStore


def test_the_memory_store_keeps_within_its_size_dropping_the_least_recently_used():
    store = MemoryStore(max_bytes=10)
    store.set("a", b"1234", ttl=60)
    store.set("b", b"5678", ttl=60)
    assert store.get("a") == b"1234"  # "a" is now the most recently used
    store.set("c", b"90ab", ttl=60)  # 12 bytes > 10: the least recently used ("b") goes
    assert store.get("b") is None and store.get("a") == b"1234" and store.get("c") == b"90ab"


def test_an_expired_entry_is_not_served():
    store = MemoryStore(max_bytes=100)
    store.set("a", b"x", ttl=-1)
    assert store.get("a") is None


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


def test_with_redis_down_pages_are_still_cached_in_this_process(app, client, make, caplog):
    # Given the cache points at a Redis that does not answer
    replaced = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = down = RedisStore(f"redis://127.0.0.1:{_closed_port()}/0", "gallery-test:",
                                                  MemoryStore(1024 * 1024))
    try:
        product = make.product(name="Keripik Sanjai Uji")
        make.stock(product.variants[0], 5)
        # When pages are asked for, they are served (and kept in memory) without an error
        assert client.get("/products").status_code == 200
        assert "Keripik Sanjai Uji" in client.get("/products").get_data(as_text=True)
        assert down.fallback._entries
        assert "Redis did not answer" in caplog.text
    finally:
        app.extensions[EXTENSION] = replaced
