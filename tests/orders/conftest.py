"""A small Pos tariff for order tests: Pos Reguler and Pos Nextday from Painan to Jakarta Pusat and Padang."""
from datetime import timedelta

import pytest

from gallery import clock
from gallery.extensions import db
from gallery.shipping.models import ShippingService, TariffRate, TariffVersion

JAKARTA_PUSAT = ("31", "31.71", "31.71.01")  # province, regency, district (Gambir)


@pytest.fixture
def tariff():
    """POS_REG: Rp 26.000/kg, 20 % agency discount, 300 g tolerance; POS_NEXTDAY: Rp 60.000/kg, 10 %."""
    regular = ShippingService(code="POS_REG", name="Pos Reguler", volumetric_divisor=6000,
                              rounding_tolerance_grams=300, min_kg=1, max_kg=50, discount_bp=2000,
                              insurance_rate_bp=20, insurance_fee=5000, position=1)
    nextday = ShippingService(code="POS_NEXTDAY", name="Pos Nextday", volumetric_divisor=6000,
                              rounding_tolerance_grams=0, min_kg=1, max_kg=30, discount_bp=1000,
                              insurance_rate_bp=20, insurance_fee=5000, position=2)
    version = TariffVersion(effective_on=clock.today_wib() - timedelta(days=1), source_filename="uji.csv")
    db.session.add_all([regular, nextday, version])
    db.session.flush()
    for service, price, etd in ((regular, 26_000, (2, 4)), (nextday, 60_000, (1, 2))):
        for regency in ("31.71", "13.71"):
            db.session.add(TariffRate(version_id=version.id, service_id=service.id, regency_code=regency,
                                      price_per_kg=price, etd_min_days=etd[0], etd_max_days=etd[1]))
    db.session.commit()
    return version


@pytest.fixture(scope="session")
def fake_pos_server():
    from tests.fake_servers import serving
    from tests.orders.pos_tracking_fake import FakePosTracking

    with serving(FakePosTracking()) as fake:
        yield fake


@pytest.fixture
def fake_pos(app, fake_pos_server):
    """The Pos tracking API switched on for this test, pointed at the fake."""
    from tests.orders.pos_tracking_fake import KEY, SECRET

    fake_pos_server.reset()
    saved = {k: app.config.get(k) for k in ("POS_TRACKING_URL", "POS_TRACKING_KEY", "POS_TRACKING_SECRET")}
    app.config.update(POS_TRACKING_URL=fake_pos_server.url, POS_TRACKING_KEY=KEY, POS_TRACKING_SECRET=SECRET)
    yield fake_pos_server
    app.config.update(saved)
