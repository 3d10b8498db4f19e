from contextlib import closing
from datetime import datetime, timedelta

from freezegun import freeze_time
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from .common_points import PointsCommon

# One step of a member's life: (operation, arguments). Indexes pick among the orders that can
# take the operation (modulo their number), so that every drawn sequence can be played.
STEPS = st.one_of(
    st.tuples(st.just("order"), st.integers(1, 400), st.booleans()),
    st.tuples(st.just("cancel"), st.integers(0, 20)),
    st.tuples(st.just("reconfirm"), st.integers(0, 20)),
    st.tuples(st.just("refund"), st.integers(0, 20), st.sampled_from([0.25, 0.4, 0.5, 1.0])),
    st.tuples(st.just("adjust"), st.integers(-150, 150)),
    st.tuples(st.just("expire"), st.integers(1, 60)),
)


@tagged("post_install", "-at_install")
class TestPointsProperty(PointsCommon):
    """Random sequences of orders (some paying with a voucher), cancellations, confirmations
    again, credit notes, manual adjustments and expiry runs keep the ledger consistent: after
    every step the card's balance is the sum of its lines, each line's ``balance_after`` is the
    running sum, no line is changed or deleted, and the balance is what the orders still
    standing, the adjustments and the expiries make it (exactly, as long as nothing expired;
    within what expired otherwise, since expired points are not taken back twice)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_invoicing()
        cls.program.points_validity_months = 1

    @settings(
        max_examples=25, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        steps=st.lists(STEPS, min_size=4, max_size=8),
        pending_days=st.sampled_from([0, 14]),
    )
    # Always played as well: a credited order cancelled and confirmed again; points spent, then
    # the orders that earned them cancelled (a negative balance), then orders and an expiry.
    @example(
        steps=[("refund", 0, 0.4), ("cancel", 0), ("reconfirm", 0), ("order", 50, False),
               ("refund", 0, 0.25), ("expire", 40)],
        pending_days=0,
    )
    @example(
        steps=[("order", 20, True), ("cancel", 0), ("cancel", 0), ("order", 30, False),
               ("expire", 45), ("order", 10, True), ("adjust", 50)],
        pending_days=0,
    )
    def test_ledger_stays_consistent(self, steps, pending_days):
        # Each example plays on the class's data and is rolled back.
        with closing(self.env.cr.savepoint()):
            self.program.points_pending_days = pending_days
            self._play(steps)
        self.env.invalidate_all()

    def _play(self, steps):
        card = self.alice_card
        self.now = datetime(2024, 1, 1, 10, 0)
        self.orders = self.env["sale.order"]
        self.adjusted = 0.0
        seen = {}
        # Two orders to start with, so that the first steps have something to work on.
        for step in [("order", 250, False), ("order", 120, False), *steps]:
            with freeze_time(self.now):
                getattr(self, f"_step_{step[0]}")(*step[1:])
                self.assertLedgerConsistent(card)
                lines = self._lines(card)
                for line in lines:
                    if line.id in seen:
                        self.assertEqual(
                            seen[line.id], (line.issued, line.used, line.balance_after),
                            "a ledger line was changed",
                        )
                    seen[line.id] = (line.issued, line.used, line.balance_after)
                self.assertEqual(set(seen), set(lines.ids), "a ledger line was deleted")
                # Cancellations and credit notes do not take back points that already expired:
                # the balance can exceed the plain account by at most what expired.
                expected, expired = self._expected_balance(card)
                self.assertGreaterEqual(card.points, expected - 0.005)
                self.assertLessEqual(card.points, expected + expired + 0.005)
            self.now += timedelta(days=1)

    def _expected_balance(self, card):
        """``(balance, expired)``: the plain account of the card, what the orders still
        standing give (earned less spent, less the share of the earned points their credit notes
        refund, plus the share of the spent points they give back) plus the
        manual adjustments less what expired; and what expired."""
        expired = sum(self._lines(card, entry_type="expiry").mapped("used"))
        balance = self.adjusted - expired
        confirmed = self.orders.filtered(lambda o: o.state == "sale")
        ratios = confirmed._loyalty_refunded_ratio()
        for order in confirmed:
            earned = sum(order.coupon_point_ids.filtered(lambda p: p.coupon_id == card).mapped(
                "points"
            ))
            spent = sum(order.order_line.filtered(lambda line: line.coupon_id == card).mapped(
                "points_cost"
            ))
            # A credit note takes back its share of what the order earned and gives back its
            # share of what the order spent, each rounded down.
            refunded = self.program._loyalty_round_points(earned * ratios[order])
            returned = self.program._loyalty_round_points(spent * ratios[order])
            balance += earned - spent - refunded + returned
        return balance, expired

    def _pick(self, state, index):
        orders = self.orders.filtered(lambda o: o.state == state)
        return orders[index % len(orders)] if orders else None

    # Steps -------------------------------------------------------------------------

    def _step_order(self, amount, voucher):
        order = self._quotation(self.alice, amount)
        claimable = order._get_claimable_rewards().get(self.alice_card, [])
        if voucher and self.reward_voucher in claimable:
            self._claim(order, self.reward_voucher)
        self._confirm(order)
        self.orders |= order

    def _step_cancel(self, index):
        if order := self._pick("sale", index):
            self._cancel(order)

    def _step_reconfirm(self, index):
        if order := self._pick("cancel", index):
            order.action_draft()
            self._confirm(order)

    def _step_refund(self, index, share):
        order = self._pick("sale", index)
        if not order:
            return
        invoice = order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )[:1]
        if not invoice:
            if not any(order.order_line.mapped("qty_to_invoice")):
                return
            invoice = self._invoice(order)
        self._credit_note(invoice, quantity=share)

    def _step_adjust(self, delta):
        card = self.alice_card
        old_balance = card.points
        new_balance = max(old_balance + delta, 0.0)
        if new_balance == old_balance:
            return
        self.env["loyalty.card.update.balance"].create(
            {"card_id": card.id, "new_balance": new_balance, "description": "Property test"}
        ).action_update_card_point()
        self.adjusted += new_balance - old_balance

    def _step_expire(self, days):
        self.now += timedelta(days=days)
        with freeze_time(self.now):
            before = len(self._lines(self.alice_card, entry_type="expiry"))
            self.env["loyalty.card"]._cron_expire_points()
            if len(self._lines(self.alice_card, entry_type="expiry")) > before:
                self.env.invalidate_all()
                self.assertGreaterEqual(
                    self.alice_card.points, 0.0, "an expiry never takes the balance below zero"
                )
