"""Whole storefront pages, rendered once for everyone and served from the cache (gallery.cache), with each
visitor's own parts filled in on every request.

A page is kept under its address, its language, the catalogue version and today's WIB date, so the
next request after any change to what it shows renders it again (gallery.catalogue_version). What
differs between visitors never enters the cache:
- the header's cart badge and account links and the flash messages are `per_request` slots: the cached
  HTML holds a marker where each goes, rendered anew on every request, hit or miss;
- CSRF tokens are a placeholder in the cached HTML, replaced by the visitor's own token;
- CSP nonces are per response and no cacheable page carries an inline script;
- a page whose rendering flashed a message (a notice about bad input) is served but not kept.

HTTP: a weak ETag from the page's key, the visitor's parts and their CSRF secret answers a repeated
request with 304 Not Modified. `Cache-Control: no-cache` makes browsers and proxies revalidate every
time (never stale); it is `public` only for a response that is the same for every anonymous visitor and
sets no cookie, `private` otherwise.
"""
from __future__ import annotations

import hashlib
import re
from functools import wraps

from flask import Flask, current_app, g, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from gallery.cache import store, versioned_key
from gallery.catalogue_version import current_version

# The per-request parts of the page layout (templates/base.html).
SLOTS = ("_header_tools.html", "_flashes.html")
_SLOT_MARKER = re.compile(r"<!--per-request:([\w.]+)-->")
# Flask-WTF keeps a request's token in flask.g under the field name and hands it out from there; while a
# page is rendered for the cache, that is this placeholder, replaced on every request by the real token.
CSRF_PLACEHOLDER = "csrf-token-per-request-0c7d1f"
_RENDERING = "page_cache_rendering"


def per_request(name: str) -> Markup:
    """Render a slot of the layout now, or (while rendering a page for the cache) mark where it goes."""
    if name not in SLOTS:
        raise ValueError(f"{name} is not a per-request slot")
    # Both are our own markup: a fixed marker naming a known slot, or a template Jinja already escaped.
    if g.get(_RENDERING):
        return Markup(f"<!--per-request:{name}-->")  # noqa: S704
    return Markup(render_template(name))  # noqa: S704


def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _with_csrf_placeholder(render):
    """Run `render` with every CSRF token it asks for being the placeholder."""
    field = _csrf_field()
    previous = g.pop(field, None)
    setattr(g, field, CSRF_PLACEHOLDER)
    try:
        return render()
    finally:
        g.pop(field, None)
        if previous is not None and previous != CSRF_PLACEHOLDER:
            setattr(g, field, previous)


def page_key(version) -> str:
    """The cache key of this request's page: address, language, catalogue version and date."""
    return versioned_key("page", version, str(get_locale() or ""), request.host, request.full_path)


def _render_for_cache(view, args, kwargs) -> tuple[object, bool]:
    """Call the view with slots and CSRF tokens as placeholders; (what it returned, whether to keep it)."""
    flashes_before = len(session.get("_flashes", ()))
    g.setdefault(_RENDERING, True)
    try:
        result = _with_csrf_placeholder(lambda: view(*args, **kwargs))
    finally:
        g.pop(_RENDERING, None)
    keep = isinstance(result, str) and len(session.get("_flashes", ())) == flashes_before
    return result, keep


def _render_slots(names: list[str]) -> dict[str, str]:
    """Render the slots with one template context (the context processors run once, not once per slot)."""
    context: dict = {}
    current_app.update_template_context(context)
    return {name: current_app.jinja_env.get_template(name).render(context) for name in names}


def _serve(html: str, key: str):
    """The cached page with this visitor's parts, or 304 when they already hold it."""
    names = [name for name in dict.fromkeys(_SLOT_MARKER.findall(html)) if name in SLOTS]
    parts = _with_csrf_placeholder(lambda: _render_slots(names))
    flashed = bool(parts.get("_flashes.html", "").strip())
    body = _SLOT_MARKER.sub(lambda match: parts.get(match.group(1), ""), html)
    uses_csrf = CSRF_PLACEHOLDER in body
    shared = not (flashed or uses_csrf or current_user.is_authenticated or session.modified or session.get("cart"))
    response = _cache_control(current_app.response_class(mimetype="text/html"), shared=shared)
    if not flashed:
        secret = str(session.get(_csrf_field(), "")) if uses_csrf else ""
        digest = hashlib.sha256("\x1f".join([key, secret, *parts.values()]).encode()).hexdigest()
        response.set_etag(digest, weak=True)
        if request.if_none_match.contains_weak(digest):
            response.status_code = 304
            return response
    if uses_csrf:
        body = body.replace(CSRF_PLACEHOLDER, generate_csrf())
    response.set_data(body)
    return response


def _cache_control(response, *, shared: bool):
    response.headers["Cache-Control"] = ("public" if shared else "private") + ", no-cache"
    return response


def cached_page(view):
    """Serve this storefront view from the page cache (see the module docstring)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_app.config["CACHE_ENABLED"]:
            return view(*args, **kwargs)
        version = current_version()
        if version is None:
            return view(*args, **kwargs)
        key = page_key(version)
        cached = store().get(key)
        if cached is not None:
            return _serve(cached.decode(), key)
        result, keep = _render_for_cache(view, args, kwargs)
        if not isinstance(result, str):
            # A redirect or another response: never kept, and made again without placeholders in it.
            return view(*args, **kwargs)
        if keep:
            store().set(key, result.encode(), current_app.config["CACHE_TTL_SECONDS"])
        return _serve(result, key)

    return wrapped


def init_app(app: Flask) -> None:
    """Offer `per_request(slot)` to templates."""
    app.add_template_global(per_request)
