"""The transfer slip staff keep when they mark a statement paid: an image or a PDF, never the file as sent.

An image is checked and drawn anew as a JPEG (gallery.catalog.images); a PDF is parsed and its pages
written into a new PDF, so scripts, attachments and metadata of the upload are dropped, and a file
that does not parse is refused. Kept under UPLOAD_FOLDER/settlements/ by content hash.
"""
from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from gallery.errors import DomainError

log = logging.getLogger(__name__)

MAX_SIDE = 2000
MAX_PDF_PAGES = 10


@dataclass(frozen=True)
class KeptProof:
    key: str
    ext: str  # "jpg" or "pdf"


def directory() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "settlements"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(key: str, ext: str) -> Path:
    """Where a kept proof lives; refuses anything that is not one of our keys."""
    if ext not in ("jpg", "pdf") or len(key or "") != 32 or any(c not in "0123456789abcdef" for c in key):
        raise ValueError("not a proof key")
    return directory() / f"{key}.{ext}"


def _rewritten_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted or not 0 < len(reader.pages) <= MAX_PDF_PAGES:
            raise ValueError("encrypted or too many pages")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        log.info("refused a payout proof PDF: %s", error)
        raise DomainError(_l("Berkas PDF bukti transfer tidak bisa dibaca (paling banyak %(n)s halaman, tanpa sandi).",
                             n=MAX_PDF_PAGES), field="proof") from None
    return out.getvalue()


def keep(data: bytes | None) -> KeptProof:
    """Check and store the transfer slip; DomainError(field="proof") when it is missing or not a proof."""
    from gallery.catalog.images import reencoded_jpeg

    if not data:
        raise DomainError(_l("Unggah bukti transfer (gambar atau PDF)."), field="proof")
    if data.lstrip()[:5] == b"%PDF-":
        encoded, ext = _rewritten_pdf(data), "pdf"
    else:
        encoded, ext = reencoded_jpeg(data, MAX_SIDE, field="proof"), "jpg"
    key = hashlib.sha256(encoded).hexdigest()[:32]
    path = path_of(key, ext)
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(encoded)
        tmp.replace(path)
    return KeptProof(key, ext)
