from odoo import Command
from odoo.tests import tagged

from .common_points import PointsCommon


@tagged("post_install", "-at_install")
class TestPointsAccrual(PointsCommon):
    """Points earned on orders: every rule kind, the tier multiplier, rounding down, the preview
    on the quotation, and nothing for customers who are not members."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.category = cls.env["product.category"].create({"name": "Loyalty Spa"})
        cls.massage = cls.env["product.product"].create(
            {
                "name": "Massage",
                "type": "service",
                "list_price": 50.0,
                "categ_id": cls.category.id,
                "taxes_id": [Command.clear()],
            }
        )

    def _set_rules(self, *rules):
        self.program.rule_ids = [Command.clear()] + [
            Command.create({"minimum_amount": 0, "minimum_qty": 0, **rule}) for rule in rules
        ]

    def _assert_earned(self, order, points):
        """``order`` (a quotation) previews ``points``; once confirmed it gives exactly those
        points to the member, on one ledger line of type order."""
        card = self._card(order.partner_id)
        before = card.points
        count = len(self._lines(card))
        self.assertAlmostEqual(order.loyalty_points_preview, points, places=2, msg="preview")
        self._confirm(order)
        self.assertBalance(card, before + points)
        new = self._lines(card)[count:]
        self.assertRecordValues(new, [{
            "entry_type": "order", "issued": points, "used": 0.0, "order_model": "sale.order",
            "order_id": order.id, "description": f"Order {order.name}",
            "balance_after": before + points, "expiry_date": False, "available_date": False,
        }])
        self.assertAlmostEqual(order.loyalty_points_preview, points, places=2,
                               msg="a confirmed order shows the points it gave")

    # ------------------------------------------------------------------
    # Rule kinds
    # ------------------------------------------------------------------

    def test_per_amount_spent(self):
        order = self._quotation(
            self.alice, lines=[(self.product, 1, 80.0), (self.massage, 2, 35.25)]
        )
        self.assertEqual(order.amount_total, 150.5)
        self._assert_earned(order, 150)  # 150.5 rounded down to whole points

    def test_per_unit(self):
        self._set_rules(
            {"reward_point_mode": "unit", "reward_point_amount": 2,
             "product_ids": [Command.set(self.massage.ids)]}
        )
        order = self._quotation(
            self.alice, lines=[(self.massage, 3, 50.0), (self.product, 4, 100.0)]
        )
        self._assert_earned(order, 6)  # 2 points for each of the 3 massages, none for the rest

    def test_per_order(self):
        self._set_rules({"reward_point_mode": "order", "reward_point_amount": 10})
        self._assert_earned(self._quotation(self.alice, 30.0), 10)
        self._assert_earned(self._quotation(self.alice, 3000.0), 10)
        self.assertEqual(self.alice_card.tier_id, self.tier_silver, "3,030 spent: Silver")
        self._assert_earned(self._quotation(self.alice, 30.0), 15)  # 10 × 1.5

    def test_restricted_to_a_product(self):
        self._set_rules(
            {"reward_point_mode": "money", "reward_point_amount": 1,
             "product_ids": [Command.set(self.massage.ids)]}
        )
        order = self._quotation(
            self.alice, lines=[(self.massage, 2, 45.5), (self.product, 1, 100.0)]
        )
        self._assert_earned(order, 91)
        # An order without the product matches no rule: no points, no ledger line.
        order = self._quotation(self.alice, 500.0)
        self.assertEqual(order.loyalty_points_preview, 0.0)
        self._confirm(order)
        self.assertBalance(self.alice_card, 91)
        self.assertFalse(self._lines(self.alice_card, order_id=order.id).issued)

    def test_restricted_to_a_category(self):
        self._set_rules(
            {"reward_point_mode": "money", "reward_point_amount": 2,
             "product_category_id": self.category.id}
        )
        order = self._quotation(
            self.alice, lines=[(self.massage, 1, 60.0), (self.product, 3, 100.0)]
        )
        self._assert_earned(order, 120)  # 2 points per $ on the massage only

    def test_rules_add_up(self):
        self._set_rules(
            {"reward_point_mode": "money", "reward_point_amount": 1},
            {"reward_point_mode": "unit", "reward_point_amount": 5,
             "product_ids": [Command.set(self.massage.ids)]},
            {"reward_point_mode": "order", "reward_point_amount": 20},
        )
        self._set_tier(self.alice_card, self.tier_gold)
        order = self._quotation(
            self.alice, lines=[(self.massage, 2, 50.0), (self.product, 1, 100.0)]
        )
        self._assert_earned(order, (200 + 10 + 20) * 2)

    # ------------------------------------------------------------------
    # Multiplier and rounding
    # ------------------------------------------------------------------

    def test_tier_multiplier(self):
        self._set_tier(self.alice_card, self.tier_gold)
        self._assert_earned(self._quotation(self.alice, 250.0), 500)
        self._set_tier(self.bob_card, self.tier_silver)
        self._assert_earned(self._quotation(self.bob, 250.0), 375)

    def test_vnd_like_rounding_down(self):
        """1 point per 1,000: an order of 123,456 gives 123.456 points, 123 for a Member and
        185 (not 185.18, not 186) for a Silver member (× 1.5)."""
        self._set_rules({"reward_point_mode": "money", "reward_point_amount": 0.001})
        self._assert_earned(self._quotation(self.alice, 123456.0), 123)
        self._set_tier(self.bob_card, self.tier_silver)
        self._assert_earned(self._quotation(self.bob, 123456.0), 185)

    def test_rounding_to_a_multiple(self):
        self.program.points_rounding = 10
        self._assert_earned(self._quotation(self.alice, 159.0), 150)
        self._set_tier(self.bob_card, self.tier_silver)
        self._assert_earned(self._quotation(self.bob, 159.0), 230)  # 238.5 → 230

    def test_rounding_zero_keeps_cents(self):
        self.program.points_rounding = 0
        self._set_tier(self.alice_card, self.tier_silver)
        self._assert_earned(self._quotation(self.alice, 99.99), 149.98)  # 149.985 rounded down

    def test_preview_follows_the_quotation(self):
        order = self._quotation(self.alice, 100.0)
        self.assertEqual(order.loyalty_points_preview, 100)
        order.order_line.product_uom_qty = 3
        self.assertEqual(order.loyalty_points_preview, 300)
        self._set_tier(self.alice_card, self.tier_gold)
        order.invalidate_recordset(["loyalty_points_preview"])
        self.assertEqual(order.loyalty_points_preview, 600)
        self._assert_earned(order, 600)

    # ------------------------------------------------------------------
    # Customers who are not members
    # ------------------------------------------------------------------

    def test_non_member_earns_nothing(self):
        order = self._quotation(self.carol, 500.0)
        self.assertEqual(order.loyalty_points_preview, 0.0)
        self._confirm(order)
        self.assertFalse(self._card(self.carol), "no card was created")
        self.assertFalse(
            self.env["loyalty.card"].search(
                [("program_id", "=", self.program.id), ("partner_id", "=", self.carol.id)]
            )
        )
        self.assertFalse(
            self.env["loyalty.history"].search(
                [("order_model", "=", "sale.order"), ("order_id", "=", order.id)]
            )
        )
        self.assertEqual(order.loyalty_points_preview, 0.0)
        # Once enrolled, the same customer earns on the next order.
        card = self._enrol(self.carol)
        self._assert_earned(self._quotation(self.carol, 40.0), 40)
        self.assertBalance(card, 40)
