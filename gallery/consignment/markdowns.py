"""Markdowns: steps by age for a producer's or a sub-category's lots, sales put on a variant by hand, and
which of them applies to a lot (DESIGN.md rule 6).

A running markdown applies to a lot in its scope from the step its age has reached (days on the shelf
since its receipt day, WIB); a sale is one step from day 0 for its period. Markdowns never stack: a lot
takes the deepest discount that applies to it. A markdown the producer bears any part of applies to a
producer's lots only while the producer's terms record its agreement (gallery.consignment.terms), and one
for a single producer or variant is refused without it. What the discount does to the price and the
payout is gallery.consignment.markdown_split's. Services flush (the calling view commits once); a refusal
writes nothing.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from gallery import clock
from gallery.accounts.models import User
from gallery.catalog.models import Category, Producer, Variant
from gallery.consignment.documents import commission_rate
from gallery.consignment.markdown_models import (
    MAX_DISCOUNT_BP,
    Markdown,
    MarkdownBearer,
    MarkdownKind,
    MarkdownStep,
)
from gallery.consignment.terms import terms_for
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.money import BASIS_POINTS, format_basis_points

MAX_STEPS = 5
MAX_SALE_DAYS = 366
MAX_NAME = 120


@dataclass(frozen=True)
class AppliedMarkdown:
    """The markdown a lot is sold under today, as an order line freezes it."""

    markdown_id: int
    name: str
    kind: str
    bearer: str
    producer_share_bp: int
    discount_bp: int


@dataclass(frozen=True)
class LotFacts:
    """What deciding a lot's markdown needs to know about it."""

    lot_id: int
    variant_id: int
    producer_id: int
    category_id: int
    received_on: date  # WIB


def _running(day: date):
    return (Markdown.stopped_at.is_(None), Markdown.starts_on <= day,
            or_(Markdown.ends_on.is_(None), Markdown.ends_on >= day))


def applicable(lots: Sequence[LotFacts], today: date | None = None) -> dict[int, AppliedMarkdown]:
    """The markdown each lot is sold under today; lots without one are left out.

    Always two statements (the running markdowns, the producers' consent), however many lots, none included.
    """
    today = today or clock.today_wib()
    rows = db.session.execute(
        select(Markdown.id, Markdown.name, Markdown.kind, Markdown.bearer, Markdown.producer_share_bp,
               Markdown.producer_id, Markdown.category_id, Markdown.variant_id, MarkdownStep.after_days,
               MarkdownStep.discount_bp)
        .join(MarkdownStep, MarkdownStep.markdown_id == Markdown.id)
        .where(*_running(today), or_(Markdown.producer_id.in_({lot.producer_id for lot in lots}),
                                     Markdown.category_id.in_({lot.category_id for lot in lots}),
                                     Markdown.variant_id.in_({lot.variant_id for lot in lots})))
        .order_by(Markdown.id, MarkdownStep.after_days)
    ).all()
    agreed = {pid for pid, terms in terms_for(lot.producer_id for lot in lots).items() if terms.agreed_to_markdowns}
    chosen: dict[int, AppliedMarkdown] = {}
    for lot in lots:
        age = (today - lot.received_on).days
        best: dict[int, AppliedMarkdown] = {}
        for row in rows:
            in_scope = (row.producer_id == lot.producer_id or row.category_id == lot.category_id
                        or row.variant_id == lot.variant_id)
            if not in_scope or row.after_days > age or (row.producer_share_bp and lot.producer_id not in agreed):
                continue
            # Rows come by markdown, shortest age first: the last step reached wins within a markdown.
            best[row.id] = AppliedMarkdown(row.id, row.name, row.kind, row.bearer, row.producer_share_bp,
                                           row.discount_bp)
        if best:
            chosen[lot.lot_id] = max(best.values(),
                                     key=lambda m: (m.discount_bp, -m.producer_share_bp, -m.markdown_id))
    return chosen


# --- Creating and stopping markdowns ------------------------------------------------------------


@dataclass(frozen=True)
class StepInput:
    after_days: int
    discount_bp: int


def _name(text: str) -> str:
    name = " ".join((text or "").split())
    if not name or len(name) > MAX_NAME:
        raise DomainError(_l("Nama potongan harga wajib diisi (paling banyak %(n)s huruf).", n=MAX_NAME), field="name")
    return name


def _share(bearer: str, shared_bp: int | None) -> int:
    if bearer not in MarkdownBearer.ALL:
        raise DomainError(_l("Pilih siapa yang menanggung potongan harga."), field="bearer")
    if bearer == MarkdownBearer.SHARED and not (isinstance(shared_bp, int) and 0 < shared_bp < BASIS_POINTS):
        raise DomainError(_l("Bagian produsen pada potongan bersama harus antara 1 dan 99 %."), field="shared_bp")
    return MarkdownBearer.producer_share_bp(bearer, shared_bp)


def _require_consent(producer_id: int, share: int) -> None:
    if share and not terms_for([producer_id])[producer_id].agreed_to_markdowns:
        raise DomainError(_l("Produsen ini belum menyetujui ikut menanggung potongan harga: catat persetujuannya "
                             "di syarat konsinyasinya, atau pilih ditanggung galeri."), field="bearer")


def _check_discount(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_DISCOUNT_BP:
        raise DomainError(_l("Potongan harga antara 0,01 dan %(max)s.", max=format_basis_points(MAX_DISCOUNT_BP)),
                          field="discount")
    return value


def _check_steps(steps: Sequence[StepInput]) -> list[StepInput]:
    if not steps or len(steps) > MAX_STEPS:
        raise DomainError(_l("Isi 1 sampai %(n)s tahap potongan.", n=MAX_STEPS), field="steps")
    ordered = sorted(steps, key=lambda step: step.after_days)
    for step in ordered:
        if not isinstance(step.after_days, int) or isinstance(step.after_days, bool) \
                or not 0 <= step.after_days <= 3650:
            raise DomainError(_l("Umur di rak antara 0 dan 3650 hari."), field="steps")
        _check_discount(step.discount_bp)
    for earlier, later in zip(ordered, ordered[1:]):
        if later.after_days == earlier.after_days or later.discount_bp <= earlier.discount_bp:
            raise DomainError(_l("Setiap tahap berikutnya harus lebih lama di rak dan potongannya lebih besar."),
                              field="steps")
    return ordered


def _period(starts_on: date | None, ends_on: date | None, *, required_end: bool) -> tuple[date, date | None]:
    today = clock.today_wib()
    starts_on = starts_on or today
    if starts_on < today:
        raise DomainError(_l("Potongan harga tidak bisa dimulai di masa lalu."), field="starts_on")
    if ends_on is None and required_end:
        raise DomainError(_l("Isi tanggal berakhirnya obral."), field="ends_on")
    if ends_on is not None and not starts_on <= ends_on <= starts_on + timedelta(days=MAX_SALE_DAYS):
        raise DomainError(_l("Tanggal berakhir harus setelah tanggal mulai, paling lama %(n)s hari.", n=MAX_SALE_DAYS),
                          field="ends_on")
    return starts_on, ends_on


def _save(markdown: Markdown, steps: list[StepInput]) -> Markdown:
    markdown.steps = [MarkdownStep(after_days=s.after_days, discount_bp=s.discount_bp) for s in steps]
    db.session.add(markdown)
    db.session.flush()
    return markdown


def create_ageing_rule(*, name: str, steps: Sequence[StepInput], bearer: str, shared_bp: int | None = None,
                       producer: Producer | None = None, category: Category | None = None,
                       starts_on: date | None = None, ends_on: date | None = None, notes: str = "",
                       user: User | None) -> Markdown:
    """Mark a producer's (or a sub-category's) lots down as they age, e.g. 60 days −10 %, 90 days −25 %."""
    if (producer is None) == (category is None):
        raise DomainError(_l("Pilih satu produsen atau satu subkategori."), field="scope")
    if category is not None and category.parent_id is None:
        raise DomainError(_l("Pilih subkategori, bukan sektor."), field="scope")
    share = _share(bearer, shared_bp)
    if producer is not None:
        _require_consent(producer.id, share)
    start, end = _period(starts_on, ends_on, required_end=False)
    return _save(Markdown(kind=MarkdownKind.AGEING, name=_name(name), producer_id=producer.id if producer else None,
                          category_id=category.id if category else None, bearer=bearer, producer_share_bp=share,
                          starts_on=start, ends_on=end, notes=(notes or "").strip()[:1000], created_at=clock.utcnow(),
                          created_by_id=user.id if user else None), _check_steps(steps))


def put_on_sale(variant: Variant, *, name: str, discount_bp: int, bearer: str, shared_bp: int | None = None,
                starts_on: date | None = None, ends_on: date | None, notes: str = "", user: User | None) -> Markdown:
    """Put one variant on sale for a period, whoever bears it; the gallery alone bears at most its commission."""
    discount_bp = _check_discount(discount_bp)
    share = _share(bearer, shared_bp)
    producer = variant.product.producer
    _require_consent(producer.id, share)
    rate = commission_rate(variant, producer)
    gallery_bp = -(-discount_bp * (BASIS_POINTS - share) // BASIS_POINTS)  # the gallery's part, rounded up
    if gallery_bp > rate:
        raise DomainError(_l("Bagian galeri dari potongan ini melebihi komisinya (%(rate)s): kurangi potongannya "
                             "atau biarkan produsen ikut menanggung.", rate=format_basis_points(rate)),
                          field="discount")
    start, end = _period(starts_on, ends_on, required_end=True)
    return _save(Markdown(kind=MarkdownKind.SALE, name=_name(name), variant_id=variant.id, bearer=bearer,
                          producer_share_bp=share, starts_on=start, ends_on=end, notes=(notes or "").strip()[:1000],
                          created_at=clock.utcnow(), created_by_id=user.id if user else None),
                 [StepInput(0, discount_bp)])


def stop(markdown: Markdown, *, user: User | None) -> Markdown:
    """End a markdown now; sales already made keep the terms they froze."""
    if markdown.stopped_at is not None:
        raise DomainError(_l("Potongan harga ini sudah dihentikan."), field="markdown")
    markdown.stopped_at = clock.utcnow()
    markdown.stopped_by_id = user.id if user else None
    db.session.flush()
    return markdown


def markdown_list(include_ended: bool = False) -> list[Markdown]:
    """Markdowns for the staff list, running and future first (two statements: markdowns, their steps)."""
    statement = (select(Markdown)
                 .options(joinedload(Markdown.producer), joinedload(Markdown.category),
                          joinedload(Markdown.variant).joinedload(Variant.product), selectinload(Markdown.steps))
                 .order_by(Markdown.stopped_at.is_not(None), Markdown.starts_on.desc(), Markdown.id.desc()))
    if not include_ended:
        today = clock.today_wib()
        statement = statement.where(Markdown.stopped_at.is_(None),
                                    or_(Markdown.ends_on.is_(None), Markdown.ends_on >= today))
    return list(db.session.scalars(statement).unique())


BEARER_LABELS = {
    MarkdownBearer.GALLERY: _l("ditanggung galeri"),
    MarkdownBearer.PRODUCER: _l("ditanggung produsen"),
    MarkdownBearer.SHARED: _l("ditanggung bersama"),
}


def bearer_label(bearer: str | None, producer_share_bp: int | None = None) -> str:
    """Who bears a markdown, in words ("ditanggung bersama (produsen 50 %)")."""
    label = str(BEARER_LABELS.get(bearer or "", bearer or ""))
    if bearer == MarkdownBearer.SHARED and producer_share_bp:
        return f"{label} ({_l('produsen')} {format_basis_points(producer_share_bp)})"
    return label


def lot_facts(rows: Iterable) -> list[LotFacts]:
    """LotFacts from rows of (lot id, variant id, producer id, category id, received_at UTC)."""
    return [LotFacts(lot_id, variant_id, producer_id, category_id, clock.to_wib(received_at).date())
            for lot_id, variant_id, producer_id, category_id, received_at in rows]
