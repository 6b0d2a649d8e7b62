"""Rules every request's input keeps before any view sees it: no control characters in the path, the
query string or form fields (PostgreSQL refuses NUL in text, so it would answer 500), and ids in URLs
and forms within the database's integer range."""
from __future__ import annotations

import re

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# The largest id an INTEGER column holds (PostgreSQL's int4); a larger number names nothing.
MAX_ID = 2**31 - 1
# C0 controls and DEL, except tab, line feed and carriage return which text areas legitimately carry.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InputRefused(BadRequest):
    """A 400 whose `description` is a message fit for the user (the error page shows it)."""

    user_facing = True


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: 1 to MAX_ID; anything else is a 404 rather than a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_id(raw: str | None) -> int | None:
    """An id from a form or query string: a whole number from 1 to MAX_ID, else None."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a control character other than tab and line breaks."""
    return CONTROL_CHARACTERS.search(text) is not None


def refuse_control_characters() -> None:
    """Answer 400 with a clear message when the path, a query parameter or a form field holds one."""
    values = [request.path]
    for source in (request.args, request.form):
        for key, items in source.lists():
            values.append(key)
            values.extend(items)
    if any(has_control_characters(value) for value in values):
        raise InputRefused(_(
            "Isian mengandung karakter kontrol yang tidak diizinkan (misalnya byte NUL). "
            "Hapus karakter itu lalu kirim lagi."
        ))


def init_app(app: Flask) -> None:
    """Bound `<int:…>` route ids and filter every request; call before blueprints are registered."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_control_characters)
