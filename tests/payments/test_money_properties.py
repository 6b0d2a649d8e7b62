"""Property: whatever staff and shoppers do, in any order, every rupiah and every unit stays right.

A hypothesis state machine, like the ledger's (tests/consignment/test_ledger_properties.py), runs random
sequences through the real services: orders (delivery, pick-up, counter, cash on delivery), payments
(cash, QRIS, bank transfer, Stripe and Midtrans through their local fakes, some after their deadline),
cancels, partial and full refunds with and without the goods coming back, packing, shipping, pick-up, COD
remittances and parcels returned to the sender, statements (generate, approve, pay, carry forward),
markdowns borne by the gallery, the producer or both, and month ends. After every step it checks:

* cash in − refunds = goods + shipping + insurance + codes (the reconciliation over all time);
* refunded ≤ paid on every payment, and the payment's refunded total is the sum of its refund rows;
* every sold allocation is settled at most once, and only a sale is ever settled;
* no allocation pays its producer more than its price, nor less than nothing (the commission never goes negative);
* the producers' share: transferred + carried + awaiting + unsettled = their part of net sales;
* the shelf: a model of what is physically on the shelf (not only the books) per variant equals the
  lots' units on hand plus those reserved for orders still waiting on the shelf.
"""
import json
from datetime import date, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.catalog.models import Variant
from gallery.consignment import markdowns
from gallery.consignment.ledger import lot_balances
from gallery.consignment.markdown_models import MarkdownBearer
from gallery.consignment.terms import TermsInput, set_terms
from gallery.consignment.models import Lot
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.cli import expire_due_orders
from gallery.orders.placing import CartLine, Contact
from tests import edges
from tests.edges import place_order
from gallery.orders.transitions import NOT_HANDED_OVER
from tests.edges import cancel, complete, mark_packed, mark_picked_up, return_to_sender, ship
from gallery.shipping.addresses import Address
from gallery.orders.models import Order, OrderAllocation, OrderLine, OrderStatus
from gallery.orders.shelf import held_on_shelf
from gallery.payments import cod, core, refunds
from gallery.payments.gateways import midtrans as midtrans_gateway
from gallery.payments.gateways import stripe as stripe_gateway
from gallery.payments.models import Payment, PaymentStatus, Refund
from gallery.settlements import statements as settlements
from gallery.settlements.adjustments import pending_adjustments
from gallery.settlements.models import Statement, StatementLine, StatementStatus
from gallery.settlements.reconciliation import reconcile
from gallery.shipping.models import ShippingService, TariffRate, TariffVersion
from tests.conftest import empty_database
from tests.factories import Factories
from tests.payments.conftest import event
from tests.settlements.conftest import proof_png

ALL_TIME = settlements.Period(date(2000, 1, 1), date(2100, 1, 1))
SHOPPER = Contact("Siti Rahma", "siti@contoh.id", "0812 3456 7890")
DESTINATION = Address("31", "31.71", "31.71.01", "Jl. Medan Merdeka Barat No. 12", "10110")
ON_SHELF = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)


def test_money_and_shelf_stay_right_after_any_sequence(app, fake_stripe, fake_midtrans):
    class MoneyMachine(RuleBasedStateMachine):
        @initialize()
        def setup(self):
            empty_database()
            clock.freeze(None)
            make = Factories()
            self.start = clock.utcnow()
            self.now = self.start
            self._tariff()
            self.staff, self.admin = make.user(Role.STAFF), make.user(Role.ADMIN)
            fake_midtrans.reset()
            app.config.update(COD_ENABLED=True, COD_PROVINCES="", COD_MAX_ORDER=2_000_000)
            maker = make.producer("IKM Uang", bank_name="Bank Nagari", bank_account_number="1101-0200-3366",
                                  bank_account_holder="Uni")
            set_terms(maker, TermsInput(markdown_consent_on=clock.today_wib()), user=self.staff)
            db.session.commit()
            other = make.producer("IKM Rak")
            self.variants = [
                make.product(maker, category="anyaman", variants=[("Kecil", 40_000, 300)]).variants[0].id,
                make.product(other, category="songket", variants=[("Merah", 90_000, 400)]).variants[0].id,
                make.product(maker, category="rendang", variants=[("250 g", 65_000, 300)]).variants[0].id,
            ]
            for variant_id in self.variants:
                make.stock(db.session.get(Variant, variant_id), 12, expires_in_days=400)
            self.shelf = {variant_id: 12 for variant_id in self.variants}
            self.orders: dict[str, dict] = {}
            self.status: dict[str, str] = {}  # read again after every step

        def _tariff(self):
            """Pos Reguler to Jakarta Pusat: 26.000/kg, 20 % agency discount, 2-4 days."""
            service = ShippingService(code="POS_REG", name="Pos Reguler", volumetric_divisor=6000,
                                      rounding_tolerance_grams=300, min_kg=1, max_kg=50, discount_bp=2000,
                                      insurance_rate_bp=20, insurance_fee=5000, position=1,
                                      cod_enabled=True, cod_fee_bp=300, cod_min_fee=5000)
            version = TariffVersion(effective_on=clock.today_wib() - timedelta(days=1), source_filename="uji.csv")
            db.session.add_all([service, version])
            db.session.flush()
            db.session.add(TariffRate(version_id=version.id, service_id=service.id, regency_code="31.71",
                                      price_per_kg=26_000, etd_min_days=2, etd_max_days=4))
            db.session.commit()

        # ------------------------------------------------------------ helpers

        def _order(self, number) -> Order:
            db.session.expire_all()
            return db.session.scalar(select(Order).where(Order.number == number))

        def _pick(self, data, *statuses):
            # In the order they were placed: order numbers are random, so sorting them would not replay.
            numbers = [n for n in self.orders if self.status.get(n) in statuses]
            return numbers[data.draw(st.integers(0, len(numbers) - 1))] if numbers else None

        def _any(*statuses):
            return lambda self: any(status in statuses for status in getattr(self, "status", {}).values())

        def _tries(self, action) -> bool:
            try:
                action()
            except DomainError:
                db.session.rollback()
                return False
            db.session.commit()  # the test is the edge: services flush, a use case commits once
            return True

        # ------------------------------------------------------------ orders

        @rule(which=st.integers(0, 2), quantity=st.integers(1, 4), delivery=st.booleans(), insured=st.booleans(),
              cash_on_delivery=st.booleans())
        def place(self, which, quantity, delivery, insured, cash_on_delivery):
            variant_id = self.variants[which]
            line = [CartLine(variant_id, quantity)]
            try:
                if delivery:
                    order = place_order(line, SHOPPER, fulfilment="delivery", address=DESTINATION,
                                               service_code="POS_REG", insured=insured,
                                               cash_on_delivery=cash_on_delivery)
                else:
                    order = place_order(line, SHOPPER, fulfilment="pickup")
            except DomainError:
                db.session.rollback()
                return
            self.orders[order.number] = {"variant": variant_id, "held": quantity, "cod": order.cash_on_delivery}

        @rule(which=st.integers(0, 2), quantity=st.integers(1, 3), method=st.sampled_from(("cash", "qris")))
        def counter_sale(self, which, quantity, method):
            variant_id = self.variants[which]
            try:
                order = edges.sell_at_counter([CartLine(variant_id, quantity)], method, user=self.staff)
            except DomainError:
                db.session.rollback()
                return
            self.shelf[variant_id] -= quantity
            self.orders[order.number] = {"variant": variant_id, "held": quantity}

        @rule(which=st.integers(0, 2), discount_bp=st.sampled_from((500, 1500, 3000, 6000)),
              bearer=st.sampled_from(MarkdownBearer.ALL), days=st.integers(0, 20))
        def markdown(self, which, discount_bp, bearer, days):
            """Staff put a variant on sale (refused where the bearer cannot carry it or did not agree)."""
            variant = db.session.get(Variant, self.variants[which])
            self._tries(lambda: markdowns.put_on_sale(
                variant, name="Obral", discount_bp=discount_bp, bearer=bearer,
                shared_bp=5000 if bearer == MarkdownBearer.SHARED else None,
                ends_on=clock.today_wib() + timedelta(days=days), user=self.staff))

        # ------------------------------------------------------------ paying

        @precondition(_any(OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED))
        @rule(data=st.data(), method=st.sampled_from(("cash", "qris", "bank_transfer", "stripe", "midtrans")),
              channel=st.sampled_from(("qris", "bca_va", "gopay")))
        def pay(self, data, method, channel):
            number = self._pick(data, OrderStatus.PENDING_PAYMENT, OrderStatus.EXPIRED)
            if number is None:
                return
            order = self._order(number)
            if order.cash_on_delivery:
                return  # paid only through the agency's remittance (rule `remit`)
            if method in ("cash", "qris"):
                if order.status == OrderStatus.PENDING_PAYMENT:
                    self._tries(lambda: edges.pay_at_desk(order, method, user=self.staff))
            elif method == "bank_transfer":
                if order.status == OrderStatus.PENDING_PAYMENT and self._tries(
                        lambda: edges.start_bank_transfer(order)):
                    payment = core.current_payment(self._order(number))
                    if payment is not None and payment.status == PaymentStatus.OPEN:
                        self._tries(lambda: edges.confirm_transfer(payment, user=self.staff))
            elif method == "stripe":
                payment = None
                if order.status == OrderStatus.PENDING_PAYMENT and self._tries(
                        lambda: edges.start_with_gateway(stripe_gateway.GATEWAY, order)):
                    payment = core.current_payment(self._order(number))
                if payment is not None and payment.reference:
                    session = fake_stripe.pay(payment.reference)
                    stripe_gateway.handle_event(event("checkout.session.completed", session))
                    db.session.commit()  # the webhook is the edge that commits
            else:
                payment = None
                if order.status == OrderStatus.PENDING_PAYMENT and self._tries(
                        lambda: edges.start_with_gateway(midtrans_gateway.GATEWAY, order)):
                    payment = core.current_payment(self._order(number))
                if payment is not None and payment.provider == "midtrans" and payment.reference:
                    if payment.reference not in fake_midtrans.transactions:
                        fake_midtrans.choose(payment.reference, channel)
                    fake_midtrans.settle(payment.reference)
                    body = json.dumps(fake_midtrans.notification(payment.reference)).encode()
                    midtrans_gateway.handle_notification(body)
                    db.session.commit()  # the webhook is the edge that commits

        @precondition(_any(OrderStatus.PENDING_PAYMENT))
        @rule(data=st.data())
        def cancel(self, data):
            number = self._pick(data, OrderStatus.PENDING_PAYMENT)
            if number is not None:
                self._tries(lambda: cancel(self._order(number), user=self.staff, reason="batal"))

        @rule(hours=st.integers(1, 60))
        def time_passes(self, hours):
            self.now += timedelta(hours=hours)
            clock.freeze(self.now)
            expire_due_orders()

        # ------------------------------------------------------------ fulfilment (the shelf moves)

        @precondition(_any(OrderStatus.PAID, OrderStatus.PENDING_PAYMENT))
        @rule(data=st.data())
        def pack(self, data):
            number = self._pick(data, OrderStatus.PAID, OrderStatus.PENDING_PAYMENT)
            order = number and self._order(number)
            if order and order.status == OrderStatus.PENDING_PAYMENT and not order.cash_on_delivery:
                return  # only a COD parcel is packed before it is paid
            if order and order.fulfilment == "delivery" and self._tries(
                    lambda: mark_packed(order, user=self.staff)):
                self.shelf[self.orders[number]["variant"]] -= self.orders[number]["held"]

        @precondition(_any(OrderStatus.PACKED))
        @rule(data=st.data())
        def ship(self, data):
            number = self._pick(data, OrderStatus.PACKED)
            if number is not None:
                self._tries(lambda: ship(self._order(number), f"P{len(self.orders):03d}{number[-5:]}",
                                                user=self.staff))

        @precondition(_any(OrderStatus.PAID))
        @rule(data=st.data())
        def pick_up(self, data):
            number = self._pick(data, OrderStatus.PAID)
            order = number and self._order(number)
            if order and order.fulfilment == "pickup" and self._tries(
                    lambda: mark_picked_up(order, user=self.staff)):
                self.shelf[self.orders[number]["variant"]] -= self.orders[number]["held"]

        @precondition(_any(OrderStatus.SHIPPED))
        @rule(data=st.data())
        def delivered(self, data):
            number = self._pick(data, OrderStatus.SHIPPED)
            if number is not None:
                self._tries(lambda: complete(self._order(number), user=self.staff))

        # ------------------------------------------------------------ cash on delivery

        @rule(which=st.integers(0, 2), quantity=st.integers(1, 3))
        def send_cod_parcel(self, which, quantity):
            """A COD order placed, packed and handed to Pos in one go (so remittances and returns happen often)."""
            variant_id = self.variants[which]
            try:
                order = place_order([CartLine(variant_id, quantity)], SHOPPER, fulfilment="delivery",
                                           address=DESTINATION, service_code="POS_REG", cash_on_delivery=True)
            except DomainError:
                db.session.rollback()
                return
            self.orders[order.number] = {"variant": variant_id, "held": quantity, "cod": True}
            if self._tries(lambda: mark_packed(self._order(order.number), user=self.staff)):
                self.shelf[variant_id] -= quantity
                self._tries(lambda: ship(self._order(order.number), f"C{len(self.orders):03d}{order.number[-5:]}",
                                                user=self.staff))

        def _shipped_cod(self, data):
            numbers = [n for n in self.orders if self.status.get(n) == OrderStatus.SHIPPED and self.orders[n].get("cod")]
            return numbers[data.draw(st.integers(0, len(numbers) - 1))] if numbers else None

        @precondition(_any(OrderStatus.SHIPPED))
        @rule(data=st.data())
        def remit(self, data):
            number = self._shipped_cod(data)
            if number is not None:
                preview = cod.by_hand([self._order(number).tracking_number])
                self._tries(lambda: cod.record(preview, reference=f"SETOR-{number}", remitted_on=clock.today_wib(),
                                               user=self.staff))

        @precondition(_any(OrderStatus.SHIPPED))
        @rule(data=st.data())
        def returned_to_sender(self, data):
            number = self._shipped_cod(data)
            if number is not None and self._tries(
                    lambda: return_to_sender(self._order(number), user=self.staff, reason="ditolak")):
                self.shelf[self.orders[number]["variant"]] += self.orders[number]["held"]
                self.orders[number]["held"] = 0

        # ------------------------------------------------------------ refunds

        @precondition(_any(*refunds.REFUNDABLE))
        @rule(data=st.data(), full=st.booleans(), restock=st.booleans())
        def refund(self, data, full, restock):
            number = self._pick(data, *refunds.REFUNDABLE)
            if number is None:
                return
            order, model = self._order(number), self.orders[number]
            status = order.status
            done = refunds.refunded_quantities(order).get(order.lines[0].id, 0)
            left = order.lines[0].quantity - done
            quantities = None if full or left == 0 else {order.lines[0].id: data.draw(st.integers(1, left))}
            if not self._tries(lambda: refunds.refund(order, user=self.staff, quantities=quantities,
                                                      restock=restock, token=refunds.new_token())):
                return
            # Staff rebuild the drafts a refund made stale (approving one refuses until they do).
            for start, end in db.session.execute(select(Statement.period_start, Statement.period_end).where(
                    Statement.status == StatementStatus.DRAFT).distinct()).all():
                settlements.generate(settlements.Period(start, end), user=self.staff)
                db.session.commit()
            units = left if quantities is None else quantities[order.lines[0].id]
            goods_back = restock or status in NOT_HANDED_OVER
            if status == OrderStatus.PACKED:
                self.shelf[model["variant"]] += model["held"]  # the parcel is opened: all of it is on the shelf
            elif status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED) and goods_back:
                self.shelf[model["variant"]] += units
            if goods_back:
                model["held"] -= units

        # ------------------------------------------------------------ statements and month ends

        @rule()
        def month_end(self):
            today = clock.today_wib()
            first = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
            self.now = clock.utcnow() + timedelta(days=(first - today).days, hours=1)
            clock.freeze(self.now)
            expire_due_orders()

        @rule()
        def generate(self):
            self._tries(lambda: settlements.generate(user=self.staff))

        @rule()
        def approve(self):
            for statement in db.session.scalars(select(Statement).where(Statement.status == StatementStatus.DRAFT)):
                self._tries(lambda: settlements.approve(statement, user=self.admin))

        @rule()
        def pay_statements(self):
            for statement in db.session.scalars(select(Statement).where(Statement.status == StatementStatus.APPROVED)):
                self._tries(lambda: settlements.mark_paid(statement, clock.today_wib(), f"TRF-{statement.id}",
                                                          user=self.staff, proof=proof_png()))

        # ------------------------------------------------------------ what must always hold

        @invariant()
        def every_rupiah_and_unit_is_right(self):
            if not hasattr(self, "orders"):
                return
            db.session.expire_all()
            self.status = dict(db.session.execute(select(Order.number, Order.status)).all())
            whole = reconcile(ALL_TIME)
            assert whole.cash_difference == 0, whole
            assert whole.sales_difference == 0, whole
            given = dict(db.session.execute(select(Refund.payment_id, func.sum(Refund.amount))
                                            .group_by(Refund.payment_id)).all())
            for payment in db.session.scalars(select(Payment)):
                given_back = int(given.get(payment.id, 0))
                assert payment.amount_refunded == given_back <= payment.amount
                if payment.status == PaymentStatus.REFUNDED:
                    assert given_back == payment.amount
            settled = db.session.execute(
                select(StatementLine.allocation_id, func.count()).group_by(StatementLine.allocation_id)).all()
            assert all(count == 1 for _, count in settled)
            assert db.session.scalar(select(func.count(OrderAllocation.id)).where(
                (OrderAllocation.unit_payout < 0) | (OrderAllocation.unit_payout > OrderAllocation.unit_price))) == 0
            sold = set(db.session.scalars(
                select(OrderAllocation.id).join(OrderLine).join(Order)
                .where(Order.paid_at.is_not(None), Order.status.not_in((OrderStatus.PAID, OrderStatus.PACKED)))))
            assert {allocation for allocation, _ in settled} <= sold
            # Producers: transferred + carried (open) + awaiting + unsettled = net share of all sales.
            pending = sum(item["amount"] for item in pending_adjustments(None))
            statements = db.session.scalars(select(Statement)).all()
            adjusted = sum(s.adjustments_total for s in statements)
            brought = sum(s.brought_forward for s in statements)
            transferred = sum(s.amount_due for s in statements if s.status == StatementStatus.PAID)
            carried = sum(s.amount_due for s in statements if s.status == StatementStatus.CARRIED) - brought
            awaiting = sum(s.amount_due for s in statements
                           if s.status in (StatementStatus.DRAFT, StatementStatus.APPROVED))
            assert transferred + carried + awaiting + whole.unsettled_payout + pending \
                == whole.sales_payout + adjusted + pending
            assert all(s.amount_due >= 50_000 for s in statements
                       if s.status in (StatementStatus.APPROVED, StatementStatus.PAID))
            # The ledger and the physical shelf.
            assert all(balance.balanced for balance in lot_balances().values())
            held = held_on_shelf()
            for variant_id, expected in self.shelf.items():
                lots = db.session.execute(select(Lot.id, Lot.on_hand).where(Lot.variant_id == variant_id)).all()
                assert sum(on_hand + held.get(lot_id, 0) for lot_id, on_hand in lots) == expected, variant_id

        def teardown(self):
            db.session.rollback()
            clock.freeze(None)

    MoneyMachine.TestCase.settings = settings(
        max_examples=20, stateful_step_count=50, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    saved = {key: app.config.get(key) for key in ("COD_ENABLED", "COD_PROVINCES", "COD_MAX_ORDER")}
    try:
        MoneyMachine.TestCase().runTest()
    finally:
        app.config.update(saved)
