"""Serving a fake of an outside API (a WSGI callable with a `url` attribute) on 127.0.0.1 for a test session."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def serving(fake) -> Iterator:
    """Run `fake` on a free loopback port in a thread, set `fake.url`, and stop it afterwards."""
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield fake
    finally:
        server.shutdown()
