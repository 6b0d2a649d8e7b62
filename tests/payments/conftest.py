"""Fakes of the Stripe API and of Midtrans on 127.0.0.1 (threads), signed notifications, and orders to pay."""
from __future__ import annotations

import itertools
import json
import threading
import time

import pytest
import stripe
from werkzeug.wrappers import Request, Response

from gallery.orders.placing import CartLine, Contact
from tests.edges import place_order
from gallery.shipping.addresses import Address
from tests.fake_servers import serving
from tests.payments.midtrans_fake import CLIENT_KEY, SERVER_KEY, FakeMidtrans
from tests.orders.conftest import JAKARTA_PUSAT, tariff  # noqa: F401  (fixture)

WEBHOOK_SECRET = "whsec_test_secret"
SHOPPER = Contact("Siti Rahma", "siti@contoh.id", "0812 3456 7890")
GAMBIR = Address(*JAKARTA_PUSAT, street="Jl. Medan Merdeka Barat No. 12", postal_code="10110")


class FakeStripe:
    """The three endpoints the shop calls, with realistic JSON, recording every request."""

    def __init__(self):
        self.requests: list[dict] = []
        self.sessions: dict[str, dict] = {}
        self.refunds: list[dict] = []
        self._by_key: dict[str, tuple[int, dict]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.fail_next = False
        self.before = None  # called with (method, path, idempotency key) as a request arrives

    def __call__(self, environ, start_response):
        request = Request(environ)
        form = request.form.to_dict()
        key = request.headers.get("Idempotency-Key")
        if self.before is not None:
            self.before(request.method, request.path, key)
        with self._lock:
            self.requests.append({"method": request.method, "path": request.path, "form": form,
                                  "idempotency_key": key, "auth": request.headers.get("Authorization")})
            if self.fail_next:
                self.fail_next = False
                status, body = 500, {"error": {"type": "api_error", "message": "Stripe is down"}}
            elif key and (request.method, request.path, key) in self._by_key:
                status, body = self._by_key[(request.method, request.path, key)]
            else:
                status, body = self._route(request.method, request.path, form)
                if key:
                    self._by_key[(request.method, request.path, key)] = (status, body)
        return Response(json.dumps(body), status=status, content_type="application/json")(environ, start_response)

    def _route(self, method, path, form):
        if method == "POST" and path == "/v1/checkout/sessions":
            n = next(self._ids)
            total, i = 0, 0
            while f"line_items[{i}][quantity]" in form:
                total += int(form[f"line_items[{i}][price_data][unit_amount]"]) * int(form[f"line_items[{i}][quantity]"])
                i += 1
            session_id = f"cs_test_{n:04d}"
            session = {
                "id": session_id, "object": "checkout.session", "mode": "payment",
                "url": f"https://checkout.stripe.com/c/pay/{session_id}", "amount_total": total,
                "amount_subtotal": total, "currency": form.get("line_items[0][price_data][currency]", "idr"),
                "status": "open", "payment_status": "unpaid", "payment_intent": None,
                "client_reference_id": form.get("client_reference_id"),
                "metadata": {k[len("metadata["):-1]: v for k, v in form.items()
                             if k.startswith("metadata[") and k.count("[") == 1},
                "expires_at": int(form["expires_at"]), "livemode": False,
            }
            self.sessions[session_id] = session
            return 200, session
        if method == "GET" and path.startswith("/v1/checkout/sessions/"):
            session = self.sessions.get(path.rsplit("/", 1)[-1])
            if session is None:
                return 404, {"error": {"type": "invalid_request_error", "message": "No such checkout.session"}}
            return 200, session
        if method == "POST" and path == "/v1/refunds":
            refund = {"id": f"re_test_{next(self._ids):04d}", "object": "refund", "status": "succeeded",
                      "payment_intent": form.get("payment_intent"), "currency": "idr",
                      "amount": int(form["amount"]) if "amount" in form else None}
            self.refunds.append(refund)
            return 200, refund
        return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL {path}"}}

    def of(self, method, path):
        return [r for r in self.requests if r["method"] == method and r["path"] == path]

    def pay(self, session_id: str, intent: str | None = None) -> dict:
        """What Stripe's session looks like once the shopper paid."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid", payment_intent=intent or f"pi_{session_id[3:]}")
        return session


@pytest.fixture(scope="session")
def fake_stripe_server():
    with serving(FakeStripe()) as fake:
        yield fake


@pytest.fixture
def fake_stripe(app, fake_stripe_server):
    """Stripe switched on for this test and pointed at the fake API."""
    fake = fake_stripe_server
    fake.requests.clear()
    fake.refunds.clear()
    fake.fail_next = False
    fake.before = None
    saved = {k: app.config.get(k) for k in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE")}
    app.config.update(STRIPE_SECRET_KEY="sk_test_fake", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=fake.url)
    yield fake
    app.config.update(saved)


@pytest.fixture(scope="session")
def fake_midtrans_server():
    with serving(FakeMidtrans()) as fake:
        yield fake


MIDTRANS_SETTINGS = ("MIDTRANS_SERVER_KEY", "MIDTRANS_CLIENT_KEY", "MIDTRANS_SNAP_BASE_URL", "MIDTRANS_API_BASE_URL")


@pytest.fixture
def fake_midtrans(app, fake_midtrans_server):
    """Midtrans switched on for this test, its Snap and Core API addresses pointed at the fake."""
    fake = fake_midtrans_server
    fake.reset()
    saved = {k: app.config.get(k) for k in MIDTRANS_SETTINGS}
    app.config.update(MIDTRANS_SERVER_KEY=SERVER_KEY, MIDTRANS_CLIENT_KEY=CLIENT_KEY,
                      MIDTRANS_SNAP_BASE_URL=f"{fake.url}/snap/v1", MIDTRANS_API_BASE_URL=fake.url)
    yield fake
    app.config.update(saved)


def notify(client, body: dict):
    """POST a notification to the shop as Midtrans does (JSON)."""
    return client.post("/payments/midtrans/notification", data=json.dumps(body),
                       headers={"Content-Type": "application/json"})


def signed(event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[str, dict]:
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp or int(time.time()))
    return payload, {"Stripe-Signature": header, "Content-Type": "application/json"}


def post_event(client, event: dict, **kwargs):
    payload, headers = signed(event, **kwargs)
    return client.post("/payments/stripe/webhook", data=payload, headers=headers)


_event_ids = itertools.count(1)


def event(kind: str, session: dict, event_id: str | None = None) -> dict:
    return {"id": event_id or f"evt_test_{next(_event_ids):06d}", "object": "event", "type": kind,
            "api_version": "2025-01-27", "created": int(time.time()), "livemode": False,
            "data": {"object": dict(session)}}


@pytest.fixture
def shelf(make):
    rendang = make.product(name="Rendang Lokan", category="rendang", variants=[("250 g", 65_000, 300)])
    songket = make.product(name="Selendang Songket", category="songket", variants=[("Merah", 450_000, 400)])
    make.stock(rendang.variants[0], 5, payout=50_000)
    make.stock(songket.variants[0], 1, payout=380_000)
    return rendang.variants[0], songket.variants[0]


@pytest.fixture
def delivery_order(tariff, shelf):  # noqa: F811
    rendang, songket = shelf

    def build(quantity=2, with_songket=True):
        lines = [CartLine(rendang.id, quantity)] + ([CartLine(songket.id, 1)] if with_songket else [])
        return place_order(lines, SHOPPER, fulfilment="delivery", address=GAMBIR, service_code="POS_REG")
    return build


@pytest.fixture
def pickup_order(shelf):
    rendang, _ = shelf

    def build(quantity=1):
        return place_order([CartLine(rendang.id, quantity)], SHOPPER, fulfilment="pickup")
    return build


@pytest.fixture
def mail_outbox(app):
    outbox = app.extensions["mailman"].outbox = []
    return outbox
