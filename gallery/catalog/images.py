"""Product images: every upload is checked and re-encoded; the original is never kept or served.

Each image becomes three sizes (thumb, card, full) in WebP and JPEG, named by a hash of the
re-encoded picture, under UPLOAD_FOLDER/products/. Decoding is the costly part (a few KB of PNG can
unpack into hundreds of MB), so the pixel count is read from the header first and refused above
IMAGE_MAX_PIXELS, JPEGs are decoded already scaled down (`draft`), and a process decodes at most
IMAGE_CONCURRENT_DECODES uploads at once.
"""
from __future__ import annotations

import hashlib
import io
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from gallery.errors import DomainError

# MPO is a JPEG with a second picture inside (what many phone cameras save); only the first is used.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
MIN_SIDE = 200
# Longest side of each rendition, in pixels.
RENDITIONS = {"thumb": 160, "card": 480, "full": 1200}
ENCODINGS = {
    "webp": ("WEBP", {"quality": 80, "method": 4}),
    "jpg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
}
KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")
# How long an upload waits for a free decoding slot before the shopper is asked to try again.
DECODE_WAIT_SECONDS = 20

_decode_slots: threading.BoundedSemaphore | None = None
_decode_slots_lock = threading.Lock()


@dataclass(frozen=True)
class StoredImage:
    """The key of the stored renditions and the full-size dimensions."""

    key: str
    width: int
    height: int


def image_directory() -> Path:
    """Where the renditions live; created on first use."""
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "products"
    path.mkdir(parents=True, exist_ok=True)
    return path


def rendition_path(key: str, size: str, extension: str) -> Path:
    """The file of one rendition; raises ValueError for names that are not ours."""
    if not KEY_PATTERN.fullmatch(key) or size not in RENDITIONS or extension not in ENCODINGS:
        raise ValueError("not an image rendition")
    return image_directory() / key[:2] / f"{key}-{size}.{extension}"


@contextmanager
def decoding_slot():
    """Hold one of the process's IMAGE_CONCURRENT_DECODES decoding slots, or refuse when none frees up."""
    global _decode_slots
    with _decode_slots_lock:
        if _decode_slots is None:
            _decode_slots = threading.BoundedSemaphore(current_app.config["IMAGE_CONCURRENT_DECODES"])
        slots = _decode_slots
    if not slots.acquire(timeout=DECODE_WAIT_SECONDS):
        raise DomainError(_l("Server sedang memproses gambar lain. Coba unggah lagi sebentar lagi."), field="image")
    try:
        yield
    finally:
        slots.release()


def _open_checked(data: bytes) -> Image.Image:
    max_pixels = current_app.config["IMAGE_MAX_PIXELS"]
    try:
        with Image.open(io.BytesIO(data)) as probe:
            # Only the header has been read so far: refuse before any pixel is decoded.
            if probe.format not in ACCEPTED_FORMATS:
                raise DomainError(_l("Format gambar harus JPEG, PNG atau WebP."), field="image")
            if probe.width * probe.height > max_pixels:
                raise DomainError(_l("Gambar terlalu besar."), field="image")
            if min(probe.size) < MIN_SIDE:
                raise DomainError(
                    _l("Gambar minimal %(px)s piksel di sisi terpendek.", px=MIN_SIDE), field="image"
                )
            probe.verify()  # catches truncated and corrupt files
        image = Image.open(io.BytesIO(data))
        if image.format in ("JPEG", "MPO"):
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale, still at least the full rendition's size.
            image.draft("RGB", (RENDITIONS["full"], RENDITIONS["full"]))
        image.load()
    except DomainError:
        raise
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours: a huge photo or a bomb
        raise DomainError(_l("Gambar terlalu besar."), field="image") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(_l("Berkas ini bukan gambar yang bisa dibaca."), field="image") from None
    return image


def _flatten(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)  # honour the phone's rotation, then drop EXIF
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    return image.convert("RGB")


def reencoded_jpeg(data: bytes, max_side: int, field: str = "image") -> bytes:
    """A checked upload drawn anew as a JPEG of at most `max_side` pixels, without its metadata
    (transfer proofs: nothing of the original file is kept). Raises DomainError for a bad image."""
    try:
        image = _flatten(_open_checked(data))
    except DomainError as error:
        raise DomainError(error.message, field=field) from None
    image.info = {}
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, optimize=True)
    return buffer.getvalue()


def _encode(image: Image.Image, extension: str) -> bytes:
    pil_format, options = ENCODINGS[extension]
    buffer = io.BytesIO()
    image.save(buffer, pil_format, **options)
    return buffer.getvalue()


def store_image(data: bytes) -> StoredImage:
    """Check an uploaded picture and write its re-encoded renditions; raise DomainError if unusable.

    Nothing of the original file survives: pixels are decoded, rotated by EXIF, flattened to RGB
    and written anew, so metadata and anything hidden in the upload are gone.
    """
    if not data:
        raise DomainError(_l("Pilih berkas gambar."), field="image")
    with decoding_slot():
        return _store_decoded(data)


def _store_decoded(data: bytes) -> StoredImage:
    image = _flatten(_open_checked(data))
    image.info = {}  # else Pillow writes the upload's JPEG comment (COM) into the JPEG renditions
    full = image.copy()
    full.thumbnail((RENDITIONS["full"], RENDITIONS["full"]), Image.Resampling.LANCZOS)
    key = hashlib.sha256(full.tobytes()).hexdigest()[:32]
    target = image_directory() / key[:2]
    target.mkdir(parents=True, exist_ok=True)
    for size, longest in RENDITIONS.items():
        rendition = full if size == "full" else full.copy()
        rendition.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        for extension in ENCODINGS:
            path = rendition_path(key, size, extension)
            if not path.exists():
                tmp = path.with_suffix(path.suffix + ".tmp")
                tmp.write_bytes(_encode(rendition, extension))
                tmp.replace(path)  # atomic: a reader never sees half a file
    return StoredImage(key, full.width, full.height)
