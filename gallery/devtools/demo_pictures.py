"""Pictures and certificate numbers for the demo shop: drawn with Pillow, invented but well-formed."""
from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont

from gallery.devtools.demo_content import SECTOR_COLOURS


def _songket(draw, size: int, step: int, accent) -> None:
    """Fashion: songket diamonds."""
    for x in range(-step, size + step, step):
        for y in range(-step, size + step, step):
            offset = step // 2 if (y // step) % 2 else 0
            cx, cy = x + offset, y
            draw.polygon([(cx, cy - step // 3), (cx + step // 3, cy), (cx, cy + step // 3), (cx - step // 3, cy)],
                         outline=accent, width=3)


def _woven(draw, size: int, step: int, accent, shade) -> None:
    """Handicrafts: woven strips."""
    for index, x in enumerate(range(0, size, step // 2)):
        colour = accent if index % 2 else tuple(int(c * 0.8) for c in accent)
        draw.rectangle([x, 0, x + step // 4, size], fill=colour)
    for y in range(0, size, step):
        draw.rectangle([0, y, size, y + step // 5], fill=shade)


def _plate(draw, size: int, rng: random.Random, accent, shade) -> None:
    """Food: a plate or a jar."""
    radius = size // 3
    centre = size // 2 - size // 12
    draw.ellipse([size // 2 - radius, centre - radius, size // 2 + radius, centre + radius], fill=accent)
    draw.ellipse([size // 2 - radius + 30, centre - radius + 30, size // 2 + radius - 30, centre + radius - 30],
                 outline=shade, width=8)
    for _ in range(14):
        x, y = rng.randint(size // 2 - radius // 2, size // 2 + radius // 2), rng.randint(centre - radius // 2,
                                                                                          centre + radius // 2)
        draw.ellipse([x - 12, y - 12, x + 12, y + 12], fill=shade)


def demo_picture(title: str, sector: str, seed: int, size: int = 720) -> bytes:
    """Draw a product picture with Pillow: a sector-coloured motif and the product's name."""
    rng = random.Random(seed)
    background, accent = SECTOR_COLOURS.get(sector, SECTOR_COLOURS["lainnya"])
    shade = tuple(max(0, min(255, c + rng.randint(-18, 18))) for c in background)
    image = Image.new("RGB", (size, size), shade)
    draw = ImageDraw.Draw(image)
    step = size // 8
    if sector == "fashion":
        _songket(draw, size, step, accent)
    elif sector == "kerajinan":
        _woven(draw, size, step, accent, shade)
    else:
        _plate(draw, size, rng, accent, shade)
    band = size - size // 4
    draw.rectangle([0, band, size, size], fill=(24, 24, 24))
    font = ImageFont.load_default(size=size // 14)
    words, lines, line = title.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) > size - 60 and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    y = band + 24
    for text in lines[:2]:
        draw.text((30, y), text, fill=(255, 255, 255), font=font)
        y += size // 12
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def pirt_number(food_type: int, product_seq: int, producer_seq: int, expiry_year: int) -> str:
    """A well-formed (invented) P-IRT number for Pesisir Selatan (regency 1301)."""
    return f"2{food_type:02d}1301{product_seq:02d}{producer_seq:04d}-{expiry_year % 100:02d}"


def halal_number(seed: int) -> str:
    """A well-formed (invented) BPJPH halal certificate number."""
    return f"ID13110000{seed:09d}"
