from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_points import PointsCommon


@tagged("post_install", "-at_install")
class TestPointsPending(PointsCommon):
    """With a 14-day return window, points earned on an order are pending: counted in the
    balance, not spendable, until the window is over; a refund inside the window takes them
    back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program.points_pending_days = 14
        cls._setup_invoicing()

    def _state(self, card, when):
        """``(points, pending, spendable)`` of ``card`` on ``when``."""
        with freeze_time(when):
            card.invalidate_recordset()
            return card.points, card.points_pending, card.points_available

    def _claimable(self, order, when):
        with freeze_time(when):
            order._update_programs_and_rewards()
            return order._get_claimable_rewards().get(self._card(order.partner_id), [])

    def test_pending_then_available(self):
        order = self._earn(self.alice, 300, date="2024-03-01 10:00:00")
        self.assertRecordValues(self._lines(self.alice_card), [{
            "entry_type": "order", "issued": 300.0, "available_date": date(2024, 3, 15),
        }])
        self.assertBalance(self.alice_card, 300)
        self.assertEqual(self._state(self.alice_card, "2024-03-01"), (300, 300, 0))
        self.assertEqual(self._state(self.alice_card, "2024-03-14"), (300, 300, 0))
        self.assertEqual(self._state(self.alice_card, "2024-03-15"), (300, 0, 300))

        # Inside the window the points pay for nothing; the quotation's own points neither.
        quotation = self._quotation(self.alice, 20)
        self.assertNotIn(self.reward_voucher, self._claimable(quotation, "2024-03-10"))
        with freeze_time("2024-03-10"):
            status = quotation._apply_program_reward(self.reward_voucher, self.alice_card)
        self.assertIn("does not have enough points", status["error"])
        big = self._quotation(self.alice, 150)
        self.assertFalse(self._claimable(big, "2024-03-10"), "its own 150 points are pending too")

        # Once the window is over they can be spent.
        self.assertIn(self.reward_voucher, self._claimable(quotation, "2024-03-15"))
        with freeze_time("2024-03-15"):
            self._claim(quotation, self.reward_voucher)
            self._confirm(quotation)
        self.assertBalance(self.alice_card, 300 - 100 + 20)
        self.assertEqual(self._state(self.alice_card, "2024-03-15"), (220, 20, 200))
        self.assertEqual(self._state(self.alice_card, "2024-03-29"), (220, 0, 220))
        self.assertEqual(order.state, "sale")

    def test_pending_points_refused_at_confirmation(self):
        """Two quotations claim the same 100 spendable points while 200 more are pending: the
        second confirmation is refused, pending points do not make up for it."""
        self._earn(self.alice, 100, date="2024-01-01")
        self._earn(self.alice, 200, date="2024-03-01")
        self.assertEqual(self._state(self.alice_card, "2024-03-05"), (300, 200, 100))
        with freeze_time("2024-03-05"):
            first = self._quotation(self.alice, 10)
            self._claim(first, self.reward_voucher)
            second = self._quotation(self.alice, 10)
            self._claim(second, self.reward_voucher)
            self._confirm(first)
            self.assertBalance(self.alice_card, 210)
            # The refusal says why, with the figures (200 of the 210 points are pending).
            with self._refused(UserError, "can spend 0 Points now .balance 210 Points, of "
                                          "which 210 Points pending"):
                second.action_confirm()
        self.assertEqual(second.state, "draft")
        self.assertBalance(self.alice_card, 210)
        self.assertEqual(self._state(self.alice_card, "2024-03-05"), (210, 210, 0))

    def test_order_that_only_earns_needs_no_pending_points(self):
        """A quotation that spends no points is confirmed without looking the card's pending
        points up (Odoo's check before confirming only refuses what an order spends), even
        when most of the balance is pending; an order that spends still reads them."""
        self._earn(self.alice, 100, date="2024-01-01")
        self._earn(self.alice, 200, date="2024-03-01")
        self.assertEqual(self._state(self.alice_card, "2024-03-05"), (300, 200, 100))
        Card = self.registry["loyalty.card"]
        with freeze_time("2024-03-05"), patch.object(
            Card, "_loyalty_pending_points", autospec=True,
            side_effect=Card._loyalty_pending_points,
        ) as pending:
            earning = self._confirm(self._quotation(self.alice, 50))
            self.assertEqual(pending.call_count, 0)
            spending = self._quotation(self.alice, 10)
            self._claim(spending, self.reward_voucher)
            pending.reset_mock()
            self._confirm(spending)
            self.assertGreater(pending.call_count, 0)
        self.assertEqual(earning.state, "sale")
        self.assertBalance(self.alice_card, 300 + 50 + 10 - 100)
        # The 50 and the 10 points are pending as well: 200 + 50 + 10 of 260.
        self.assertEqual(self._state(self.alice_card, "2024-03-05"), (260, 260, 0))
        self.assertEqual(self._state(self.alice_card, "2024-03-20"), (260, 0, 260))

    def test_refund_inside_the_window(self):
        order = self._earn(self.alice, 500, date="2024-03-01")
        invoice = self._invoice(order)
        with freeze_time("2024-03-05"):
            self._credit_note(invoice, quantity=0.4)  # 40% of the only line
        self.assertBalance(self.alice_card, 300)
        self.assertEqual(self._state(self.alice_card, "2024-03-05"), (300, 300, 0))
        with freeze_time("2024-03-06"):
            self._credit_note(invoice)
        self.assertBalance(self.alice_card, 0)
        self.assertEqual(self._state(self.alice_card, "2024-03-06"), (0, 0, 0))
        self.assertEqual(self._state(self.alice_card, "2024-03-20"), (0, 0, 0))

    def test_cancel_inside_the_window(self):
        self._earn(self.alice, 100, date="2024-01-01")
        order = self._earn(self.alice, 200, date="2024-03-01")
        with freeze_time("2024-03-05"):
            self._cancel(order)
        self.assertBalance(self.alice_card, 100)
        self.assertEqual(self._state(self.alice_card, "2024-03-05"), (100, 0, 100))

    def test_adjustment_is_not_pending(self):
        with freeze_time("2024-03-01"):
            self.env["loyalty.card.update.balance"].create(
                {"card_id": self.alice_card.id, "new_balance": 100, "description": "Welcome"}
            ).action_update_card_point()
        self.assertFalse(self._lines(self.alice_card).available_date)
        self.assertEqual(self._state(self.alice_card, "2024-03-01"), (100, 0, 100))
