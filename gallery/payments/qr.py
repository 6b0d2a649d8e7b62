"""QR codes drawn on the server as inline SVG (segno): the QRIS code of a waiting payment, no script needed."""
from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(text: str, title: str = "QRIS") -> Markup:
    """`text` (a QRIS string) as an inline SVG that scales with its CSS box (no size attributes, no styles)."""
    code = segno.make(text, error="m")
    # Safe markup: segno writes every element itself and escapes the one text it takes (the title).
    svg = code.svg_inline(scale=1, border=4, omitsize=True, title=title, svgclass="qr-code", lineclass="qr-line",
                          dark="#000", light="#fff")
    return Markup(svg)  # noqa: S704
