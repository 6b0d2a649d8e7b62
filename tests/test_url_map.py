"""Every route × method × role, with real ids from a fixture world, against the answers expected here.

A new route without an entry in EXPECTED fails `test_every_route_has_an_expected_answer` with the line
to add. POSTs are sent twice per role: without a CSRF token (400 for everyone) and, for roles that may
not use them, with a valid token (refused: login, 403 or 404); neither writes anything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, table

from gallery import clock
from gallery.accounts.models import Role
from gallery.extensions import db
from tests.factories import PASSWORD, csrf_token
from tests.portal.conftest import tariff, world  # noqa: F401  (fixtures: two producers with goods and sales)

ROLES = ("anonymous", "customer", "producer_a", "producer_b", "staff", "admin")
LOGIN = "login"  # a redirect to /login?next=…

# Who may open what. Each is role → expected answer (status code, or LOGIN).
PUBLIC = dict.fromkeys(ROLES, 200)
STAFF = {"anonymous": LOGIN, "customer": 403, "producer_a": 403, "producer_b": 403, "staff": 200, "admin": 200}
ADMIN = {**STAFF, "staff": 403}
PORTAL = {"anonymous": LOGIN, "customer": 403, "producer_a": 200, "producer_b": 200, "staff": 403, "admin": 403}
# A row of producer A: producer B gets 404, as if it did not exist.
OWN = {**PORTAL, "producer_b": 404}
SIGNED_IN = {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 200)}
# An order's own pages: its shopper opens them with the order's secret link (not used here), staff always.
ORDER_PAGE = {**dict.fromkeys(ROLES, 404), "staff": 200, "admin": 200}
# The customer's own pages (the address book): other roles are refused.
CUSTOMER = {"anonymous": LOGIN, "customer": 200, **dict.fromkeys(ROLES[2:], 403)}
# Pages for signing in or up: the signed in are sent home.
GUESTS = {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}


def found(expected: dict, status) -> dict:
    """The same roles, but `status` where the page would be shown (a redirect, a 404 for an unknown id…)."""
    return {role: (status if answer == 200 else answer) for role, answer in expected.items()}


# Which world id fills each URL argument, per rule (a name from the `ids` fixture, else the literal value).
@dataclass
class Expect:
    answers: dict
    args: dict = field(default_factory=dict)
    # Query string arguments a page needs, filled like `args`; a name may hold a world id too ("q{lot}").
    query: dict = field(default_factory=dict)

    def url(self, rule: str, ids: dict) -> str:
        """The rule's URL with real ids in its arguments and query string."""
        path = _fill(rule, {name: ids.get(value, value) for name, value in self.args.items()})
        if not self.query:
            return path
        return path + "?" + "&".join(f"{name.format_map(ids)}={ids.get(value, value)}"
                                     for name, value in self.query.items())


E = Expect
EXPECTED: dict[str, Expect] = {
    # storefront
    "GET /": E(PUBLIC),
    "GET /products": E(PUBLIC),
    "GET /products/<slug>": E(PUBLIC, {"slug": "product_slug"}),
    "GET /categories/<slug>": E(found(PUBLIC, 301), {"slug": "category_slug"}),
    "GET /producers": E(PUBLIC),
    "GET /producers/<slug>": E(PUBLIC, {"slug": "producer_slug"}),
    "GET /media/products/<key>-<size>.<extension>": E(found(PUBLIC, 404), {"key": "missing_key", "size": "card",
                                                                          "extension": "webp"}),
    "GET /statistics": E(PUBLIC),
    "GET /partners": E(PUBLIC),
    "GET /partners/inquire": E(PUBLIC),
    "GET /partners/inquire/sent": E(PUBLIC),
    "GET /api/shipping/quote": E(found(PUBLIC, 400)),
    "GET /api/search/suggest": E(PUBLIC),
    "GET /payments/midtrans/return": E(found(PUBLIC, 404)),  # Midtrans is not configured in the tests' app
    "GET /healthz": E(PUBLIC),
    "GET /static/<path:filename>": E(PUBLIC, {"filename": "static_file"}),
    "GET /cart": E(PUBLIC),
    "GET /checkout": E(found(PUBLIC, 303)),
    "GET /orders/<number>": E(found(PUBLIC, 404), {"number": "delivery"}),  # without its access token
    "GET /orders/<number>/pay": E(ORDER_PAGE, {"number": "pending"}),
    "GET /orders/<number>/payment": E(ORDER_PAGE, {"number": "pending"}),
    "GET /orders/<number>/payment/<int:payment_id>/proof.jpg": E(found(PUBLIC, 404),
                                                                {"number": "pending", "payment_id": "payment"}),
    "GET /account/orders": E(SIGNED_IN),
    "GET /orders/track": E(PUBLIC),
    "GET /orders/<number>/reviews/<int:line_id>": E(found(PUBLIC, 404), {"number": "delivery", "line_id": "1"}),
    "GET /account/addresses": E(CUSTOMER),
    "GET /account/addresses/new": E(CUSTOMER),
    "GET /account/addresses/<int:address_id>": E(found(CUSTOMER, 404), {"address_id": "1"}),  # not theirs
    # accounts
    "GET /login": E(GUESTS),
    "GET /register": E(GUESTS),
    "GET /register/confirm/<token>": E(found(PUBLIC, 302), {"token": "bad_token"}),
    "GET /forgot-password": E(PUBLIC),
    "GET /reset-password/<token>": E(found(PUBLIC, 302), {"token": "bad_token"}),
    # back office
    "GET /staff": E(STAFF),
    "GET /staff/orders": E(STAFF),
    "GET /staff/orders/<number>": E(STAFF, {"number": "delivery"}),
    "GET /staff/orders/<number>/label": E(STAFF, {"number": "delivery"}),
    "GET /staff/orders/<number>/packing-slip": E(STAFF, {"number": "delivery"}),
    "GET /staff/counter": E(STAFF),
    "GET /staff/counter/receipts/<number>": E(STAFF, {"number": "counter"}),
    "GET /staff/payments": E(STAFF),
    "GET /staff/payments/orders/<number>": E(STAFF, {"number": "delivery"}),
    "GET /staff/payments/<int:payment_id>/proof.jpg": E(found(STAFF, 404), {"payment_id": "payment"}),
    "GET /staff/receipts": E(STAFF),
    "GET /staff/receipts/new": E(STAFF),
    "GET /staff/receipts/<number>": E(STAFF, {"number": "receipt"}),
    "GET /staff/returns": E(STAFF),
    "GET /staff/returns/new": E(STAFF),
    "GET /staff/returns/<number>": E(STAFF, {"number": "my_return"}),
    "GET /staff/lots/<int:lot_id>": E(STAFF, {"lot_id": "lot"}),
    "GET /staff/stock": E(STAFF),
    "GET /staff/stock.csv": E(STAFF),
    "GET /staff/stock/expiring": E(STAFF),
    "GET /staff/stock/expiring.csv": E(STAFF),
    "GET /staff/stock/low": E(STAFF),
    "GET /staff/stock/low.csv": E(STAFF),
    "GET /staff/stock/slow": E(STAFF),
    "GET /staff/stock/slow.csv": E(STAFF),
    "GET /staff/stocktakes": E(STAFF),
    "GET /staff/stocktakes/<number>": E(STAFF, {"number": "stocktake"}),
    "GET /staff/producers": E(STAFF),
    "GET /staff/producers/new": E(STAFF),
    "GET /staff/producers/<int:producer_id>": E(STAFF, {"producer_id": "producer_a"}),
    "GET /staff/producers/<int:producer_id>/edit": E(STAFF, {"producer_id": "producer_a"}),
    "GET /staff/producers/import": E(STAFF),
    "GET /staff/profile-requests": E(STAFF),
    "GET /staff/classifications": E(STAFF),
    "GET /staff/reports/registry": E(STAFF),
    "GET /staff/partners": E(STAFF),
    "GET /staff/partners/<int:inquiry_id>": E(STAFF, {"inquiry_id": "inquiry"}),
    "GET /staff/partners/events": E(STAFF),
    "GET /staff/partners/events/<int:event_id>": E(STAFF, {"event_id": "event"}),
    "GET /staff/partners/report": E(STAFF),
    "GET /staff/settlements/": E(STAFF),
    "GET /staff/settlements/reconciliation": E(STAFF),
    "GET /staff/settlements/transfer-batch.xlsx": E(STAFF),
    "GET /staff/settlements/<number>": E(STAFF, {"number": "statement"}),
    "GET /staff/settlements/<number>.csv": E(STAFF, {"number": "statement"}),
    "GET /staff/settlements/<number>.pdf": E(STAFF, {"number": "statement"}),
    "GET /staff/shipping/tariffs": E(STAFF),
    "GET /staff/shipping/tariffs/active.csv": E(STAFF),
    "GET /staff/shipping/tariffs/<int:version_id>.csv": E(STAFF, {"version_id": "tariff_version"}),
    "GET /staff/shipping/services/new": E(ADMIN),
    "GET /staff/shipping/services/<int:service_id>": E(ADMIN, {"service_id": "service"}),
    "GET /staff/products": E(STAFF),
    "GET /staff/payments/cod": E(STAFF),
    "GET /staff/consignment/expiring": E(STAFF),
    "GET /staff/consignment/producers/<int:producer_id>/terms": E(STAFF, {"producer_id": "producer_a"}),
    "GET /staff/markdowns": E(STAFF),
    "GET /staff/markdowns/rules/new": E(STAFF),
    "GET /staff/markdowns/sales/new": E(STAFF, query={"variant": "variant"}),
    "GET /staff/tags": E(STAFF, query={"receipt": "receipt"}),
    "GET /staff/tags/print": E(STAFF, query={"layout": "a4-3x8", "lot": "lot", "q{lot}": "2"}),
    "GET /staff/tags/layout.css": E(STAFF, query={"layout": "a4-3x8"}),
    "GET /staff/counter/qris/<number>": E(found(STAFF, 302), {"number": "counter"}),  # paid: on to its receipt
    "GET /staff/products/new": E(STAFF),
    "GET /staff/products/<int:product_id>/edit": E(STAFF, {"product_id": "product"}),
    "GET /staff/products/<int:product_id>/history": E(STAFF, {"product_id": "product"}),
    "GET /staff/products/export.csv": E(STAFF),
    "GET /staff/products/import": E(STAFF),
    "GET /staff/products/proposals": E(STAFF),
    "GET /staff/products/proposals/<int:proposal_id>": E(STAFF, {"proposal_id": "proposal"}),
    "GET /staff/settlements/<number>/proof": E(found(STAFF, 404), {"number": "statement"}),  # not paid yet
    "GET /staff/notifications": E(STAFF),
    "GET /staff/reviews": E(STAFF),
    "GET /staff/orders/tracking/import": E(STAFF),
    # the producer's portal
    "GET /portal": E(PORTAL),
    "GET /portal/stock": E(PORTAL),
    "GET /portal/sales": E(PORTAL),
    "GET /portal/statements": E(PORTAL),
    "GET /portal/statements/<number>": E(OWN, {"number": "statement"}),
    "GET /portal/statements/<number>.csv": E(OWN, {"number": "statement"}),
    "GET /portal/statements/<number>.pdf": E(OWN, {"number": "statement"}),
    "GET /portal/receipts/<number>": E(OWN, {"number": "receipt"}),
    "GET /portal/returns/<number>": E(OWN, {"number": "my_return"}),
    "GET /portal/profile": E(PORTAL),
    "GET /portal/reviews": E(PORTAL),
    "GET /portal/partners": E(PORTAL),
    "GET /portal/partners/<int:inquiry_id>": E(OWN, {"inquiry_id": "inquiry"}),
    "GET /portal/partners/events": E(PORTAL),
    "GET /portal/products": E(PORTAL),
    "GET /portal/products/propose": E(PORTAL),
    "GET /portal/products/<int:product_id>/propose": E(OWN, {"product_id": "unproposed_product"}),
    "GET /portal/products/proposals/<int:proposal_id>": E(OWN, {"proposal_id": "proposal"}),
    # POSTs: who may use each (the others are refused without a write)
    "POST /login": E(PUBLIC),
    "POST /logout": E(PUBLIC),
    "POST /register": E(PUBLIC),
    "POST /forgot-password": E(PUBLIC),
    "POST /reset-password/<token>": E(PUBLIC, {"token": "bad_token"}),
    "POST /cart/add": E(PUBLIC),
    "POST /cart/update": E(PUBLIC),
    "POST /cart/remove": E(PUBLIC),
    "POST /checkout": E(PUBLIC),
    "POST /orders/track": E(PUBLIC),
    "POST /orders/<number>/reviews/<int:line_id>": E(PUBLIC, {"number": "delivery", "line_id": "1"}),
    "POST /staff/reviews/<int:review_id>/moderate": E(STAFF, {"review_id": "1"}),
    "POST /portal/reviews/<int:review_id>/reply": E(PORTAL, {"review_id": "1"}),
    "POST /orders/<number>/problem": E(PUBLIC, {"number": "delivery"}),
    "POST /account/addresses/new": E(CUSTOMER),
    "POST /account/addresses/<int:address_id>": E(CUSTOMER, {"address_id": "1"}),
    "POST /account/addresses/<int:address_id>/default": E(CUSTOMER, {"address_id": "1"}),
    "POST /account/addresses/<int:address_id>/delete": E(CUSTOMER, {"address_id": "1"}),
    "POST /staff/notifications/<int:message_id>/resend": E(STAFF, {"message_id": "1"}),
    "POST /staff/orders/<number>/tracking": E(STAFF, {"number": "delivery"}),
    "POST /staff/orders/tracking/import": E(STAFF),
    "POST /partners/inquire": E(PUBLIC),
    "POST /orders/<number>/pay/<method>": E(PUBLIC, {"number": "pending", "method": "bank_transfer"}),
    "POST /orders/<number>/payment/<int:payment_id>/proof": E(PUBLIC, {"number": "pending", "payment_id": "payment"}),
    "POST /payments/stripe/webhook": E(PUBLIC),
    "POST /payments/midtrans/notification": E(PUBLIC),
    "POST /staff/counter": E(STAFF),
    "POST /staff/orders/<number>/cancel": E(STAFF, {"number": "pending"}),
    "POST /staff/orders/<number>/complete": E(STAFF, {"number": "delivery"}),
    "POST /staff/orders/<number>/packed": E(STAFF, {"number": "pending"}),
    "POST /staff/orders/<number>/paid": E(STAFF, {"number": "pending"}),
    "POST /staff/orders/<number>/picked-up": E(STAFF, {"number": "pending"}),
    "POST /staff/orders/<number>/ship": E(STAFF, {"number": "pending"}),
    "POST /staff/payments/<int:payment_id>/confirm": E(STAFF, {"payment_id": "payment"}),
    "POST /staff/payments/<int:payment_id>/reject": E(STAFF, {"payment_id": "payment"}),
    "POST /staff/payments/orders/<number>/refund": E(STAFF, {"number": "delivery"}),
    "POST /staff/receipts/new": E(STAFF),
    "POST /staff/returns/new": E(STAFF),
    "POST /staff/lots/<int:lot_id>/correction": E(STAFF, {"lot_id": "lot"}),
    "POST /staff/lots/<int:lot_id>/write-off": E(STAFF, {"lot_id": "lot"}),
    "POST /staff/stocktakes": E(STAFF),
    "POST /staff/stocktakes/<number>": E(STAFF, {"number": "stocktake"}),
    "POST /staff/stocktakes/<number>/cancel": E(STAFF, {"number": "stocktake"}),
    "POST /staff/stocktakes/<number>/confirm": E(STAFF, {"number": "stocktake"}),
    "POST /staff/producers/new": E(STAFF),
    "POST /staff/producers/<int:producer_id>/edit": E(STAFF, {"producer_id": "producer_a"}),
    "POST /staff/producers/<int:producer_id>/active": E(STAFF, {"producer_id": "producer_a"}),
    "POST /staff/producers/<int:producer_id>/certificates": E(STAFF, {"producer_id": "producer_a"}),
    "POST /staff/producers/<int:producer_id>/certificates/<int:certificate_id>/delete": E(
        STAFF, {"producer_id": "producer_a", "certificate_id": "certificate"}),
    "POST /staff/producers/import": E(STAFF),
    "POST /staff/producers/import/confirm": E(STAFF),
    "POST /staff/profile-requests/<int:request_id>/approve": E(STAFF, {"request_id": "profile_request"}),
    "POST /staff/profile-requests/<int:request_id>/reject": E(STAFF, {"request_id": "profile_request"}),
    "POST /staff/classifications": E(STAFF),
    "POST /staff/partners/<int:inquiry_id>/forward": E(STAFF, {"inquiry_id": "inquiry"}),
    "POST /staff/partners/<int:inquiry_id>/note": E(STAFF, {"inquiry_id": "inquiry"}),
    "POST /staff/partners/<int:inquiry_id>/status": E(STAFF, {"inquiry_id": "inquiry"}),
    "POST /staff/partners/events": E(STAFF),
    "POST /staff/partners/events/<int:event_id>/pairings": E(STAFF, {"event_id": "event"}),
    "POST /staff/partners/events/<int:event_id>/participants": E(STAFF, {"event_id": "event"}),
    "POST /staff/partners/pairings/<int:pairing_id>/partnership": E(STAFF, {"pairing_id": "pairing"}),
    "POST /staff/settlements/generate": E(STAFF),
    "POST /staff/settlements/<number>/approve": E(ADMIN, {"number": "statement"}),
    "POST /staff/settlements/<number>/delete": E(STAFF, {"number": "statement"}),
    "POST /staff/settlements/<number>/pay": E(STAFF, {"number": "statement"}),
    "POST /staff/shipping/tariffs/preview": E(ADMIN),
    "POST /staff/shipping/tariffs/confirm": E(ADMIN),
    "POST /staff/shipping/services/new": E(ADMIN),
    "POST /staff/shipping/services/<int:service_id>": E(ADMIN, {"service_id": "service"}),
    "POST /staff/orders/<number>/swap/<int:allocation_id>": E(STAFF, {"number": "delivery",
                                                                     "allocation_id": "allocation"}),
    "POST /staff/products/new": E(STAFF),
    "POST /staff/payments/cod": E(STAFF),
    "POST /staff/consignment/expiring": E(STAFF),
    "POST /staff/consignment/producers/<int:producer_id>/terms": E(STAFF, {"producer_id": "producer_a"}),
    "POST /staff/markdowns/<int:markdown_id>/stop": E(STAFF, {"markdown_id": "1"}),  # refused before any lookup
    "POST /staff/markdowns/rules/new": E(STAFF),
    "POST /staff/markdowns/sales/new": E(STAFF),
    "POST /staff/counter/qris/<number>/cancel": E(STAFF, {"number": "counter"}),
    "POST /staff/orders/<number>/returned": E(STAFF, {"number": "delivery"}),
    "POST /staff/products/import": E(STAFF),
    "POST /staff/products/import/confirm": E(STAFF),
    "POST /staff/products/<int:product_id>/edit": E(STAFF, {"product_id": "product"}),
    "POST /staff/products/<int:product_id>/photos": E(STAFF, {"product_id": "product"}),
    "POST /staff/products/<int:product_id>/photos/arrange": E(STAFF, {"product_id": "product"}),
    "POST /staff/products/<int:product_id>/photos/<int:image_id>/delete": E(STAFF, {"product_id": "product",
                                                                                   "image_id": "image"}),
    "POST /staff/products/<int:product_id>/photos/<int:image_id>/main": E(STAFF, {"product_id": "product",
                                                                                 "image_id": "image"}),
    "POST /staff/products/<int:product_id>/variants/<int:variant_id>/remove": E(STAFF, {"product_id": "product",
                                                                                       "variant_id": "variant"}),
    "POST /staff/products/proposals/<int:proposal_id>/<any(approve, changes, reject):decision>": E(
        STAFF, {"proposal_id": "proposal", "decision": "approve"}),
    "POST /portal/profile": E(PORTAL),
    "POST /portal/profile/channels": E(PORTAL),
    "POST /portal/partners/<int:inquiry_id>": E(OWN, {"inquiry_id": "inquiry"}),
    "POST /portal/partners/events/<int:event_id>/register": E(PORTAL, {"event_id": "event"}),
    "POST /portal/products/propose": E(PORTAL),
    "POST /portal/products/<int:product_id>/propose": E(OWN, {"product_id": "unproposed_product"}),
    "POST /portal/products/proposals/<int:proposal_id>": E(OWN, {"proposal_id": "proposal"}),
}
# POSTs that need no CSRF token because no browser sends them (Stripe and Midtrans sign their notifications).
CSRF_EXEMPT = {"POST /payments/stripe/webhook", "POST /payments/midtrans/notification"}


def rule_keys(app) -> list[tuple[str, object]]:
    """('METHOD /rule', rule) for every rule and method the app serves (HEAD and OPTIONS are Flask's)."""
    keys = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            keys.append((f"{method} {rule.rule}", rule))
    return sorted(keys, key=lambda item: item[0])


def test_every_route_has_an_expected_answer(app):
    missing = [key for key, _ in rule_keys(app) if key not in EXPECTED]
    stale = sorted(set(EXPECTED) - {key for key, _ in rule_keys(app)})
    assert not missing, (
        "Routes without an expected answer per role. Add to EXPECTED in tests/test_url_map.py, e.g.\n"
        + "\n".join(f'    "{key}": E(STAFF{_args_hint(key)}),' for key in missing)
        + "\n(PUBLIC, STAFF, ADMIN, PORTAL or OWN; name the world id for each <argument>.)"
    )
    assert not stale, f"EXPECTED names routes that no longer exist: {stale}"


def _args_hint(key: str) -> str:
    names = re.findall(r"<(?:\w+:)?(\w+)>", key)
    return (", {" + ", ".join(f'"{name}": "…"' for name in names) + "}") if names else ""


# --- the world --------------------------------------------------------------------------------------


@pytest.fixture
def ids(world, make):
    """Real ids for the URL arguments, from the portal's world plus what it lacks."""
    from gallery.catalog.models import ProducerCertificate
    from gallery.consignment.documents import start_stock_take
    from gallery.partners import services as partners
    from gallery.partners.models import InquiryKind
    from gallery.payments.models import Payment
    from gallery.portal.services import request_change
    from gallery.settlements import statements as settlements
    from gallery.shipping.models import ShippingService, TariffVersion

    admin = make.user(Role.ADMIN)
    stocktake = start_stock_take(producer=world.me, user=world.staff)
    db.session.commit()
    clock.freeze(datetime(2026, 12, 2, 10, 0, tzinfo=clock.WIB))  # November is over: its statements can be made
    statement = settlements.generate(settlements.Period.month(2026, 11), producer_id=world.me.id,
                                     user=world.staff).created[0]
    from gallery.settlements.models import Statement

    settlements.approve(db.session.scalar(select(Statement).where(Statement.number == statement)), user=admin)
    db.session.commit()  # approved: the producer sees it (drafts stay in the back office)
    from gallery.orders.cli import expire_due_orders

    expire_due_orders()  # as cron would have: opening the unpaid order must not be what expires it
    db.session.commit()
    inquiry = partners.submit_inquiry(partners.InquiryInput(
        kind=InquiryKind.RESELLER, name="Dewi Mitra", organisation="Toko Minang", email="dewi@contoh.id",
        whatsapp="081277778888", city="Pekanbaru", message="Kami ingin menjadi reseller rendang Anda.",
        producer_id=world.me.id))
    db.session.commit()
    partners.forward_inquiry(inquiry, world.me.id, world.staff)
    db.session.commit()
    event = partners.create_event(partners.EventInput(title="Temu Bisnis Uji", held_on=date(2026, 12, 20),
                                                      place="Painan"), world.staff)
    db.session.commit()
    partners.add_participant(event, world.me.id, world.staff)
    db.session.commit()
    pairing = partners.record_pairing(event, world.me.id, "Mitra Uji", "Toko Uji", world.staff)
    db.session.commit()
    profile_request = request_change(world.me, {"story": "Cerita baru yang cukup panjang."}, user=world.me_user)
    db.session.commit()
    certificate = ProducerCertificate(producer_id=world.me.id, kind="halal", number="ID-UJI-1")
    db.session.add(certificate)
    db.session.commit()
    from gallery.catalog import proposals
    from gallery.catalog.models import ProductImage
    from gallery.orders.models import OrderAllocation

    product = world.rendang.product
    proposal = proposals.propose(world.me, proposals.ProposalInput(
        name="Rendang Lokan Uji Baru", category_id=product.category_id, description="Resep baru."),
        user=world.me_user, product=product)
    import io

    from PIL import Image

    from gallery.catalog.images import store_image

    picture = io.BytesIO()
    Image.new("RGB", (400, 300), (170, 60, 40)).save(picture, "PNG")
    stored = store_image(picture.getvalue())
    image = ProductImage(product_id=product.id, key=stored.key, alt="Rendang", width=stored.width,
                         height=stored.height)
    db.session.add(image)
    db.session.commit()
    return {
        "users": {"customer": make.user(Role.CUSTOMER), "producer_a": world.me_user, "producer_b": world.other_user,
                  "staff": world.staff, "admin": admin},
        "product_slug": world.rendang.product.slug,
        "category_slug": world.rendang.product.category.slug,
        "producer_slug": world.me.slug,
        "missing_key": "0" * 32,
        "static_file": "css/shop.css",
        "delivery": world.delivery.number,
        "pending": world.pending.number,
        "counter": world.counter.number,
        "payment": db.session.scalar(select(func.min(Payment.id))),
        "bad_token": "not-a-token",
        "receipt": world.receipt.number,
        "my_return": world.my_return.number,
        "lot": world.receipt.lots[0].id,
        "stocktake": stocktake.number,
        "producer_a": world.me.id,
        "certificate": certificate.id,
        "product": product.id,
        "unproposed_product": world.galamai.product.id,
        "variant": world.rendang.id,
        "image": image.id,
        "proposal": proposal.id,
        "allocation": db.session.scalar(select(func.min(OrderAllocation.id))),
        "profile_request": profile_request.id,
        "inquiry": inquiry.id,
        "event": event.id,
        "pairing": pairing.id,
        "statement": statement,
        "tariff_version": db.session.scalar(select(func.min(TariffVersion.id))),
        "service": db.session.scalar(select(func.min(ShippingService.id))),
    }


def row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {t.name: db.session.scalar(select(func.count()).select_from(table(t.name)))
            for t in db.metadata.sorted_tables}


def answer_of(response) -> object:
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    return response.status_code


def test_each_route_answers_each_role_as_expected_and_refused_posts_write_nothing(app, ids, make):
    clients = {"anonymous": app.test_client()}
    for role, user in ids["users"].items():
        clients[role] = app.test_client()
        assert make.login(clients[role], user, PASSWORD).status_code == 302, role
    tokens = {role: csrf_token(client, "/forgot-password") for role, client in clients.items()}
    before = row_counts()
    wrong = []
    for key, rule in rule_keys(app):
        method, path = key.split(" ", 1)
        expect = EXPECTED[key]
        url = expect.url(rule.rule, ids)
        for role in ROLES:
            client = clients[role]
            if method == "GET":
                got = answer_of(client.get(url))
                if got != expect.answers[role]:
                    wrong.append(f"{key} as {role}: expected {expect.answers[role]}, got {got}")
                continue
            # Without a CSRF token: refused with 400 before anything else happens.
            if key not in CSRF_EXEMPT:
                got = client.post(url, data={}).status_code
                if got != 400:
                    wrong.append(f"{key} as {role} without CSRF token: expected 400, got {got}")
            # With a valid token but the wrong role: refused.
            if expect.answers[role] != 200:
                got = answer_of(client.post(url, data={"csrf_token": tokens[role]}))
                if got != expect.answers[role]:
                    wrong.append(f"{key} as {role}: expected {expect.answers[role]}, got {got}")
    assert not wrong, "\n".join(wrong)
    assert row_counts() == before


def _fill(template: str, values: dict) -> str:
    def replace(match):
        return str(values[match.group(1)])

    return re.sub(r"<(?:[\w]+(?:\([^)]*\))?:)?(\w+)>", replace, template)


def test_a_new_route_under_staff_or_portal_is_guarded_and_must_be_added_to_the_table(app, make):
    from flask import Blueprint

    from config import TestingConfig
    from gallery import create_app
    from gallery.extensions import limiter
    from tests.conftest import IsolatedClient

    # Given a blueprint that adds screens and checks no role itself
    application = create_app(TestingConfig)
    application.test_client_class = IsolatedClient
    extra = Blueprint("extra_screens", __name__)
    extra.add_url_rule("/staff/something-new", "staff_new", lambda: "rahasia staf")
    extra.add_url_rule("/portal/something-new/<int:item_id>", "portal_new", lambda item_id: "rahasia produsen")
    application.register_blueprint(extra)
    try:
        # Then the area guards keep strangers out of both
        anonymous, customer = application.test_client(), application.test_client()
        make.login(customer, make.user(Role.CUSTOMER))
        assert answer_of(anonymous.get("/staff/something-new")) == LOGIN
        assert customer.get("/staff/something-new").status_code == 403
        assert customer.get("/portal/something-new/1").status_code == 403
        staff = application.test_client()
        make.login(staff, make.user(Role.STAFF))
        assert staff.get("/staff/something-new").get_data(as_text=True) == "rahasia staf"
        assert staff.get("/portal/something-new/1").status_code == 403
        # and the route table test names the missing entries, ready to paste
        with pytest.raises(AssertionError) as missing:
            test_every_route_has_an_expected_answer(application)
        assert '"GET /staff/something-new": E(STAFF),' in str(missing.value)
        assert '"GET /portal/something-new/<int:item_id>": E(STAFF, {"item_id": "…"}),' in str(missing.value)
    finally:
        limiter.init_app(app)  # the limiter follows the last app built; hand it back to the suite's
