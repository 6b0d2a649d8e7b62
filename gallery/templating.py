"""Template filters and globals: Rupiah, WIB times, image URLs and language links."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, g, request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from gallery.accounts.models import Role
from gallery.clock import to_wib
from jinja2 import pass_eval_context

from gallery.money import format_basis_points, format_rupiah, format_rupiah_unbroken
from gallery.shipping.regions import display_name


def localized(obj, attribute: str = "name") -> str:
    """The English field (`name_en`) when the page is in English and it is filled, else Indonesian."""
    locale = get_locale()
    if locale is not None and locale.language == "en":
        english = getattr(obj, f"{attribute}_en", None)
        if english:
            return english
    return getattr(obj, attribute)


def _media_prefix() -> str:
    """`/media/products/` as the app's URL map writes it (once per request: a page of cards asked 168 times)."""
    if "media_prefix" not in g:
        sample = url_for("catalog.media", key="k", size="s", extension="e")
        g.media_prefix = sample[: -len("k-s.e")]
    return g.media_prefix


def image_url(image, size: str = "card", extension: str = "jpg") -> str:
    """URL of one re-encoded rendition of a product image (keys are content hashes: nothing to escape)."""
    return f"{_media_prefix()}{image.key}-{size}.{extension}"


def image_srcset(image, extension: str) -> str:
    """`srcset` over the card and full renditions, so phones fetch the small one."""
    from gallery.catalog.images import RENDITIONS

    return ", ".join(
        f"{image_url(image, size, extension)} {RENDITIONS[size]}w" for size in ("thumb", "card", "full")
    )


def url_with_lang(language: str) -> str:
    """The current page in another language."""
    args = request.args.to_dict()
    args["lang"] = language
    return url_for(request.endpoint or "catalog.home", **(request.view_args or {}), **args)


def page_url(endpoint: str, page: int, args: dict, view_args: dict | None = None) -> str:
    """URL of another page of a listing, keeping its filters."""
    params = {**(view_args or {}), **args}
    if page > 1:
        params["page"] = page
    else:
        params.pop("page", None)
    return url_for(endpoint, **params)


SIZE_CLASS_LABELS = {"mikro": _l("mikro"), "kecil": _l("kecil"), "menengah": _l("menengah")}
CERTIFICATE_LABELS = {
    "halal": _l("Halal"),
    "pirt": "P-IRT",
    "bpom": "BPOM",
    "sni": "SNI",
    "haki": _l("Merek terdaftar"),
    "other": _l("Sertifikat"),
}


def size_class_label(value: str) -> str:
    """The size class (mikro, kecil, menengah) in the page's language."""
    return str(SIZE_CLASS_LABELS.get(value, value))


def certificate_label(kind: str) -> str:
    """The name of a certificate kind in the page's language."""
    return str(CERTIFICATE_LABELS.get(kind, kind))


def wib_datetime(moment: datetime | None, style: str = "medium") -> str:
    """A stored UTC time shown in WIB, in the page's language."""
    if moment is None:
        return ""
    return format_datetime(to_wib(moment), style) + " WIB"


def local_date(day: date | None, style: str = "medium") -> str:
    """A date in the page's language (e.g. `1 Des 2026`)."""
    if day is None:
        return ""
    return format_date(day, style)


@pass_eval_context
def rupiah(eval_ctx, amount: int | None) -> str:
    """An amount on a page: "Rp" and its digits joined by a no-break space, so they never wrap apart.
    Plain-text templates (e-mails, messages) keep an ordinary space."""
    return format_rupiah_unbroken(amount) if eval_ctx.autoescape else format_rupiah(amount)


def register(app: Flask) -> None:
    app.add_template_filter(rupiah, "rupiah")
    app.add_template_filter(format_basis_points, "percent_bp")
    app.add_template_filter(wib_datetime, "wib")
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(display_name, "region_name")
    app.add_template_global(localized)
    app.add_template_global(Role.label, name="role_label")
    app.add_template_global(image_url)
    app.add_template_global(image_srcset)
    app.add_template_global(url_with_lang)
    app.add_template_global(page_url)
    app.add_template_filter(size_class_label, "size_class")
    app.add_template_filter(certificate_label, "certificate")
