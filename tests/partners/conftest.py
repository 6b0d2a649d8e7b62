"""Two producers with a product each, their accounts and a staff member, for the partner tests."""
import re
from dataclasses import dataclass

import pytest
from flask import current_app

from gallery.accounts.models import Role
from tests.factories import csrf_token


@dataclass
class Partners:
    me: object
    other: object
    product: object
    me_user: object
    other_user: object
    staff: object


@pytest.fixture
def partners(make):
    me = make.producer("Rendang Uni Painan")
    other = make.producer("Songket Orang Lain")
    product = make.product(me, name="Rendang Lokan Mitra", category="rendang", variants=[("250 g", 65_000, 300)])
    return Partners(me=me, other=other, product=product, me_user=make.user(Role.PRODUCER, producer=me),
                    other_user=make.user(Role.PRODUCER, producer=other), staff=make.user(Role.STAFF))


def outbox() -> list:
    return getattr(current_app.extensions["mailman"], "outbox", [])


GOOD = {
    "kind": "reseller",
    "name": "Dewi Lestari Mitra",
    "organisation": "Toko Oleh-oleh Minang Jaya",
    "email": "dewi.mitra@contoh.id",
    "whatsapp": "0812 7777 8888",
    "city": "Pekanbaru",
    "message": "Kami ingin menjadi reseller rendang untuk toko kami di Pekanbaru.",
    "quantity": "200",
    "budget": "",
}


def post_inquiry(client, path: str, **changes):
    """Open the form at `path` (as the browser would), then send it with GOOD data changed by `changes`."""
    page = client.get(path).get_data(as_text=True)
    data = dict(GOOD, csrf_token=csrf_token(client, path))
    for name in ("producer", "product"):
        match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page) or re.search(
            rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', page)
        if match:
            data[name] = match.group(1)
    data.update(changes)
    return client.post("/partners/inquire", data=data)
