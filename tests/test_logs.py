"""Logging: one line per request with its request id, user id and duration; errors with their traceback;
the request id in the X-Request-ID header and on the error page."""
import logging

import pytest

from gallery.accounts.models import Role


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def records():
    handler = Records()
    logger = logging.getLogger()
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def test_each_request_is_one_line_with_its_id_user_and_duration(client, make, records):
    staff = make.user(Role.STAFF)
    make.login(client, staff)
    records.clear()
    response = client.get("/staff")
    lines = [r for r in records if r.name == "gallery.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line.getMessage().startswith("GET /staff 200 ")
    assert line.request_id == response.headers["X-Request-ID"]
    assert line.user_id == str(staff.id)
    assert line.duration_ms >= 0


def test_a_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a9c81d0e1"}).headers["X-Request-ID"] \
        == "nginx-4f2a9c81d0e1"
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert replaced != "<script>" and len(replaced) == 32


def test_an_error_is_logged_with_its_traceback_and_the_page_shows_the_request_id(app, records):
    from config import TestingConfig
    from gallery import create_app
    from gallery.extensions import limiter

    class Failing(TestingConfig):
        PROPAGATE_EXCEPTIONS = False

    failing = create_app(Failing)

    @failing.get("/boom-for-test")
    def boom():
        raise RuntimeError("the disk is on fire")

    try:
        response = failing.test_client().get("/boom-for-test")
    finally:
        limiter.init_app(app)  # the limiter follows the last app built; hand it back to the suite's
    request_id = response.headers["X-Request-ID"]
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and request_id in page
    assert "Traceback" not in page and "the disk is on fire" not in page
    errors = [r for r in records if r.levelno >= logging.ERROR]
    assert errors and errors[0].exc_info and errors[0].request_id == request_id


def test_sentry_is_started_only_when_a_dsn_is_set(app, monkeypatch):
    from config import TestingConfig
    from gallery import create_app, logs
    from gallery.extensions import limiter

    started = []
    monkeypatch.setattr(logs, "_init_sentry", lambda dsn, environment: started.append((dsn, environment)))

    class WithSentry(TestingConfig):
        SENTRY_DSN = "https://public@sentry.example/1"

    try:
        create_app(TestingConfig)
        create_app(WithSentry)
    finally:
        limiter.init_app(app)
    assert started == [("https://public@sentry.example/1", "testing")]
