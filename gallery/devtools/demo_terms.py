"""Demo consignment terms, portal views and markdowns: what a gallery would have agreed with its producers.

Terms are set before the demo's deliveries (so their lots' terms follow them) and give the expiring list
lots in every stage, a few in grace; the portal settings put producers on each view; an ageing markdown
and a sale are running once the history is written (so the demo's past sales stay as they were).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from gallery import clock
from gallery.catalog.models import Producer, Product, Variant
from gallery.consignment.markdown_models import MarkdownBearer
from gallery.consignment.markdowns import StepInput, create_ageing_rule, put_on_sale
from gallery.consignment.term_models import EndAction
from gallery.consignment.terms import TermsInput, set_terms
from gallery.extensions import db
from gallery.portal.visibility import set_visibility

# slug: (term days, grace days, donation consent, markdown consent)
TERMS = {
    "anyaman-pandan-nagari-sutera": (75, 14, False, True),
    "kerajinan-kerang-carocok": (80, 10, True, False),
    "ukiran-kayu-lengayang": (85, 14, True, True),
    "tas-rotan-lunang-silaut": (75, 21, False, False),
    "rendang-lokan-amak-painan": (None, None, False, True),
}
# slug: (detail, shows commission and shelf price); the demo producer account keeps the full view.
VIEWS = {
    "galamai-bu-ros": ("summary", True),
    "kopi-bukit-bayang": ("summary", False),
    "songket-koto-xi-tarusan": ("detailed", False),
    "sulaman-kasih-bayang": ("detailed", True),
}


def _producers() -> dict[str, Producer]:
    return {producer.slug: producer for producer in db.session.scalars(select(Producer))}


def set_demo_terms(admin) -> int:
    """Own terms for a few producers (before their goods arrive) and what some of them see in the portal."""
    producers, consented = _producers(), clock.today_wib() - timedelta(days=200)
    for slug, (term, grace, donate, markdowns) in TERMS.items():
        if slug in producers:
            set_terms(producers[slug], TermsInput(
                term_days=term, grace_days=grace, end_action=EndAction.DONATE if donate else None,
                donation_consent_on=consented if donate else None, markdown_consent_on=consented if markdowns else None),
                user=admin)
    for slug, (detail, shows) in VIEWS.items():
        if slug in producers:
            set_visibility(producers[slug], detail, shows, user=admin)
    return len(TERMS) + len(VIEWS)


def start_demo_markdowns(staff) -> int:
    """A markdown as the pandan weaver's stock ages (shared half and half) and a two-week sale the gallery bears."""
    producers, today = _producers(), clock.today_wib()
    count = 0
    if (weaver := producers.get("anyaman-pandan-nagari-sutera")) is not None:
        create_ageing_rule(name="Anyaman lama di rak", producer=weaver, bearer=MarkdownBearer.SHARED, shared_bp=5000,
                           steps=[StepInput(60, 1000), StepInput(90, 2500)], user=staff,
                           notes="Disepakati dengan Ibu Darmawati")
        count += 1
    variant = db.session.scalar(
        select(Variant).join(Product, Product.id == Variant.product_id).join(Producer, Producer.id == Product.producer_id)
        .where(Producer.slug == "rendang-lokan-amak-painan").order_by(Variant.id).limit(1))
    if variant is not None:
        put_on_sale(variant, name="Promo Hari Jadi Pesisir Selatan", discount_bp=1000, bearer=MarkdownBearer.GALLERY,
                    ends_on=today + timedelta(days=14), user=staff)
        count += 1
    return count
