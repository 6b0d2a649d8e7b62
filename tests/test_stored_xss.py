"""No stored XSS: markup saved in every kind of user-entered text (producer, product, order, partner inquiry,
profile request) comes back escaped on every page a crawl from the URL map reaches, for every role."""
from __future__ import annotations

import re
from collections import deque

from gallery.extensions import db
from tests.factories import PASSWORD
from tests.portal.conftest import tariff, world  # noqa: F401  (fixtures)
from tests.test_url_map import EXPECTED, ids, rule_keys  # noqa: F401  (ids is a fixture)

SCRIPT = '<script>alert("xss")</script>'
IMAGE = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"Rendang {SCRIPT}{IMAGE}"
MAX_PAGES_PER_ROLE = 400
SKIP = re.compile(r"^/(static|media|api|payments/stripe)/|/logout$|\.(csv|pdf|xlsx|jpg)$")
LINK = re.compile(r'href="(/[^"#]*)"')


def plant(world, ids) -> None:
    """Markup in the text fields shoppers, producers and partners fill in."""
    from gallery.shipping.addresses import Address
    from gallery.orders.placing import CartLine, Contact
    from tests.edges import place_order
    from gallery.partners import services as partners
    from gallery.partners.models import InquiryKind
    from gallery.portal.models import ProfileChangeRequest
    from tests.orders.conftest import JAKARTA_PUSAT

    world.me.story = PAYLOAD
    world.me.address = PAYLOAD
    from tests.factories import Factories

    product = Factories().product(world.me, name=PAYLOAD, category=world.rendang.product.category.slug,
                                  description=PAYLOAD, story=PAYLOAD, pirt_number="2061301010123-29",
                                  storage_note=PAYLOAD, variants=[(PAYLOAD[:40], 50_000, 300)])
    Factories().stock(product.variants[0], 5)
    place_order([CartLine(product.variants[0].id, 1)], Contact(PAYLOAD[:100], "xss@contoh.id", "081234567890"),
                fulfilment="delivery", address=Address(*JAKARTA_PUSAT, street=PAYLOAD, postal_code="10110"),
                service_code="POS_REG", notes=PAYLOAD)
    inquiry = partners.submit_inquiry(partners.InquiryInput(
        kind=InquiryKind.RESELLER, name=PAYLOAD[:100], organisation=PAYLOAD[:150], email="xss@contoh.id",
        whatsapp="081277778888", city=PAYLOAD[:80], message=PAYLOAD, producer_id=world.me.id))
    db.session.commit()
    partners.add_note(inquiry, world.staff, PAYLOAD)
    db.session.commit()
    partners.forward_inquiry(inquiry, world.me.id, world.staff, note=PAYLOAD)
    db.session.commit()
    pending = db.session.get(ProfileChangeRequest, ids["profile_request"])  # what the producer asked, as typed
    pending.story, pending.note = PAYLOAD, PAYLOAD
    db.session.commit()
    ids["xss_product"] = product.slug


def crawl(client, seeds: list[str]) -> dict[str, str]:
    """Breadth-first over this site's links from `seeds`; the HTML of each page reached."""
    seen, pages, queue = set(seeds), {}, deque(seeds)
    while queue and len(pages) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        response = client.get(url)
        if not response.mimetype == "text/html":
            continue
        html = response.get_data(as_text=True)
        pages[url] = html
        for link in LINK.findall(html):
            link = link.replace("&amp;", "&")
            if link not in seen and not SKIP.search(link.split("?")[0]):
                seen.add(link)
                queue.append(link)
    return pages


def test_markup_saved_anywhere_comes_back_escaped_on_every_page(app, world, ids, make, request):
    plant(world, ids)
    reached = 0
    for role in ("anonymous", "customer", "producer_a", "staff", "admin"):
        client = app.test_client()
        if role != "anonymous":
            assert make.login(client, ids["users"][role], PASSWORD).status_code == 302
        seeds = [f"/products/{ids['xss_product']}", f"/producers/{world.me.slug}", "/products?q=rendang"]
        for key, rule in rule_keys(app):
            method, path = key.split(" ", 1)
            expect = EXPECTED[key]
            if method == "GET" and expect.answers[role] == 200 and not SKIP.search(path):
                seeds.append(expect.url(rule.rule, ids))
        pages = crawl(client, seeds)
        reached += len(pages)
        unescaped = [url for url, html in pages.items() if SCRIPT in html or "<img src=x onerror" in html]
        assert not unescaped, f"markup came back unescaped for {role} on {unescaped}"
    escaped_somewhere = "&lt;script&gt;alert(" in app.test_client().get(f"/products/{ids['xss_product']}").get_data(
        as_text=True)
    assert escaped_somewhere and reached > 200, reached
