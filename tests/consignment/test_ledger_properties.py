"""Property: whatever happens to the stock, in any order, every lot still adds up (DESIGN.md rule 2).

A hypothesis state machine runs random sequences of intake, allocation, release, return, write-off and
correction through the real services, and after every step checks, for every lot: on hand equals the
sum of its movements and is not negative, and received (+ corrections) = on hand + sold/reserved +
returned + written off. It also keeps its own model of each lot and compares.
"""
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.documents import (
    ReceiptLine,
    ReturnLine,
    correct_stock,
    create_receipt,
    return_to_producer,
    write_off,
)
from gallery.consignment.ledger import OutOfStock, allocate, lot_balances, release, reserved_under
from gallery.consignment.models import Lot
from gallery.errors import DomainError
from gallery.extensions import db
from tests.conftest import empty_database
from tests.factories import Factories


def test_every_lot_adds_up_after_any_sequence_of_movements(app):
    class LedgerMachine(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            empty_database()
            make = Factories()
            self.producer = make.producer("IKM Properti")
            self.variants = [
                make.product(self.producer, category="rendang", variants=[("250 g", 60_000, 300)]).variants[0],
                make.product(self.producer, category="anyaman", variants=[("Kecil", 80_000, 300)]).variants[0],
            ]
            self.admin = make.user(Role.ADMIN)
            self.model: dict[int, int] = {}          # lot id -> expected on hand
            self.reservations: list[tuple[str, int, int]] = []  # (reference, lot id, quantity)
            self.orders = 0

        def _lot(self, data):
            return db.session.get(Lot, data.draw(st.sampled_from(sorted(self.model))))

        @rule(which=st.integers(0, 1), quantity=st.integers(1, 30), days=st.integers(1, 200))
        def intake(self, which, quantity, days):
            variant = self.variants[which]
            receipt = create_receipt(self.producer, [
                ReceiptLine(variant.id, quantity, expires_on=clock.today_wib() + timedelta(days=days))
            ])
            db.session.commit()
            self.model[receipt.lots[0].id] = quantity

        @precondition(lambda self: self.model)
        @rule(which=st.integers(0, 1), quantity=st.integers(1, 40))
        def allocation(self, which, quantity):
            self.orders += 1
            reference = f"ORD-{self.orders}"
            try:
                allocations = allocate(self.variants[which], quantity, reference=reference)
            except OutOfStock:
                db.session.rollback()
                return
            db.session.commit()
            assert sum(a.quantity for a in allocations) == quantity
            for allocation in allocations:
                self.model[allocation.lot_id] -= allocation.quantity
                self.reservations.append((reference, allocation.lot_id, allocation.quantity))

        @precondition(lambda self: self.reservations)
        @rule(data=st.data())
        def release_some(self, data):
            reference, lot_id, _ = data.draw(st.sampled_from(self.reservations))
            held = reserved_under(lot_id, reference)
            if held == 0:
                return
            quantity = data.draw(st.integers(1, held))
            release(db.session.get(Lot, lot_id), quantity, reference=reference)
            db.session.commit()
            self.model[lot_id] += quantity

        @precondition(lambda self: self.model)
        @rule(data=st.data(), quantity=st.integers(1, 30))
        def return_goods(self, data, quantity):
            lot = self._lot(data)
            try:
                return_to_producer(self.producer, [ReturnLine(lot.id, quantity)], "unsold")
                db.session.commit()
            except DomainError:
                assert quantity > self.model[lot.id]
                return
            self.model[lot.id] -= quantity

        @precondition(lambda self: self.model)
        @rule(data=st.data(), quantity=st.integers(1, 10))
        def write_off_units(self, data, quantity):
            lot = self._lot(data)
            try:
                write_off(lot, quantity, "damaged", "rusak")
                db.session.commit()
            except DomainError:
                assert quantity > self.model[lot.id]
                return
            self.model[lot.id] -= quantity

        @precondition(lambda self: self.model)
        @rule(data=st.data(), delta=st.integers(-15, 15).filter(bool))
        def correction(self, data, delta):
            lot = self._lot(data)
            try:
                correct_stock(lot, delta, "stok opname", user=self.admin)
                db.session.commit()
            except DomainError:
                assert self.model[lot.id] + delta < 0
                return
            self.model[lot.id] += delta

        @invariant()
        def every_lot_adds_up(self):
            if not hasattr(self, "model"):
                return
            balances = lot_balances()
            assert set(balances) == set(self.model)
            for lot_id, balance in balances.items():
                assert balance.balanced, (lot_id, balance)
                assert balance.on_hand == self.model[lot_id] >= 0

        def teardown(self):
            db.session.rollback()
            clock.freeze(None)

    LedgerMachine.TestCase.settings = settings(
        max_examples=30, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    LedgerMachine.TestCase().runTest()
