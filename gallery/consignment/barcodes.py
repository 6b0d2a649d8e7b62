"""Code 128 barcodes for price tags: python-barcode encodes, the bars are drawn here as SVG on the server.

python-barcode (pinned) chooses the code sets and the check symbol; its own SVG writer styles every bar
with a `style` attribute, which the shop's Content-Security-Policy (no 'unsafe-inline') would block, so
the bars it built are drawn as plain rectangles with `fill` attributes: sharp at any printer resolution.

A tag carries the variant's SKU, or the SKU and its lot (`SKU/L123`): SKUs are capitals, digits and
hyphens only, so the slash cannot be part of one. The till reads either back with `parse_code`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from barcode.codex import Code128
from markupsafe import Markup, escape

QUIET_MODULES = 10  # blank modules each side, so a scanner finds where the symbol begins
LOT_SEPARATOR = "/L"
_CODE = re.compile(r"^(?P<sku>[A-Z0-9-]{2,40})(?:/L(?P<lot>\d{1,9}))?$")


def tag_code(sku: str, lot_id: int | None = None) -> str:
    """What a tag's barcode encodes: the SKU, or the SKU and the lot."""
    return sku if lot_id is None else f"{sku}{LOT_SEPARATOR}{lot_id}"


@dataclass(frozen=True)
class ScannedCode:
    sku: str
    lot_id: int | None


def parse_code(text: str | None) -> ScannedCode | None:
    """A scanned or typed code (spaces dropped, capitals); None when it is neither a SKU nor SKU/L<lot>."""
    compact = re.sub(r"\s+", "", text or "").upper()
    match = _CODE.match(compact)
    if match is None:
        return None
    return ScannedCode(match["sku"], int(match["lot"]) if match["lot"] else None)


def modules(code: str) -> str:
    """The symbol as modules, '1' a bar and '0' a space, without the quiet zones (python-barcode's encoding)."""
    return Code128(code).build()[0]


def bars(code: str) -> list[tuple[int, int]]:
    """Each bar as (x, width) in modules, quiet zone included."""
    found, start = [], None
    pattern = modules(code) + "0"
    for index, module in enumerate(pattern):
        if module == "1" and start is None:
            start = index
        elif module == "0" and start is not None:
            found.append((QUIET_MODULES + start, index - start))
            start = None
    return found


def svg(code: str, height: int = 30) -> Markup:
    """An inline SVG of `code` scaled to its box; `height` is in modules (the box's CSS sets the real size)."""
    width = len(modules(code)) + 2 * QUIET_MODULES
    rects = "".join(f'<rect x="{x}" y="0" width="{w}" height="{height}"/>' for x, w in bars(code))
    # Safe markup: only numbers are interpolated, and the code (the one text) is escaped.
    return Markup(  # noqa: S704
        f'<svg class="barcode" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="none" shape-rendering="crispEdges" role="img" aria-label="{escape(code)}">'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/><g fill="#000">{rects}</g></svg>')
