"""The WhatsApp fake switched on for a test, an in-memory Redis for the RQ worker, and the mail outbox."""
from __future__ import annotations

import fakeredis
import pytest

from tests.fake_servers import serving
from tests.notifications.whatsapp_fake import PHONE_NUMBER_ID, TOKEN, VERSION, FakeWhatsApp
from tests.payments.conftest import GAMBIR, SHOPPER, delivery_order, mail_outbox, pickup_order, shelf  # noqa: F401
from tests.orders.conftest import tariff  # noqa: F401  (fixture)

WHATSAPP_SETTINGS = ("WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_API_BASE", "WHATSAPP_API_VERSION")


@pytest.fixture(scope="session")
def fake_whatsapp_server():
    with serving(FakeWhatsApp()) as fake:
        yield fake


@pytest.fixture
def fake_whatsapp(app, fake_whatsapp_server):
    """WhatsApp switched on for this test, the Cloud API's address pointed at the fake."""
    fake = fake_whatsapp_server
    fake.reset()
    saved = {k: app.config.get(k) for k in WHATSAPP_SETTINGS}
    app.config.update(WHATSAPP_TOKEN=TOKEN, WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID, WHATSAPP_API_BASE=fake.url,
                      WHATSAPP_API_VERSION=VERSION)
    yield fake
    app.config.update(saved)


@pytest.fixture
def redis_queue(app):
    """Messages go through RQ on an in-memory Redis for this test (as with REDIS_URL set)."""
    connection = fakeredis.FakeStrictRedis()
    app.extensions["rq_connection"] = connection
    yield connection
    app.extensions.pop("rq_connection", None)


@pytest.fixture
def gallery_whatsapp(app):
    saved = app.config.get("GALLERY_WHATSAPP")
    app.config["GALLERY_WHATSAPP"] = "0811 6600 123"
    yield "628116600123"
    app.config["GALLERY_WHATSAPP"] = saved
