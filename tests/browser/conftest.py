"""Browser tests: Debian's Chromium driven by Playwright (pytest-playwright's session-wide browser) against
the app served on a loopback port, at 360 × 800, with axe-core checking every page visited.

Skipped with a reason when Chromium is missing; with REQUIRE_BROWSER=1 (as in CI) a missing browser fails
the run instead. The journeys of one module share one world, built once and emptied afterwards.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from gallery import clock
from gallery.extensions import db, limiter
from tests.conftest import empty_database

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 360, "height": 800}


def browser_required() -> bool:
    """REQUIRE_BROWSER=1 turns a missing Chromium from a skip into a failure."""
    return os.environ.get("REQUIRE_BROWSER", "") not in ("", "0")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium (Playwright's own browser download is not used)."""
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if browser_required():
            pytest.fail(message + "; REQUIRE_BROWSER=1 needs it")
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": ["--no-sandbox"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A phone: 360 × 800, Indonesian."""
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "id-ID", "timezone_id": "Asia/Jakarta"}


@pytest.fixture(scope="session")
def live_server(app):
    """The app served by werkzeug on a free loopback port, in a thread, for the whole session."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(autouse=True)
def ctx(app):
    """Replaces the suite's per-test emptying: a module's journeys continue one story (see `story_scope`)."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture(scope="module")
def story_scope(app):
    """An app context for a module's shared world; the database is emptied when the module ends."""
    with app.app_context():
        yield
        db.session.remove()
        clock.freeze(None)
        limiter.reset()
        empty_database()
