"""Logging, configured once per process: one line per request with its request id, user id and
duration; errors with their tracebacks; the request id in the X-Request-ID header and on error pages;
optional error reporting to Sentry when SENTRY_DSN is set."""
from __future__ import annotations

import logging
import logging.config
import re
import time
import uuid

from flask import Flask, g, has_request_context, request

request_log = logging.getLogger("gallery.request")
# A request id handed in by the proxy (nginx's $request_id) is kept when it looks like one.
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_configured = False


class RequestContextFilter(logging.Filter):
    """Give every record the current request id and user id ('-' outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        if not hasattr(record, "user_id"):
            record.user_id = _user_id() if has_request_context() else "-"
        return True


def _user_id() -> str:
    # Only a user already loaded by the request counts: logging must not query the database.
    user = g.get("_login_user")
    return str(user.id) if user is not None and getattr(user, "is_authenticated", False) else "-"


def configure_logging(level: str = "INFO") -> None:
    """Send every log record to stderr in one format, the first time only (gunicorn re-imports nothing)."""
    global _configured
    if _configured:
        return
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestContextFilter}},
        "formatters": {
            "line": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s user=%(user_id)s] %(message)s"},
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["request"]},
        },
        "root": {"level": level, "handlers": ["stderr"]},
        # gunicorn's and werkzeug's own access logs would repeat our request line.
        "loggers": {"werkzeug": {"level": "WARNING"}},
    })
    _configured = True


def current_request_id() -> str:
    """The id of the request being served (for error pages and the response header)."""
    return g.get("request_id", "-") if has_request_context() else "-"


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response):
    response.headers["X-Request-ID"] = current_request_id()
    started = g.get("request_started")
    duration_ms = (time.perf_counter() - started) * 1000 if started else 0.0
    request_log.info(
        "%s %s %s %.1fms", request.method, request.full_path.rstrip("?"), response.status_code, duration_ms,
        extra={"duration_ms": round(duration_ms, 1), "status": response.status_code},
    )
    return response


def _init_sentry(dsn: str, environment: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(dsn=dsn, integrations=[FlaskIntegration()], environment=environment, send_default_pii=False)


def init_app(app: Flask) -> None:
    """Configure logging, stamp each request with an id and log it when its response leaves."""
    configure_logging(app.config["LOG_LEVEL"])
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.add_template_global(current_request_id, "request_id")
    if app.config.get("SENTRY_DSN"):
        _init_sentry(app.config["SENTRY_DSN"], app.config["ENV_NAME"])
