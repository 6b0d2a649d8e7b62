"""E-mail addresses: real validation, and the demo accounts' reserved `.test` domain only where demo data may exist.

The demo users (`pembeli@galeri.test`…) live on `.test`, a top-level domain reserved for testing
(RFC 2606) that email_validator refuses as undeliverable. Where the demo may be loaded
(DEMO_ALLOWED, never in production) such addresses are accepted, so the demo and the checks
agree; everywhere else validation is exactly email_validator's. Forms and services both ask here.
"""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from gallery.errors import DomainError


def normalise_email(text: str | None) -> str:
    """The address in email_validator's normal form (no DNS lookup), or DomainError."""
    try:
        return validate_email((text or "").strip(), check_deliverability=False,
                              test_environment=bool(current_app.config.get("DEMO_ALLOWED"))).normalized
    except EmailNotValidError:
        raise DomainError(_l("Alamat email tidak valid."), field="email") from None


class EmailAddress:
    """WTForms validator asking normalise_email; `message` replaces its message when given."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field) -> None:
        try:
            normalise_email(field.data)
        except DomainError as error:
            raise ValidationError(self.message or error.message) from None
