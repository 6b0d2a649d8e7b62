"""'Tanya via WhatsApp': wa.me links to the gallery's number naming the product, the order or the producer."""
from __future__ import annotations

from urllib.parse import quote

from tests.payments.conftest import delivery_order, shelf  # noqa: F401  (fixtures)


def test_the_product_order_and_producer_pages_link_to_the_gallerys_whatsapp(client, gallery_whatsapp,
                                                                             delivery_order):  # noqa: F811
    order = delivery_order()
    product = order.lines[0].variant.product
    product_page = client.get(f"/products/{product.slug}").get_data(as_text=True)
    assert f"https://wa.me/{gallery_whatsapp}?text=" in product_page
    assert quote(f"tentang {product.name}") in product_page and quote(f"/products/{product.slug}") in product_page
    order_page = client.get(f"/orders/{order.number}?t={order.access_token}").get_data(as_text=True)
    assert quote(f"pesanan {order.number}.") in order_page and order.access_token not in order_page.split("wa.me")[1][:300]
    producer_page = client.get(f"/producers/{product.producer.slug}").get_data(as_text=True)
    assert quote(product.producer.business_name) in producer_page and "Tanya via WhatsApp" in producer_page


def test_without_the_gallerys_number_no_link_is_shown(client, delivery_order):  # noqa: F811
    order = delivery_order()
    assert "wa.me" not in client.get(f"/orders/{order.number}?t={order.access_token}").get_data(as_text=True)
    assert "wa.me/" not in client.get(f"/products/{order.lines[0].variant.product.slug}").get_data(as_text=True)
