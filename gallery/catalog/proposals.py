"""Producers' proposals: a new product, or a change to one of its own, for staff to approve.

Nothing a producer proposes reaches the shop until staff approve it. Approving applies the
proposal through catalog.products, checked exactly like a staff edit, and publishes the
product; staff may instead ask for changes or reject, with a comment the producer sees and is
e-mailed. A producer only ever reaches its own products and proposals: anything else is NotFound,
as if it did not exist. Each function checks, then writes and flushes (or raises with nothing written); the
view commits, and photos a rejection drops are deleted after that commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from gallery import clock
from gallery.accounts.models import Role, User
from gallery.catalog import history
from gallery.catalog.models import Category, Producer, ProducerCertificate, Product, ProductImage, ProductStatus
from gallery.catalog.photos import Upload, delete_after_commit, store_uploads
from gallery.catalog.products import ProductInput, check_fields, create_product, product_input, update_product
from gallery.catalog.proposal_models import ProductProposal, ProposalImage, ProposalStatus
from gallery.catalog.variants import VariantInput, check_price_against_lots, check_variant, variant_input
from gallery.errors import DomainError, NotFound
from gallery.extensions import db
from gallery.notifications.compose import Message, to_producers

MAX_NOTE = 2000
MAX_NEW_VARIANTS = 10
TEXT_FIELDS = ("name", "category_id", "description", "story", "storage_note", "pirt_certificate_id",
               "bpom_certificate_id", "halal_certificate_id")


@dataclass
class ProposedVariant:
    """A variant the producer asks to add."""

    label: str
    price: int
    weight_grams: int
    net_content: str | None = None


@dataclass
class ProposalInput:
    """What a producer proposes: the product's texts and certificates, new variants, prices it asks for."""

    name: str
    category_id: int
    description: str = ""
    story: str = ""
    storage_note: str | None = None
    pirt_certificate_id: int | None = None
    bpom_certificate_id: int | None = None
    halal_certificate_id: int | None = None
    new_variants: list[ProposedVariant] = field(default_factory=list)
    prices: dict[int, int] = field(default_factory=dict)  # variant id → asked price
    note: str = ""


def _as_variant(proposed: ProposedVariant) -> VariantInput:
    return VariantInput(label=proposed.label, price=proposed.price, weight_grams=proposed.weight_grams,
                        net_content=proposed.net_content)


def _payload(producer: Producer, product: Product | None, data: ProposalInput) -> dict:
    """Check the proposal as staff's screens would and return what to store."""
    base = product_input(product) if product is not None else ProductInput(name="", category_id=0)
    for name in TEXT_FIELDS:
        setattr(base, name, getattr(data, name))
    _category, values, _linked = check_fields(producer, base)
    if len(data.new_variants) > MAX_NEW_VARIANTS:
        raise DomainError(_l("Paling banyak %(n)s varian baru per usulan.", n=MAX_NEW_VARIANTS), field="variants")
    new_variants = []
    for proposed in data.new_variants:
        checked = check_variant(_as_variant(proposed))
        new_variants.append({"label": checked["label"], "price": checked["price"],
                             "weight_grams": checked["weight_grams"], "net_content": checked["net_content"]})
    if product is None and not new_variants:
        raise DomainError(_l("Isi minimal satu varian: label, harga dan berat."), field="variants")
    variants = {variant.id: variant for variant in product.variants} if product is not None else {}
    prices = {}
    for variant_id, price in data.prices.items():
        variant = variants.get(variant_id)
        if variant is None:
            raise NotFound(_l("Varian tidak ditemukan."))
        if price == variant.price:
            continue
        check_variant(variant_input(variant, price=price))
        check_price_against_lots(variant, price)
        prices[str(variant_id)] = price
    return {**{name: values[name] for name in TEXT_FIELDS}, "new_variants": new_variants, "prices": prices,
            "new_product": product is None}


def _changes_anything(product: Product | None, payload: dict, uploads: list[Upload]) -> bool:
    if product is None or payload["new_variants"] or payload["prices"] or any(u.filename for u in uploads):
        return True
    return any(payload[name] != getattr(product, name) for name in TEXT_FIELDS)


def _require_producer(user: User, producer: Producer) -> None:
    if user is None or user.role != Role.PRODUCER or user.producer_id != producer.id:
        raise NotFound(_l("Produk tidak ditemukan."))


def _store_photos(proposal: ProductProposal, uploads: list[Upload]) -> None:
    if not any(upload.filename or upload.data for upload in uploads):
        return
    start = len(proposal.images)
    for index, stored in enumerate(store_uploads(uploads)):
        proposal.images.append(ProposalImage(key=stored.key, width=stored.width, height=stored.height,
                                             alt=proposal.payload.get("name", "")[:200], position=start + index))


def propose(producer: Producer, data: ProposalInput, uploads: list[Upload] = (), *, user: User,
            product: Product | None = None) -> ProductProposal:
    """A producer proposes a new product (product None) or a change to one of its own products."""
    _require_producer(user, producer)
    if product is not None and product.producer_id != producer.id:
        raise NotFound(_l("Produk tidak ditemukan."))
    if product is not None and open_proposal_for(product.id) is not None:
        raise DomainError(_l("Usulan sebelumnya untuk produk ini masih terbuka; ubah usulan itu saja."),
                          field="name")
    payload = _payload(producer, product, data)
    if not _changes_anything(product, payload, list(uploads)):
        raise DomainError(_l("Tidak ada yang berubah dari produk sekarang."), field="name")
    now = clock.utcnow()
    proposal = ProductProposal(producer_id=producer.id, product_id=product.id if product else None,
                               status=ProposalStatus.PENDING, payload=payload, note=(data.note or "").strip()[:MAX_NOTE],
                               created_by_id=user.id, created_at=now, updated_at=now)
    db.session.add(proposal)
    _store_photos(proposal, list(uploads))
    db.session.flush()
    return proposal


def revise(proposal: ProductProposal, data: ProposalInput, uploads: list[Upload] = (), *, user: User) -> ProductProposal:
    """The producer changes an open proposal (e.g. after staff asked for changes); it waits for staff again."""
    _require_producer(user, proposal.producer)
    if not proposal.is_open:
        raise DomainError(_l("Usulan ini sudah diputuskan."), field="name")
    proposal.payload = _payload(proposal.producer, proposal.product, data)
    proposal.note = (data.note or "").strip()[:MAX_NOTE]
    proposal.status = ProposalStatus.PENDING
    proposal.updated_at = clock.utcnow()
    _store_photos(proposal, list(uploads))
    db.session.flush()
    return proposal


def open_proposal_for(product_id: int) -> ProductProposal | None:
    """The product's proposal still pending or sent back, if any."""
    return db.session.scalar(select(ProductProposal).where(
        ProductProposal.product_id == product_id, ProductProposal.status.in_(ProposalStatus.OPEN)))


def proposals_of(producer_id: int, limit: int = 100) -> list[ProductProposal]:
    """The producer's proposals, newest first, with their product (one statement)."""
    return list(db.session.scalars(
        select(ProductProposal).options(joinedload(ProductProposal.product))
        .where(ProductProposal.producer_id == producer_id)
        .order_by(ProductProposal.updated_at.desc(), ProductProposal.id.desc()).limit(limit)))


def proposal_for_producer(proposal_id: int, producer_id: int) -> ProductProposal:
    """One of the producer's own proposals; another producer's is NotFound, like one that does not exist."""
    proposal = db.session.scalar(
        select(ProductProposal).options(selectinload(ProductProposal.images), joinedload(ProductProposal.product))
        .where(ProductProposal.id == proposal_id, ProductProposal.producer_id == producer_id))
    if proposal is None:
        raise NotFound(_l("Usulan tidak ditemukan."))
    return proposal


def review_queue(status: str = ProposalStatus.PENDING, limit: int = 200) -> list[ProductProposal]:
    """Proposals in one state with producer and product, oldest pending first (one statement)."""
    order = ProductProposal.updated_at if status == ProposalStatus.PENDING else ProductProposal.decided_at.desc()
    return list(db.session.scalars(
        select(ProductProposal)
        .options(joinedload(ProductProposal.producer), joinedload(ProductProposal.product),
                 selectinload(ProductProposal.images))
        .where(ProductProposal.status == status).order_by(order, ProductProposal.id).limit(limit)).unique())


def _decidable(proposal: ProductProposal, user: User) -> None:
    if user is None or user.role not in Role.BACK_OFFICE:
        raise DomainError(_l("Hanya staf yang boleh memutuskan usulan."), field="comment")
    if proposal.status != ProposalStatus.PENDING:
        raise DomainError(_l("Usulan ini tidak sedang menunggu keputusan."), field="comment")


def _decide(proposal: ProductProposal, status: str, user: User, comment: str = "") -> None:
    proposal.status = status
    proposal.staff_comment = (comment or "").strip()[:MAX_NOTE]
    proposal.decided_by_id = user.id
    proposal.decided_at = proposal.updated_at = clock.utcnow()


def approve(proposal: ProductProposal, *, user: User, comment: str = "") -> Product:
    """Apply the proposal as a staff edit would (new product or changes), publish it, tell the producer."""
    _decidable(proposal, user)
    payload = proposal.payload
    reason = _("Usulan produsen #%(id)s", id=proposal.id)
    new_variants = [_as_variant(ProposedVariant(**variant)) for variant in payload["new_variants"]]
    # A refusal (DomainError) comes from the product services' checks, before they write; the view rolls
    # back and commits nothing either way.
    if proposal.product is None:
        data = ProductInput(status=ProductStatus.PUBLISHED, variants=new_variants,
                            **{name: payload[name] for name in TEXT_FIELDS})
        product = create_product(proposal.producer, data, user=user, reason=reason)
        proposal.product_id = product.id
    else:
        product = proposal.product
        repriced = [variant_input(variant, price=payload["prices"][str(variant.id)])
                    for variant in product.variants if str(variant.id) in payload["prices"]]
        data = product_input(product, status=ProductStatus.PUBLISHED, variants=repriced + new_variants,
                             **{name: payload[name] for name in TEXT_FIELDS})
        update_product(product, data, user=user, price_reason=reason)
    start = len(product.images)
    for index, image in enumerate(proposal.images):
        product.images.append(ProductImage(key=image.key, width=image.width, height=image.height,
                                           alt=image.alt or product.name[:200], position=start + index))
    _decide(proposal, ProposalStatus.APPROVED, user, comment)
    history.record_event(product.id, history.EventKind.PROPOSAL_APPROVED,
                         {"proposal": proposal.id, "count": len(proposal.images)}, user=user)
    _notify(proposal)
    db.session.flush()
    return product


def request_changes(proposal: ProductProposal, comment: str, *, user: User) -> ProductProposal:
    """Send the proposal back to the producer with what to change."""
    return _close(proposal, ProposalStatus.CHANGES_REQUESTED, comment, user,
                  _l("Tulis apa yang perlu diubah produsen."))


def reject(proposal: ProductProposal, comment: str, *, user: User) -> ProductProposal:
    """Refuse the proposal with a reason; its photos are dropped."""
    keys = {image.key for image in proposal.images}
    return _close(proposal, ProposalStatus.REJECTED, comment, user, _l("Tulis alasan penolakan."), drop_photos=keys)


def _close(proposal: ProductProposal, status: str, comment: str, user: User, missing,
           drop_photos: set[str] = frozenset()) -> ProductProposal:
    _decidable(proposal, user)
    if not (comment or "").strip():
        raise DomainError(missing, field="comment")
    _decide(proposal, status, user, comment)
    if drop_photos:
        proposal.images.clear()
    _notify(proposal)
    db.session.flush()
    delete_after_commit(set(drop_photos))
    return proposal


def _notify(proposal: ProductProposal) -> None:
    """Tell the producer about the decision, on its channels (queued with the decision's commit)."""
    subjects = {
        ProposalStatus.APPROVED: _("Usulan produk Anda disetujui"),
        ProposalStatus.CHANGES_REQUESTED: _("Usulan produk Anda perlu diubah"),
        ProposalStatus.REJECTED: _("Usulan produk Anda ditolak"),
    }
    name = proposal.payload.get("name", "")
    outcome = {ProposalStatus.APPROVED: _("disetujui"), ProposalStatus.CHANGES_REQUESTED: _("perlu diubah"),
               ProposalStatus.REJECTED: _("ditolak")}

    def build(producer) -> Message:
        return Message("proposal_decided", subjects[proposal.status], "proposal_decided",
                       {"proposal": proposal, "name": name},
                       ("galeri_proposal_decided", [producer.business_name, name, outcome[proposal.status]]))

    to_producers([proposal.producer_id], build)


def proposal_input(proposal: ProductProposal) -> ProposalInput:
    """An open proposal's values, to show in the producer's form when revising it."""
    payload = proposal.payload
    return ProposalInput(
        **{name: payload.get(name) for name in TEXT_FIELDS},
        new_variants=[ProposedVariant(**variant) for variant in payload.get("new_variants", [])],
        prices={int(variant_id): price for variant_id, price in payload.get("prices", {}).items()},
        note=proposal.note,
    )



@dataclass(frozen=True)
class CompareRow:
    """One field of a proposal beside the product's current value."""

    field: str
    current: str | None
    proposed: str | None

    @property
    def changed(self) -> bool:
        return self.current != self.proposed


def compare(proposal: ProductProposal) -> list[CompareRow]:
    """The proposal's fields beside the product's (names, not ids), for staff to review side by side."""
    payload = proposal.payload
    ids = {payload.get(name) for name in TEXT_FIELDS if name.endswith("_certificate_id")} - {None}
    product = proposal.product
    if product is not None:
        ids |= {getattr(product, name) for name in TEXT_FIELDS if name.endswith("_certificate_id")} - {None}
    numbers = dict(db.session.execute(select(ProducerCertificate.id, ProducerCertificate.number)
                                      .where(ProducerCertificate.id.in_(ids))).all()) if ids else {}
    categories = dict(db.session.execute(select(Category.id, Category.name).where(
        Category.id.in_({payload.get("category_id"), product.category_id if product else None} - {None}))).all())

    def shown(name: str, value):
        if value is None or value == "":
            return None
        if name == "category_id":
            return categories.get(value)
        if name.endswith("_certificate_id"):
            return numbers.get(value)
        return str(value)

    return [CompareRow(name, shown(name, getattr(product, name)) if product is not None else None,
                       shown(name, payload.get(name))) for name in TEXT_FIELDS]
