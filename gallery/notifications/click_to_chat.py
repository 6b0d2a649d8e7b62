"""'Tanya via WhatsApp': wa.me links to the gallery's number with a message that names what is asked about.

The number is the GALLERY_WHATSAPP setting; without it no link is shown. The message is prefilled in the
page's language and the shopper sends it from their own WhatsApp, so the shop stores nothing.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _

from gallery.catalog.services import normalise_whatsapp
from gallery.errors import DomainError


def gallery_number() -> str | None:
    """The gallery's WhatsApp number as wa.me wants it (62…), or None when unset or not a mobile number."""
    try:
        return normalise_whatsapp(current_app.config.get("GALLERY_WHATSAPP"))
    except DomainError:
        return None


def wa_link(text: str) -> str | None:
    """A wa.me link to the gallery with `text` prefilled, or None when the gallery has no WhatsApp number."""
    number = gallery_number()
    return f"https://wa.me/{number}?text={quote(text)}" if number else None


def about_product(name: str, url: str) -> str | None:
    """Ask the gallery about a product (its name and page)."""
    return wa_link(_("Halo Galeri Oleh-oleh, saya ingin bertanya tentang %(name)s: %(url)s", name=name, url=url))


def about_order(number: str) -> str | None:
    """Ask the gallery about an order by its number (never its private link)."""
    return wa_link(_("Halo Galeri Oleh-oleh, saya ingin bertanya tentang pesanan %(number)s.", number=number))


def about_producer(name: str) -> str | None:
    """Ask the gallery about a producer's goods."""
    return wa_link(_("Halo Galeri Oleh-oleh, saya ingin bertanya tentang produk %(name)s.", name=name))


def register(app) -> None:
    """Make the links available to templates."""
    app.add_template_global(about_product, "wa_about_product")
    app.add_template_global(about_order, "wa_about_order")
    app.add_template_global(about_producer, "wa_about_producer")
