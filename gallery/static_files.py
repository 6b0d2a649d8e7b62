"""Static files under content-hashed names (`css/shop.3f2a9c81d0.css`) cached for a year: a changed
file gets a new name, so browsers never keep an old one. `url_for('static', ...)` writes the hashed
name; the static view serves it (or nginx does, see deploy/nginx-gallery.conf)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask, abort, current_app, request, send_from_directory
from flask.sessions import SecureCookieSessionInterface

HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<suffix>\.[A-Za-z0-9]+)$")
ONE_YEAR = 365 * 24 * 3600
# Cache of (mtime, digest) per file, so each file is read once per change, not once per page.
_digests: dict[Path, tuple[float, str]] = {}


def file_digest(path: Path) -> str:
    """The first 10 hex digits of the file's SHA-256, recomputed when it changes on disk."""
    mtime = path.stat().st_mtime
    known = _digests.get(path)
    if known is None or known[0] != mtime:
        known = (mtime, hashlib.sha256(path.read_bytes()).hexdigest()[:10])
        _digests[path] = known
    return known[1]


def _static_path(filename: str) -> Path | None:
    root = Path(current_app.static_folder).resolve()
    path = (root / filename).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def hashed_filename(filename: str) -> str:
    """`css/shop.css` → `css/shop.<digest>.css` (unchanged when the file does not exist)."""
    path = _static_path(filename)
    if path is None:
        return filename
    stem, dot, suffix = filename.rpartition(".")
    return f"{stem}.{file_digest(path)}.{suffix}" if dot else filename


def serve_static(filename: str):
    """A hashed name whose digest matches is cached for a year; any other name for a short while."""
    match = HASHED.match(filename)
    if match and _static_path(filename) is None:
        plain = match["stem"] + match["suffix"]
        path = _static_path(plain)
        if path is not None and file_digest(path) == match["digest"]:
            response = send_from_directory(current_app.static_folder, plain, max_age=ONE_YEAR)
            response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
            return response
        filename = plain  # a page from before the last deploy: today's file, briefly cached
    if _static_path(filename) is None:
        abort(404)
    return send_from_directory(current_app.static_folder, filename, max_age=300)


# Responses that never depend on the visitor: no `Vary: Cookie`, so shared caches (nginx, a CDN) keep one copy.
SESSIONLESS_ENDPOINTS = frozenset({"static", "catalog.media"})


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, minus `Vary: Cookie` on static files and product images.

    Flask-Login reads the session after every request, which made Flask add `Vary: Cookie` to every
    response, files included, and so defeated shared caches.
    """

    def save_session(self, app: Flask, session, response) -> None:
        super().save_session(app, session, response)
        if request.endpoint in SESSIONLESS_ENDPOINTS and "Set-Cookie" not in response.headers:
            kept = [value for value in response.vary if value.lower() != "cookie"]
            if kept:
                response.headers["Vary"] = ", ".join(kept)
            else:
                response.headers.pop("Vary", None)


def init_app(app: Flask) -> None:
    """Make url_for('static') write hashed names and the static view serve them."""
    app.session_interface = SessionInterface()

    @app.url_defaults
    def hash_static_names(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["filename"] = hashed_filename(values["filename"])

    app.view_functions["static"] = serve_static
