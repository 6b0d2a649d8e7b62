"""Factory fixtures: build producers, products, stock and users through the real services."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select

from gallery import clock
from gallery.accounts.models import Role, User
from gallery.accounts.services import create_user
from gallery.catalog.certificates import NORMALISERS, add_producer_certificate
from gallery.catalog.models import Category, Producer, Product, ProductStatus
from gallery.catalog.products import ProductInput, create_product
from gallery.catalog.services import ProducerInput, create_producer
from gallery.catalog.variants import VariantInput
from gallery.consignment.documents import default_payout
from gallery.consignment.services import record_intake
from gallery.extensions import db

PASSWORD = "rahasia-123"
_counter = itertools.count(1)


class Factories:
    """Makes valid domain objects with sensible defaults; every argument can be overridden."""

    def category(self, slug: str) -> Category:
        return db.session.scalar(select(Category).where(Category.slug == slug))

    def producer(self, name: str | None = None, kecamatan: str = "13.01.05", **overrides) -> Producer:
        n = next(_counter)
        data = ProducerInput(
            business_name=name or f"IKM Uji {n}",
            owner_name=overrides.pop("owner_name", f"Pemilik {n}"),
            kecamatan_code=kecamatan,
            **overrides,
        )
        producer = create_producer(data)
        db.session.commit()
        return producer

    def product(
        self,
        producer: Producer | None = None,
        *,
        name: str | None = None,
        category: str = "anyaman",
        variants: list[tuple] | None = None,
        published: bool = True,
        **overrides,
    ) -> Product:
        producer = producer or self.producer()
        n = next(_counter)
        cat = self.category(category)
        # Certificate numbers become the producer's certificates, which the product names.
        numbers = {kind: overrides.pop(f"{kind}_number", None) for kind in ("pirt", "bpom", "halal")}
        if cat.is_food and not (numbers["pirt"] or numbers["bpom"]):
            numbers["pirt"] = f"20613010{n % 100:02d}{n % 1000:03d}-30"
        for kind, number in numbers.items():
            if number:
                overrides[f"{kind}_certificate_id"] = self.certificate(producer, kind, number).id
        specs = variants or [("Standar", 50_000, 400)]
        data = ProductInput(
            name=name or f"Produk Uji {n}",
            category_id=cat.id,
            status=ProductStatus.PUBLISHED if published else ProductStatus.DRAFT,
            variants=[
                VariantInput(sku=f"T{n}-{i}", label=label, price=price, weight_grams=weight)
                for i, (label, price, weight) in enumerate(specs, 1)
            ],
            **overrides,
        )
        product = create_product(producer, data)
        db.session.commit()
        return product

    def certificate(self, producer: Producer, kind: str, number: str, valid_until=None):
        """The producer's certificate of that kind and number, recorded if it is not yet."""
        normal = NORMALISERS[kind](number) if kind in NORMALISERS else number
        found = next((c for c in producer.certificates if c.kind == kind and c.number == normal), None)
        if found is None:
            if kind == "bpom" and valid_until is None:
                valid_until = clock.today_wib() + timedelta(days=3 * 365)
            found = add_producer_certificate(producer, kind, number, valid_until=valid_until)
            db.session.commit()
        return found

    def stock(self, variant, quantity: int, *, payout: int | None = None, expires_in_days: int | None = None):
        if expires_in_days is None and variant.product.is_food:
            expires_in_days = 90
        expires_on = clock.today_wib() + timedelta(days=expires_in_days) if expires_in_days is not None else None
        if payout is None:
            payout = default_payout(variant, variant.product.producer)
        lot = record_intake(variant, quantity, payout, expires_on=expires_on, reason="uji")
        db.session.commit()
        return lot

    def user(self, role: str = Role.CUSTOMER, *, email: str | None = None, producer: Producer | None = None,
             password: str = PASSWORD) -> User:
        email = email or f"{role}{next(_counter)}@uji.test"
        user = create_user(email, role, password, producer_slug=producer.slug if producer else None)
        db.session.commit()
        return user

    def login(self, client, user_or_email, password: str = PASSWORD):
        email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
        token = csrf_token(client, "/login")
        return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def csrf_token(client, path: str) -> str:
    """Fetch a page and pull the CSRF token out of its form."""
    import re

    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def make() -> Factories:
    return Factories()
