from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_points import PointsCommon


@tagged("post_install", "-at_install")
class TestPointsReversal(PointsCommon):
    """Cancellations and credit notes: the points an order earned are taken back and the points
    it spent given back, by new ledger lines; nothing is ever edited or deleted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_invoicing()

    def _snapshot(self, card):
        """What the card's ledger lines hold now, to check later that none was changed."""
        return self._lines(card).read(["issued", "used", "entry_type", "balance_after"])

    # ------------------------------------------------------------------
    # Cancellation
    # ------------------------------------------------------------------

    def test_cancel_gives_back_spent_and_takes_back_earned(self):
        self._earn(self.alice, 300)
        order = self._redeem(self.alice, 50, self.reward_voucher)
        self.assertBalance(self.alice_card, 300 - 100 + 50)
        before = self._snapshot(self.alice_card)
        self.assertEqual(len(before), 2)

        self._cancel(order)
        self.assertBalance(self.alice_card, 300)
        lines = self._lines(self.alice_card)
        self.assertEqual(len(lines), 3, "one line added, none deleted")
        self.assertEqual(lines[:2].read(["issued", "used", "entry_type", "balance_after"]), before)
        self.assertRecordValues(lines[2], [{
            "entry_type": "reversal", "issued": 100.0, "used": 50.0, "balance_after": 300.0,
            "order_model": "sale.order", "order_id": order.id,
            "description": f"Cancellation of {order.name}",
        }])
        self.assertFalse(order.order_line.reward_id, "Odoo removes the reward lines")

    def test_cancel_confirm_again_gives_points_once(self):
        order = self._earn(self.alice, 200)
        for _round in range(2):
            self._cancel(order)
            self.assertBalance(self.alice_card, 0)
            order.action_draft()
            self.assertEqual(order.loyalty_points_preview, 200)
            self._confirm(order)
            self.assertBalance(self.alice_card, 200)
        self.assertEqual(
            self._lines(self.alice_card).mapped("entry_type"),
            ["order", "reversal", "order", "reversal", "order"],
        )
        self.assertEqual(self._lines(self.alice_card).mapped("balance_after"),
                         [200, 0, 200, 0, 200])
        self._cancel(order)
        self.assertBalance(self.alice_card, 0)

    def test_cancel_a_quotation_writes_nothing(self):
        self._earn(self.alice, 100)
        quotation = self._quotation(self.alice, 500)
        self._claim(quotation, self.reward_voucher)
        self._cancel(quotation)
        self.assertEqual(len(self._lines(self.alice_card)), 1)
        self.assertBalance(self.alice_card, 100)

    def test_ledger_lines_cannot_be_changed_or_deleted(self):
        order = self._earn(self.alice, 100)
        line = self._lines(self.alice_card)
        with self._refused(UserError, "cannot be changed"):
            line.issued = 1000
        with self._refused(UserError, "cannot be changed"):
            line.balance_after = 1000
        with self._refused(UserError, "cannot be deleted"):
            line.unlink()
        with self._refused(UserError, "cannot be changed"):
            line.description = "Order with a corrected description"
        self._cancel(order)  # Odoo's own cancellation flow deletes its lines: not ours
        self.assertEqual(self._lines(self.alice_card).mapped("entry_type"), ["order", "reversal"])
        self.assertBalance(self.alice_card, 0)

    # ------------------------------------------------------------------
    # Credit notes
    # ------------------------------------------------------------------

    def test_partial_then_full_credit_note(self):
        order = self._confirm(self._quotation(self.alice, lines=[(self.product, 5, 100.0)]))
        invoice = self._invoice(order)
        self.assertBalance(self.alice_card, 500)

        # 2 of 5 returned: 40% of the 500 points earned are taken back.
        first = self._credit_note(invoice, quantity=2)
        self.assertEqual(first.amount_total, 200.0)
        self.assertBalance(self.alice_card, 300)
        self.assertRecordValues(self._lines(self.alice_card)[-1], [{
            "entry_type": "refund", "issued": 0.0, "used": 200.0, "balance_after": 300.0,
            "order_id": order.id, "description": f"Refund on {order.name}",
        }])
        count = len(self._lines(self.alice_card))
        self.assertFalse(order._loyalty_sync_refunds(), "a second sync writes nothing")
        self.assertEqual(len(self._lines(self.alice_card)), count)

        # The other 3 returned: everything earned is taken back.
        second = self._credit_note(invoice, quantity=3)
        self.assertBalance(self.alice_card, 0)
        self.assertEqual(self._lines(self.alice_card)[-1].used, 300.0)
        self.assertFalse(order._loyalty_sync_refunds())
        self.assertEqual(len(self._lines(self.alice_card)), count + 1)

        # The second credit note reset to draft: its points come back, and go again on posting.
        second.button_draft()
        self.assertBalance(self.alice_card, 300)
        self.assertRecordValues(self._lines(self.alice_card)[-1], [{
            "entry_type": "refund", "issued": 300.0, "used": 0.0, "balance_after": 300.0,
        }])
        second.action_post()
        self.assertBalance(self.alice_card, 0)
        second.button_draft()
        second.button_cancel()
        self.assertBalance(self.alice_card, 300)
        self.assertEqual(len(self._lines(self.alice_card)), count + 4)

        # Cancelling the order takes back what the first credit note left.
        self._cancel(order)
        self.assertBalance(self.alice_card, 0)
        self.assertRecordValues(self._lines(self.alice_card)[-1], [{
            "entry_type": "reversal", "issued": 0.0, "used": 300.0,
        }])

    def test_credit_note_then_cancel_and_confirm_again(self):
        """A partly credited order cancelled and confirmed again: the credit note still stands,
        so the new confirmation gives what was not returned, and a later credit note takes
        back only its own share."""
        order = self._confirm(self._quotation(self.alice, lines=[(self.product, 5, 100.0)]))
        invoice = self._invoice(order)
        self._credit_note(invoice, quantity=2)
        self.assertBalance(self.alice_card, 300)
        self._cancel(order)
        self.assertBalance(self.alice_card, 0)
        order.action_draft()
        self._confirm(order)
        self.assertBalance(self.alice_card, 300)
        self.assertFalse(order._loyalty_sync_refunds())
        self._credit_note(invoice, quantity=1)
        self.assertBalance(self.alice_card, 200)
        self._cancel(order)
        self.assertBalance(self.alice_card, 0)

    def test_full_credit_note_with_multiplier(self):
        card = self.alice_card
        self._set_tier(card, self.tier_gold)
        order = self._confirm(self._quotation(self.alice, lines=[(self.product, 5, 100.0)]))
        self.assertBalance(card, 1000)
        invoice = self._invoice(order)
        refund = self._credit_note(invoice, quantity=2)
        self.assertBalance(card, 600)  # 40% of the 1,000 points the order gave
        refund.button_draft()
        self.assertBalance(card, 1000)
        self._credit_note(invoice)
        self.assertBalance(card, 0)
        self.assertEqual(
            self._lines(card).mapped("entry_type"), ["order", "refund", "refund", "refund"]
        )

    def test_draft_credit_note_takes_nothing(self):
        order = self._earn(self.alice, 300)
        refund = self._credit_note(self._invoice(order), post=False)
        self.assertBalance(self.alice_card, 300)
        self.assertEqual(len(self._lines(self.alice_card)), 1)
        refund.action_post()
        self.assertBalance(self.alice_card, 0)

    def test_credit_note_after_spending_goes_negative(self):
        order = self._earn(self.alice, 150)
        invoice = self._invoice(order)
        self._redeem(self.alice, 20, self.reward_voucher)
        self.assertBalance(self.alice_card, 70)
        self._credit_note(invoice)
        self.assertBalance(self.alice_card, -80)
        quotation = self._quotation(self.alice, 20)
        self.assertFalse(quotation._get_claimable_rewards().get(self.alice_card))
        self._confirm(quotation)
        self.assertBalance(self.alice_card, -60)
