from contextlib import closing

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_pos import PosPointsCommon

# One step, as (operation, arguments); indexes pick among what can take the operation.
STEPS = st.one_of(
    st.tuples(st.just("sale"), st.integers(0, 1), st.integers(1, 4), st.booleans()),
    st.tuples(st.just("pos"), st.integers(0, 1), st.integers(1, 4), st.booleans()),
    st.tuples(st.just("pos_refund"), st.integers(0, 20)),
    st.tuples(st.just("exchange"), st.integers(0, 20), st.integers(1, 3)),
    st.tuples(st.just("credit_note"), st.integers(0, 20), st.sampled_from([0.5, 1.0])),
    st.tuples(st.just("cancel"), st.integers(0, 20)),
    st.tuples(st.just("adjust"), st.integers(0, 1), st.integers(-80, 80)),
    st.tuples(st.just("merge"),),
)


@tagged("post_install", "-at_install")
class TestLedgerProperty(PosPointsCommon):
    """Random mixes of sales orders, POS orders synced through ``sync_from_ui`` (some paying
    with the voucher), POS refunds and exchanges, credit notes, cancellations, manual
    adjustments and a merge of the two members. After every step, for every member card: the
    balance is the sum of its ledger, each line's ``balance_after`` is the running sum, no line
    was changed or deleted, and no redemption took a balance below zero (a reversal may: that
    is the shortfall rule)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._new_user(
            "property_manager", "base.group_user,customer_loyalty.group_loyalty_manager"
        )

    @settings(
        max_examples=12, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(steps=st.lists(STEPS, min_size=3, max_size=7))
    @example(steps=[("pos", 0, 3, True), ("exchange", 0, 2), ("merge",), ("pos_refund", 0),
                    ("credit_note", 0, 1.0), ("cancel", 0)])
    def test_ledger_holds_whatever_happens(self, steps):
        with closing(self.env.cr.savepoint()):
            self._play(steps)
        self.env.invalidate_all()

    # ------------------------------------------------------------------

    def _play(self, steps):
        self.members = [self.alice, self.bob]
        self.sales = self.env["sale.order"]
        self.pos_orders = self.env["pos.order"]
        self.seen = {}
        for step in [("sale", 0, 3, False), ("pos", 1, 2, False), *steps]:
            getattr(self, f"_step_{step[0]}")(*step[1:])
            self._check()

    def _cards(self):
        return self.env["loyalty.card"].with_context(active_test=False).search(
            [("program_id", "=", self.program.id)]
        )

    def _check(self):
        self.env.flush_all()
        self.env.invalidate_all()
        for card in self._cards():
            self.assertLedgerConsistent(card)
            lines = self._lines(card)
            for line in lines:
                values = (line.issued, line.used, line.balance_after, line.entry_type,
                          line.description)
                self.assertEqual(self.seen.setdefault(line.id, values), values,
                                 "a ledger line was changed")
                if line.entry_type == "order" and line.used:
                    # What an order spends, it may take from what it earns (Odoo's "current and
                    # future orders" programs), never from below zero.
                    self.assertGreaterEqual(line.balance_after, -0.005,
                                            "a redemption took the balance below zero")
        all_lines = self.env["loyalty.history"].search([("card_id", "in", self._cards().ids)])
        self.assertTrue(set(self.seen) <= set(all_lines.ids), "a ledger line was deleted")

    def _member(self, index):
        partner = self.members[index % len(self.members)]
        return partner, self._card(partner)

    # Steps -------------------------------------------------------------------------

    def _step_sale(self, who, quantity, voucher):
        partner, card = self._member(who)
        order = self.env["sale.order"].create({
            "partner_id": partner.id,
            "order_line": [Command.create({"product_id": self.lamp.id,
                                           "product_uom_qty": quantity})],
        })
        order._update_programs_and_rewards()
        if voucher and self.reward_voucher in order._get_claimable_rewards().get(card, []):
            order._apply_program_reward(self.reward_voucher, card)
        try:
            order.action_confirm()
        except (UserError, ValidationError):
            return  # refused: nothing may have moved (checked by _check)
        self.sales |= order

    def _step_pos(self, who, quantity, voucher):
        partner, card = self._member(who)
        data = self._data([(self.lamp, quantity)], customer=partner)
        if voucher:
            self._add_reward_line(data, card, self.reward_voucher, 10.0, 100)
        try:
            with self.env.cr.savepoint():
                self.pos_orders |= self._sync(data)
        except UserError as refusal:
            # e.g. not enough points: the sync is refused as a whole (nothing may have moved,
            # which _check verifies)
            self.assertTrue(str(refusal))

    def _pick(self, records, index):
        return records[index % len(records)] if records else None

    def _step_pos_refund(self, index):
        order = self._pick(self.pos_orders.filtered(lambda o: o.amount_total > 0), index)
        if not order:
            return
        lines = order.lines.filtered(lambda line: not line.is_reward_line and line.qty > 0
                                     and line.qty > line.refunded_qty)
        if lines:
            self._sync(self._refund_data(order, {lines[0]: 1}, customer=order.partner_id))

    def _step_exchange(self, index, quantity):
        order = self._pick(self.pos_orders.filtered(lambda o: o.amount_total > 0), index)
        if not order:
            return
        line = order.lines.filtered(lambda line: not line.is_reward_line and line.qty > 0
                                    and line.qty > line.refunded_qty)[:1]
        if line:
            data = self._data(
                [{"product": line.product_id, "quantity": -1, "refunded_orderline_id": line.id},
                 (self.pen, quantity)],
                customer=order.partner_id,
            )
            self.pos_orders |= self._sync(data)

    def _step_credit_note(self, index, share):
        order = self._pick(self.sales.filtered(lambda o: o.state == "sale"), index)
        if not order or not any(order.order_line.mapped("qty_to_invoice")):
            return
        invoice = order._create_invoices()
        invoice.action_post()
        wizard = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"reason": "Returned", "journal_id": invoice.journal_id.id})
        refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        if share < 1:
            for move_line in refund.invoice_line_ids:
                move_line.quantity = move_line.quantity * share
        refund.action_post()

    def _step_cancel(self, index):
        order = self._pick(self.sales.filtered(lambda o: o.state == "sale"), index)
        if order:
            order._action_cancel()

    def _step_adjust(self, who, delta):
        _partner, card = self._member(who)
        new_balance = max(card.points + delta, 0.0)
        if abs(new_balance - card.points) >= 0.01:
            self.env["loyalty.card.update.balance"].with_user(self.manager).create(
                {"card_id": card.id, "new_balance": new_balance, "description": "Property"}
            ).action_update_card_point()

    def _step_merge(self):
        if len(self.members) < 2:
            return
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        wizard._merge((self.alice | self.bob).ids, self.alice)
        self.members = [self.alice]
