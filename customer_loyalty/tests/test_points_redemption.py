from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_points import PointsCommon


@tagged("post_install", "-at_install")
class TestPointsRedemption(PointsCommon):
    """Spending points with Odoo's rewards: the balance goes down by the reward's cost, rewards
    reserved for a tier are refused to the other members, and points cannot be spent twice."""

    def test_voucher(self):
        self._earn(self.alice, 250)
        order = self._quotation(self.alice, 40)
        self.assertFalse(
            order._get_claimable_rewards().get(self.bob_card), "Bob's card is not Alice's"
        )
        line = self._claim(order, self.reward_voucher)
        self.assertRecordValues(line, [{"price_unit": -10.0, "points_cost": 100.0}])
        self.assertEqual(order.amount_total, 30.0)
        self._confirm(order)
        # 100 points spent; the 40 spent on the order still earn points.
        self.assertBalance(self.alice_card, 250 - 100 + 40)
        self.assertRecordValues(self._lines(self.alice_card, order_id=order.id), [{
            "entry_type": "order", "issued": 40.0, "used": 100.0, "balance_after": 190.0,
        }])

    def test_discount_per_point(self):
        self._earn(self.alice, 250)
        order = self._quotation(self.alice, 120)
        # 250 points + 120 that this order earns = 370, used by blocks of 100: 300 points give
        # 30.00 off (10 cents each).
        line = self._claim(order, self.reward_per_point)
        self.assertRecordValues(line, [{"price_unit": -30.0, "points_cost": 300.0}])
        self.assertEqual(order.amount_total, 90.0)
        self._confirm(order)
        self.assertBalance(self.alice_card, 250 - 300 + 120)

    def test_free_product(self):
        self._earn(self.alice, 60)
        order = self._quotation(self.alice, 20)
        line = self._claim(order, self.reward_gift)
        self.assertRecordValues(line, [{
            "product_id": self.gift.id, "product_uom_qty": 1.0, "price_total": 0.0,
            "points_cost": 50.0,
        }])
        self._confirm(order)
        self.assertBalance(self.alice_card, 60 - 50 + 20)

    def test_not_enough_points(self):
        self._earn(self.alice, 70)
        order = self._quotation(self.alice, 20)  # 70 + 20 < 100
        self.assertNotIn(
            self.reward_voucher, order._get_claimable_rewards().get(self.alice_card, [])
        )
        status = order._apply_program_reward(self.reward_voucher, self.alice_card)
        self.assertEqual(
            status, {"error": "The coupon does not have enough points for the selected reward."}
        )
        self.assertFalse(order.order_line.reward_id)
        self._confirm(order)
        self.assertBalance(self.alice_card, 90)

    def test_tier_only_reward(self):
        self._earn(self.alice, 300)
        self._set_tier(self.alice_card, self.tier_silver)
        order = self._quotation(self.alice, 20)
        claimable = order._get_claimable_rewards()[self.alice_card]
        self.assertIn(self.reward_voucher, claimable, "other rewards stay claimable")
        self.assertNotIn(self.reward_gold, claimable)
        status = order._apply_program_reward(self.reward_gold, self.alice_card)
        self.assertEqual(
            status, {"error": "The reward “Gold lounge” is reserved for Gold members."}
        )
        self.assertFalse(order.order_line.reward_id)
        self._confirm(order)
        self.assertBalance(self.alice_card, 300 + 30)  # 20 × 1.5, nothing spent

        self._set_tier(self.alice_card, self.tier_gold)
        order = self._quotation(self.alice, 20)
        line = self._claim(order, self.reward_gold)
        self.assertRecordValues(line, [{"price_unit": -5.0, "points_cost": 50.0}])
        self._confirm(order)
        self.assertBalance(self.alice_card, 330 - 50 + 40)  # 20 × 2 earned

    def test_tier_only_reward_wizard(self):
        """The reward wizard of the quotation only offers what the member may claim."""
        self._earn(self.alice, 300)
        order = self._quotation(self.alice, 20)
        wizard = self.env["sale.loyalty.reward.wizard"].with_context(active_id=order.id).create(
            {"order_id": order.id}
        )
        self.assertIn(self.reward_voucher, wizard.reward_ids)
        self.assertNotIn(self.reward_gold, wizard.reward_ids)
        wizard.selected_reward_id = self.reward_voucher
        wizard.action_apply()
        self.assertEqual(order.order_line.reward_id, self.reward_voucher)
        self._confirm(order)
        self.assertBalance(self.alice_card, 300 - 100 + 20)

    def test_same_points_twice_in_a_row(self):
        """Two quotations each claim the same 100 points: the first confirmation spends them,
        the second is refused and changes nothing."""
        self._earn(self.alice, 100)
        first = self._quotation(self.alice, 10)
        self._claim(first, self.reward_voucher)
        second = self._quotation(self.alice, 10)
        self._claim(second, self.reward_voucher)
        self._confirm(first)
        self.assertBalance(self.alice_card, 100 - 100 + 10)
        lines = self._lines(self.alice_card)
        with self._refused(UserError, "it costs 100 Points, and the member can spend 10 Points"):
            second.action_confirm()
        self.assertEqual(second.state, "draft")
        self.assertEqual(self._lines(self.alice_card), lines)
        self.assertBalance(self.alice_card, 10)

    def test_spent_then_reversed_goes_negative(self):
        """Points spent, then the order that earned them cancelled: the balance goes below zero
        (the ledger keeps what happened). A negative balance cannot pay for a reward; the member
        can still buy, and new points pay the debt back first."""
        earning = self._earn(self.alice, 150)
        self._redeem(self.alice, 20, self.reward_voucher)
        self.assertBalance(self.alice_card, 70)
        self._cancel(earning)
        self.assertBalance(self.alice_card, -80)
        self.assertRecordValues(self._lines(self.alice_card)[-1], [{
            "entry_type": "reversal", "issued": 0.0, "used": 150.0, "balance_after": -80.0,
            "order_id": earning.id,
        }])

        order = self._quotation(self.alice, 120)  # -80 + 120 = 40 < 100
        self.assertFalse(order._get_claimable_rewards().get(self.alice_card))
        status = order._apply_program_reward(self.reward_voucher, self.alice_card)
        self.assertEqual(
            status, {"error": "The coupon does not have enough points for the selected reward."}
        )
        self._confirm(self._quotation(self.alice, 30))
        self.assertBalance(self.alice_card, -50)
        self._confirm(order)
        self.assertBalance(self.alice_card, 70)
