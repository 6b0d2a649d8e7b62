"""Language choice: Bahasa Indonesia by default, English at ?lang=en (remembered in the session)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request, session
from flask_babel import lazy_gettext

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def lazy(text: str, **variables):
    """Mark a string for translation, resolved when shown."""
    return lazy_gettext(text, **variables)


def select_locale() -> str:
    """?lang= wins and is remembered; then the session; then Bahasa Indonesia."""
    languages = current_app.config["LANGUAGES"]
    if request:
        wanted = request.args.get("lang")
        if wanted in languages:
            session["lang"] = wanted
            return wanted
        remembered = session.get("lang")
        if remembered in languages:
            return remembered
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    """Make the current language available to templates."""

    @app.context_processor
    def inject_language():
        from flask_babel import get_locale

        locale = get_locale()
        return {"current_language": str(locale) if locale else app.config["BABEL_DEFAULT_LOCALE"]}


def compile_catalogs(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every messages.po below `directory` into messages.mo when it is missing or older."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(mo_path)
    return written
