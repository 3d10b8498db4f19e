from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_pos import PosPointsCommon


@tagged("post_install", "-at_install")
class TestPosTierPerks(PosPointsCommon):
    """Tier perks on POS orders synced by a cashier through ``sync_from_ui``: the server refuses
    a promotion reserved for another tier as Sales does, and gives the category bonus the POS
    shows. 1 point per currency unit paid (taxes included), Member x1, Gold x1.5, whole points."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Program = cls.env["loyalty.program"]

        def promotion(name, tiers):
            return Program.create({
                "name": name, "program_type": "promotion", "trigger": "auto",
                "applies_on": "current", "company_id": cls.company.id, "pos_ok": True,
                "pos_config_ids": [Command.set(cls.config.ids)],
                "tier_ids": [Command.set(tiers.ids)],
                "rule_ids": [Command.create({"reward_point_mode": "order",
                                             "reward_point_amount": 1})],
                "reward_ids": [Command.create({
                    "reward_type": "discount", "discount_mode": "per_order", "discount": 10,
                    "discount_applicability": "order", "required_points": 1})],
            })

        cls.gold_promo = promotion("Gold 10 off", cls.tier_gold)
        cls.plain_promo = promotion("Everybody 10 off", cls.env["loyalty.tier"])
        cls.services = cls.env["product.category"].create({"name": "POS Services"})
        cls.lamp.categ_id = cls.services
        cls.env["loyalty.tier.category.bonus"].create(
            {"tier_id": cls.tier_gold.id, "categ_id": cls.services.id, "multiplier": 2.0}
        )

    def _promo_order(self, customer, program, lines=None):
        """A POS order of ``lines`` (a lamp) with ``program``'s 10.00 discount line."""
        data = self._data(lines or [(self.lamp, 1)], customer=customer)
        reward = program.reward_ids
        data["lines"].append((0, 0, {
            "product_id": reward.discount_line_product_id.id, "qty": 1, "price_unit": -10.0,
            "price_subtotal": -10.0, "price_subtotal_incl": -10.0, "discount": 0,
            "tax_ids": [Command.clear()], "pack_lot_ids": [], "is_reward_line": True,
            "reward_id": reward.id, "points_cost": 1, "reward_identifier_code": "promo-1",
        }))
        for key in ("amount_total", "amount_paid"):
            data[key] -= 10.0
        data["payment_ids"][0][2]["amount"] -= 10.0
        return data

    # -- tier-only promotions ------------------------------------------------------------

    def test_gold_promotion_refused_to_other_tiers_at_sync(self):
        for customer in (self.alice, self.carol, None):  # a Member, a non-member, anonymous
            with self.subTest(customer=customer and customer.name):
                with self.assertRaises(UserError) as refusal:
                    self._sync(self._promo_order(customer, self.gold_promo))
                self.assertIn("The promotion “Gold 10 off” is reserved for Gold members.",
                              str(refusal.exception))
        self.assertFalse(self.env["pos.order"].search([("session_id", "=",
                                                       self.pos_session.id)]))
        self.assertBalance(self.alice_card, 0)

    def test_gold_promotion_accepted_for_gold(self):
        self._set_tier(self.alice_card, self.tier_gold)
        order = self._sync(self._promo_order(self.alice, self.gold_promo, [(self.pen, 1)]))
        self.assertEqual(order.state, "paid")
        self.assertAlmostEqual(order.amount_total, 0.25)  # 10.25 - 10
        # 0.25 paid x 1.5 = 0.375 -> 0 points (the pen has no category bonus).
        self.assertBalance(self.alice_card, 0)

    def test_untouched_promotion_for_everybody(self):
        for customer in (self.alice, self.carol):
            with self.subTest(customer=customer.name):
                order = self._sync(self._promo_order(customer, self.plain_promo,
                                                     [(self.pen, 2)]))
                self.assertEqual(order.state, "paid")
                self.assertAlmostEqual(order.amount_total, 10.5)
        self.assertBalance(self.alice_card, 10)  # 10.50 paid -> 10

    def test_no_points_nor_coupon_of_a_gold_only_program_for_others(self):
        """pos_loyalty's round trip creates next-order coupons from the POS's figures: not for
        a customer outside the program's tiers."""
        program = self.env["loyalty.program"].create({
            "name": "Gold next order", "program_type": "next_order_coupons",
            "trigger": "auto", "applies_on": "future", "company_id": self.company.id,
            "pos_ok": True, "pos_config_ids": [Command.set(self.config.ids)],
            "tier_ids": [Command.set(self.tier_gold.ids)],
            "reward_ids": [Command.create({
                "reward_type": "discount", "discount_mode": "percent", "discount": 15,
                "discount_applicability": "order", "required_points": 1})],
        })
        coupons = self.env["loyalty.card"].search_count
        for customer, tier, expected in ((self.alice, self.tier_member, 0),
                                         (self.alice, self.tier_gold, 1)):
            self._set_tier(self.alice_card, tier) if self.alice_card.tier_id != tier else None
            order = self._sell(customer, [(self.pen, 1)])
            order.with_user(self.cashier).confirm_coupon_programs({
                "-1": {"program_id": program.id, "points": 1, "coupon_id": -1,
                       "partner_id": customer.id, "line_codes": []},
            })
            self.assertEqual(coupons([("program_id", "=", program.id)]), expected)

    # -- category bonus ------------------------------------------------------------------

    def test_category_bonus_at_sync(self):
        self._set_tier(self.alice_card, self.tier_gold)
        order = self._sell(self.alice, [(self.lamp, 1), (self.pen, 1)])
        # 110.25 paid + bonus 100 x (2 - 1) on the lamp = 210.25, x 1.5 = 315.375 -> 315;
        # without the bonus 165.375 -> 165: the bonus gave 150.
        line = self._lines(self.alice_card, order_id=order.id)
        self.assertRecordValues(line, [{"issued": 315.0, "used": 0.0}])
        self.assertIn("(category bonus: +150", line.description)
        self.assertBalance(self.alice_card, 315)

    def test_no_category_bonus_for_other_tiers(self):
        order = self._sell(self.alice, [(self.lamp, 1), (self.pen, 1)])
        line = self._lines(self.alice_card, order_id=order.id)
        self.assertRecordValues(line, [{"issued": 110.0}])
        self.assertNotIn("bonus", line.description)
