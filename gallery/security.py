"""Security headers on every response: a strict Content-Security-Policy (no inline styles or scripts;
an inline script would carry the per-request nonce), no framing, no sniffing, HSTS in production."""
from __future__ import annotations

import secrets

from flask import Flask, current_app, g

# Where forms may send the browser: this site, and Stripe Checkout after the payment choice.
FORM_TARGETS = "'self' https://checkout.stripe.com"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def csp_nonce() -> str:
    """The nonce of this response's Content-Security-Policy, for an inline <script nonce="…">."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    """The policy: our own files only, scripts by file or nonce, nothing inline, never in a frame."""
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        f"form-action {FORM_TARGETS}",
        "frame-ancestors 'none'",
    ))


def set_security_headers(response):
    """Add the security headers (kept if a view already chose its own)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    hsts = current_app.config["HSTS_SECONDS"]
    if hsts:
        headers.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    """Install the header hook and offer `csp_nonce()` to templates."""
    app.after_request(set_security_headers)
    app.add_template_global(csp_nonce)
