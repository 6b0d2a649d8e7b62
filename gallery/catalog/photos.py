"""Product photos: several per product, uploaded in one go, with alt text, an order and a main one.

Each upload is re-encoded by catalog.images (EXIF dropped, orientation applied, three sizes in
WebP and JPEG); the original is never kept. A batch is all or nothing: one file that is too big,
not a picture, an SVG or a pixel bomb refuses the whole batch with its name, and the renditions
the batch already wrote are removed again. Renditions are shared by content, so a file is deleted
only when no product photo and no proposal photo names it any more, and only once the transaction that
freed it has committed (`delete_after_commit`; a rollback keeps the files). Services here flush; the
view commits.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from gallery import after_commit
from gallery.catalog import history
from gallery.catalog.images import ENCODINGS, RENDITIONS, StoredImage, rendition_path, store_image
from gallery.catalog.models import Product, ProductImage
from gallery.catalog.proposal_models import ProposalImage
from gallery.errors import DomainError, NotFound
from gallery.extensions import db

MAX_PHOTOS_PER_UPLOAD = 10
MAX_PHOTOS_PER_PRODUCT = 20
MAX_ALT = 200


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the name the user gave it and its bytes."""

    filename: str
    data: bytes


def upload_limit() -> int:
    """The largest accepted file (MAX_UPLOAD_BYTES)."""
    return current_app.config["MAX_CONTENT_LENGTH"]


def request_limit() -> int:
    """The largest request carrying a full batch of photos (each within the file limit)."""
    return upload_limit() * MAX_PHOTOS_PER_UPLOAD + 64 * 1024


def keys_in_use(keys: set[str], session: Session | None = None) -> set[str]:
    """Which of these rendition keys a product, proposal or review photo still names (one statement).

    Renditions are stored by content hash, so a shopper's review photo may share a key with a product photo.
    """
    from gallery.reviews.models import Review

    if not keys:
        return set()
    return set((session or db.session).scalars(union(
        select(ProductImage.key).where(ProductImage.key.in_(keys)),
        select(ProposalImage.key).where(ProposalImage.key.in_(keys)),
        select(Review.photo_key).where(Review.photo_key.in_(keys)),
    )))


def delete_unused_renditions(keys: set[str], session: Session | None = None) -> None:
    """Remove the files of renditions nothing names any more (after the commit that freed them)."""
    for key in set(keys) - keys_in_use(set(keys), session):
        for size in RENDITIONS:
            for extension in ENCODINGS:
                rendition_path(key, size, extension).unlink(missing_ok=True)


def delete_after_commit(keys: set[str]) -> None:
    """Remove these renditions' files once the current transaction commits, if nothing names them then;
    a rollback forgets them (the rows that name them are back)."""
    after_commit.defer("photos", keys)


def _delete_unused(keys: list[str]) -> None:
    # The committed session may not run SQL here: check what is still in use on a session of its own.
    with Session(db.engine) as fresh:
        delete_unused_renditions(set(keys), fresh)


def init_app(app) -> None:
    """Delete the files a committed transaction freed (gallery.after_commit)."""
    after_commit.register("photos", _delete_unused)


def store_uploads(uploads: list[Upload]) -> list[StoredImage]:
    """Check and re-encode a batch of pictures, all or none; the error names the file at fault."""
    uploads = [upload for upload in uploads if upload.filename or upload.data]
    if not uploads:
        raise DomainError(_l("Pilih minimal satu foto."), field="photos")
    if len(uploads) > MAX_PHOTOS_PER_UPLOAD:
        raise DomainError(_l("Paling banyak %(n)s foto sekali unggah.", n=MAX_PHOTOS_PER_UPLOAD), field="photos")
    stored: list[StoredImage] = []
    try:
        for upload in uploads:
            if len(upload.data) > upload_limit():
                raise DomainError(_l("Berkas lebih besar dari %(mb)s MB.", mb=upload_limit() // (1024 * 1024)),
                                  field="photos")
            try:
                stored.append(store_image(upload.data))
            except DomainError as error:
                raise DomainError(error.message, field="photos") from None
    except DomainError as error:
        delete_unused_renditions({image.key for image in stored})
        name = upload.filename or str(_l("tanpa nama"))
        raise DomainError(_l("%(file)s: %(reason)s Tidak ada foto yang disimpan.", file=name, reason=error.message),
                          field="photos") from None
    return stored


def _photo_or_404(product: Product, image_id: int) -> ProductImage:
    image = next((image for image in product.images if image.id == image_id), None)
    if image is None:
        raise NotFound(_l("Foto tidak ditemukan."))
    return image


def _renumber(images: list[ProductImage]) -> None:
    for position, image in enumerate(images):
        image.position = position


def add_photos(product: Product, uploads: list[Upload], *, alt: str = "", user=None) -> list[ProductImage]:
    """Add a batch of photos after the existing ones; the first photo of a product is its main one (flushes)."""
    alt = (alt or "").strip()[:MAX_ALT] or product.name[:MAX_ALT]
    count = len([upload for upload in uploads if upload.filename or upload.data])
    if len(product.images) + count > MAX_PHOTOS_PER_PRODUCT:
        raise DomainError(_l("Paling banyak %(n)s foto per produk.", n=MAX_PHOTOS_PER_PRODUCT), field="photos")
    stored = store_uploads(uploads)
    start = (db.session.scalar(select(func.max(ProductImage.position)).where(ProductImage.product_id == product.id))
             if product.id else None)
    start = -1 if start is None else start
    images = [ProductImage(key=image.key, width=image.width, height=image.height, alt=alt, position=start + index)
              for index, image in enumerate(stored, 1)]
    product.images.extend(images)
    db.session.flush()
    history.record_event(product.id, history.EventKind.PHOTOS_ADDED,
                         {"count": len(images), "files": [upload.filename for upload in uploads][:10]}, user=user)
    return images


def arrange_photos(product: Product, order: dict[int, int], alts: dict[int, str], *, user=None) -> None:
    """Set each photo's alt text and order (by the numbers staff typed; ties keep the old order)."""
    for image_id in set(order) | set(alts):
        _photo_or_404(product, image_id)
    before = [(image.id, image.alt) for image in product.images]
    for image in product.images:
        if image.id in alts:
            image.alt = (alts[image.id] or "").strip()[:MAX_ALT]
    ranked = sorted(product.images, key=lambda image: (order.get(image.id, image.position), image.position, image.id))
    _renumber(ranked)
    product.images.sort(key=lambda image: image.position)
    if before != [(image.id, image.alt) for image in product.images]:
        history.record_event(product.id, history.EventKind.PHOTOS_ARRANGED,
                             {"order": [image.id for image in product.images]}, user=user)
    db.session.flush()


def make_main_photo(product: Product, image_id: int, *, user=None) -> None:
    """Put one photo first: it shows on cards and opens the product page."""
    chosen = _photo_or_404(product, image_id)
    ranked = [chosen] + [image for image in product.images if image.id != chosen.id]
    _renumber(ranked)
    product.images.sort(key=lambda image: image.position)
    history.record_event(product.id, history.EventKind.PHOTOS_ARRANGED, {"main": chosen.id}, user=user)
    db.session.flush()


def remove_photo(product: Product, image_id: int, *, user=None) -> None:
    """Delete one photo; its files go after the commit when nothing else shows the same picture."""
    image = _photo_or_404(product, image_id)
    key = image.key
    product.images.remove(image)
    db.session.delete(image)
    _renumber(product.images)
    history.record_event(product.id, history.EventKind.PHOTO_REMOVED, {"photo": image_id}, user=user)
    db.session.flush()
    delete_after_commit({key})
