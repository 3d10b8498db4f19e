from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_pos import PosPointsCommon


@tagged("post_install", "-at_install")
class TestPosParity(PosPointsCommon):
    """What holds at a sales order's confirmation holds when a POS order is synced, and the
    POS's client round trip (``validate_coupon_programs``, ``confirm_coupon_programs``,
    ``add_loyalty_history_lines``, callable by any cashier over RPC) cannot move member
    points."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.promo = cls.env["loyalty.program"].create({
            "name": "Other loyalty", "program_type": "loyalty", "company_id": cls.company.id,
            "pos_ok": True, "pos_config_ids": [Command.set(cls.config.ids)],
        })

    def _voucher_order(self, customer, card, products=None, points_cost=100, reward=None):
        return self._add_reward_line(
            self._data(products or [(self.lamp, 1)], customer=customer),
            card, reward or self.reward_voucher, amount=10.0, points_cost=points_cost,
        )

    # -- defect 1: a cashier crediting any member card ----------------------------------

    def test_cashier_cannot_credit_a_card_by_naming_another_program(self):
        order = self._sell(self.alice, [(self.lamp, 1)])
        self.assertBalance(self.alice_card, 100)
        lines = len(self._lines(self.alice_card))
        attacks = [
            # the customer's own card, claimed under another program's id
            {str(self.alice_card.id): {"program_id": self.promo.id, "points": 100000,
                                       "coupon_id": self.alice_card.id, "line_codes": []}},
            # another member's card, with the membership program or another one
            {str(self.bob_card.id): {"program_id": self.program.id, "points": 100000,
                                     "coupon_id": self.bob_card.id, "line_codes": []}},
            {str(self.bob_card.id): {"program_id": self.promo.id, "points": 5000,
                                     "line_codes": []}},
            # a member card passed off as a gift card being sold
            {"-1": {"program_id": self.promo.id, "points": 7000,
                    "giftCardId": self.bob_card.id, "partner_id": self.bob.id}},
        ]
        for coupon_data in attacks:
            with self.subTest(coupon_data=coupon_data):
                order.with_user(self.cashier).confirm_coupon_programs(coupon_data)
                self.assertBalance(self.alice_card, 100)
                self.assertBalance(self.bob_card, 0)
        self.assertEqual(len(self._lines(self.alice_card)), lines)
        self.assertFalse(self._lines(self.bob_card))
        order.with_user(self.cashier).add_loyalty_history_lines(
            [{"card_id": str(self.bob_card.id), "won": 9999, "spent": 0}], []
        )
        self.assertBalance(self.bob_card, 0)

    def test_other_programs_still_get_their_points(self):
        """Don't break Odoo: the same round trip still credits a card of another program."""
        other_card = self.env["loyalty.card"].create(
            {"program_id": self.promo.id, "partner_id": self.alice.id, "points": 5}
        )
        order = self._sell(self.alice, [(self.lamp, 1)])
        order.with_user(self.cashier).confirm_coupon_programs({
            str(other_card.id): {"program_id": self.promo.id, "points": 20,
                                 "coupon_id": other_card.id, "line_codes": []},
        })
        self.assertEqual(other_card.points, 25)
        self.assertBalance(self.alice_card, 100)

    # -- pending points, tier-only rewards, foreign cards, negative costs ----------------

    def test_pending_points_cannot_be_spent_at_the_pos(self):
        self.program.points_pending_days = 14
        self._sell(self.alice, [(self.lamp, 2)])  # 200 points, pending
        self.assertBalance(self.alice_card, 200)
        # Before payment the POS asks: the member can spend nothing yet.
        check = self.env["pos.order"].with_user(self.cashier).validate_coupon_programs(
            {str(self.alice_card.id): -100}, []
        )
        self.assertFalse(check["successful"])
        self.assertIn("can spend 0", check["payload"]["message"])
        # And the server refuses the redemption at sync, whatever the POS did.
        with self.assertRaises(UserError):
            self._sync(self._voucher_order(self.alice, self.alice_card))
        self.assertBalance(self.alice_card, 200)

    def test_spendable_points_pass_the_checks(self):
        self._sell(self.alice, [(self.lamp, 2)])
        check = self.env["pos.order"].with_user(self.cashier).validate_coupon_programs(
            {str(self.alice_card.id): -100}, []
        )
        self.assertTrue(check["successful"])
        order = self._sync(self._voucher_order(self.alice, self.alice_card))
        # The lamp earns 100 (the program's own voucher does not lower it, as in Sales).
        self.assertRecordValues(self._lines(self.alice_card, order_id=order.id), [
            {"issued": 100.0, "used": 100.0}])
        self.assertBalance(self.alice_card, 200)

    def test_an_order_may_spend_the_points_it_earns(self):
        """As in Sales and as the POS shows it: with no pending period, a member with no points
        can pay a reward with the points the same order earns (2 lamps: 200)."""
        order = self._sync(self._voucher_order(self.alice, self.alice_card,
                                               products=[(self.lamp, 2)]))
        self.assertRecordValues(self._lines(self.alice_card, order_id=order.id), [
            {"issued": 200.0, "used": 100.0}])
        self.assertBalance(self.alice_card, 100)
        # Not more than that: a lamp earns 100, the balance is 100, a cost of 300 is refused.
        data = self._voucher_order(self.alice, self.alice_card, points_cost=300)
        with self.assertRaises(UserError):
            self._sync(data)
        self.assertBalance(self.alice_card, 100)

    def test_tier_only_reward_refused_to_other_tiers_at_sync(self):
        self.reward_voucher.tier_ids = self.tier_gold
        self._sell(self.alice, [(self.lamp, 2)])
        self.assertEqual(self.alice_card.tier_id, self.tier_member)
        with self.assertRaises(UserError) as refusal:
            self._sync(self._voucher_order(self.alice, self.alice_card))
        self.assertIn("reserved for Gold", str(refusal.exception))
        self.assertBalance(self.alice_card, 200)
        self._set_tier(self.alice_card, self.tier_gold)
        self._sync(self._voucher_order(self.alice, self.alice_card))
        self.assertBalance(self.alice_card, 200 - 100 + 150)  # 100 x 1.5 for Gold

    def test_another_members_card_cannot_pay_at_the_pos(self):
        self._sell(self.alice, [(self.lamp, 2)])
        with self.assertRaises(UserError):
            self._sync(self._voucher_order(self.bob, self.alice_card))
        self.assertBalance(self.alice_card, 200)
        self.assertBalance(self.bob_card, 0)

    def test_negative_points_cost_is_refused_at_sync(self):
        with self.assertRaises(UserError):
            self._sync(self._voucher_order(self.alice, self.alice_card, points_cost=-500))
        self.assertBalance(self.alice_card, 0)

    def test_reward_of_another_program_cannot_be_paid_with_member_points(self):
        reward = self.env["loyalty.reward"].create({
            "program_id": self.promo.id, "reward_type": "discount", "discount": 10,
            "discount_mode": "per_order", "required_points": 1,
        })
        self._sell(self.alice, [(self.lamp, 2)])
        with self.assertRaises(UserError):
            self._sync(self._voucher_order(self.alice, self.alice_card, reward=reward))
        self.assertBalance(self.alice_card, 200)

    # -- exchanges and refunds ---------------------------------------------------------

    def test_exchange_takes_back_returned_items_and_earns_on_new_ones(self):
        first = self._sell(self.alice, [(self.lamp, 1), (self.pen, 1)])  # 110.25
        self.assertBalance(self.alice_card, 110)
        pen_line = first.lines.filtered(lambda line: line.product_id == self.pen)
        data = self._data(
            [
                {"product": self.pen, "quantity": -1, "refunded_orderline_id": pen_line.id},
                (self.lamp, 1),
            ],
            customer=self.alice,
        )
        exchange = self._sync(data)
        self.assertAlmostEqual(exchange.amount_total, 89.75)
        # The pen returned: 10.25 / 110.25 of the first order's 110 points = 10.22, rounded
        # down to 10; the new lamp earns 100.
        self.assertRecordValues(self._lines(self.alice_card), [
            {"entry_type": "order", "order_id": first.id, "issued": 110, "used": 0},
            {"entry_type": "refund", "order_id": first.id, "issued": 0, "used": 10},
            {"entry_type": "order", "order_id": exchange.id, "issued": 100, "used": 0},
        ])
        self.assertBalance(self.alice_card, 200)
        # Synced again: nothing more.
        self._sync(data)
        self.assertBalance(self.alice_card, 200)

    def test_refund_gives_back_the_points_the_order_spent(self):
        self._sell(self.alice, [(self.lamp, 2)])  # 200
        order = self._sync(self._voucher_order(self.alice, self.alice_card))  # -100, +100
        self.assertBalance(self.alice_card, 200)
        lamp_line = order.lines.filtered(lambda line: line.product_id == self.lamp)
        reward_line = order.lines.filtered("is_reward_line")
        data = self._data(
            [{"product": self.lamp, "quantity": -1, "refunded_orderline_id": lamp_line.id},
             {"product": reward_line.product_id, "quantity": -1,
              "refunded_orderline_id": reward_line.id}],
            customer=self.alice,
        )
        # The returned voucher line gives its 10 back (the test helper prices it at 0).
        for line in data["lines"]:
            if line[2]["refunded_orderline_id"] == reward_line.id:
                line[2].update(price_unit=-10.0, price_subtotal=10.0, price_subtotal_incl=10.0)
        for key in ("amount_total", "amount_paid"):
            data[key] += 10.0
        data["payment_ids"][0][2]["amount"] += 10.0
        self._sync(data)
        # The whole order refunded: its 100 points taken back, its 100 points given back.
        self.assertRecordValues(self._lines(self.alice_card, order_id=order.id), [
            {"entry_type": "order", "issued": 100, "used": 100},
            {"entry_type": "refund", "issued": 0, "used": 100},
            {"entry_type": "refund_redeemed", "issued": 100, "used": 0},
        ])
        self.assertBalance(self.alice_card, 200)
