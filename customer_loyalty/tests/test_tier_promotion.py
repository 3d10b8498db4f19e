from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_points import PointsCommon

GOLD_ONLY = "The promotion “%s” is reserved for Gold members."


@tagged("post_install", "-at_install")
class TestTierPromotion(PointsCommon):
    """Promotions reserved for tiers on sales orders: not offered, not applicable, refused at
    confirmation for customers of other tiers (and non-members); programs without tiers are
    Odoo's. Figures: no taxes, 1 point per unit spent, Gold x2."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Program = cls.env["loyalty.program"]
        discount = {"reward_type": "discount", "discount_mode": "percent", "discount": 10,
                    "discount_applicability": "order", "required_points": 1}
        cls.gold_promo = Program.create({
            "name": "Gold 10%", "program_type": "promotion", "trigger": "auto",
            "applies_on": "current", "company_id": cls.company.id,
            "tier_ids": [Command.set(cls.tier_gold.ids)],
            "rule_ids": [Command.create({"reward_point_mode": "order", "reward_point_amount": 1})],
            "reward_ids": [Command.create(discount)],
        })
        cls.gold_code = Program.create({
            "name": "Gold code", "program_type": "promo_code", "trigger": "with_code",
            "applies_on": "current", "company_id": cls.company.id,
            "tier_ids": [Command.set(cls.tier_gold.ids)],
            "rule_ids": [Command.create({"mode": "with_code", "code": "GOLD5",
                                         "reward_point_mode": "order", "reward_point_amount": 1})],
            "reward_ids": [Command.create({
                "reward_type": "discount", "discount_mode": "per_order", "discount": 5,
                "discount_applicability": "order", "required_points": 1})],
        })
        cls.gold_code.active = False  # activated by the tests that need it
        cls.gold_promo.active = False

    def _quote(self, partner, amount=200):
        return self._quotation(partner, amount)

    def _offered(self, order, program):
        """The rewards of ``program`` the Promotions button offers on ``order``."""
        order._update_programs_and_rewards()
        return self.env["loyalty.reward"].union(*(
            rewards for coupon, rewards in order._get_claimable_rewards().items()
            if coupon.program_id == program
        ))

    def _promote(self, order, program):
        """Apply ``program``'s reward as the Promotions button does."""
        order._update_programs_and_rewards()
        for coupon, rewards in order._get_claimable_rewards().items():
            if coupon.program_id == program:
                self.assertEqual(order._apply_program_reward(rewards, coupon), {})
                order._update_programs_and_rewards()
        self.assertEqual(order.order_line.reward_id.program_id, program)

    # -- automatic promotion ------------------------------------------------------------

    def test_not_offered_nor_applicable_to_other_tiers(self):
        self.gold_promo.active = True
        self.assertEqual(self.alice_card.tier_id, self.tier_member)
        for partner in (self.alice, self.carol):  # a Member, and a customer who is no member
            with self.subTest(customer=partner.name):
                order = self._quote(partner)
                self.assertFalse(self._offered(order, self.gold_promo), "not offered")
                self.assertFalse(order.coupon_point_ids.coupon_id.filtered(
                    lambda c: c.program_id == self.gold_promo))
                self.assertEqual(order.amount_total, 200.0)
                self.assertNotIn(self.gold_promo, order._get_applicable_program_points())
                self.assertEqual(order._try_apply_program(self.gold_promo),
                                 {"error": GOLD_ONLY % "Gold 10%"})
        self._confirm(order)
        self._confirm(self._quote(self.alice))
        self.assertBalance(self.alice_card, 200)  # 200 spent, x1, no discount

    def test_applied_to_gold(self):
        self.gold_promo.active = True
        self._set_tier(self.alice_card, self.tier_gold)
        order = self._quote(self.alice)
        self.assertEqual(self._offered(order, self.gold_promo), self.gold_promo.reward_ids)
        self._promote(order, self.gold_promo)
        self.assertEqual(order.amount_total, 180.0)  # 200 - 10%
        self._confirm(order)
        self.assertBalance(self.alice_card, 360)  # 180 paid x2 (Gold)

    def test_removed_from_a_quotation_and_refused_at_confirmation_after_a_downgrade(self):
        self.gold_promo.active = True
        self._set_tier(self.alice_card, self.tier_gold)
        order = self._quote(self.alice)
        self._promote(order, self.gold_promo)
        self.assertEqual(order.amount_total, 180.0)
        self._set_tier(self.alice_card, self.tier_member)
        with self._refused(UserError, "reserved for Gold members.*Alice Nguyen cannot have it"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        # Updating the promotions removes it; the order then confirms at full price.
        order._update_programs_and_rewards()
        self.assertFalse(order.order_line.reward_id)
        self.assertEqual(order.amount_total, 200.0)
        self._confirm(order)
        self.assertBalance(self.alice_card, 200)

    # -- promotion code, coupons, next-order coupons -------------------------------------

    def test_promo_code(self):
        self.gold_code.active = True
        order = self._quote(self.alice)
        self.assertEqual(order._try_apply_code("GOLD5"), {"error": GOLD_ONLY % "Gold code"})
        self.assertFalse(order.code_enabled_rule_ids)
        self._set_tier(self.alice_card, self.tier_gold)
        result = order._try_apply_code("GOLD5")
        self.assertNotIn("error", result)
        reward = self.gold_code.reward_ids
        coupon = next(iter(result))
        self.assertEqual(result[coupon], reward)
        self.assertEqual(order._apply_program_reward(reward, coupon), {})
        self.assertEqual(order.amount_total, 195.0)
        self._confirm(order)
        self.assertBalance(self.alice_card, 390)  # 195 paid x2

    def test_coupon_of_a_gold_only_program(self):
        program = self.env["loyalty.program"].create({
            "name": "Gold coupon", "program_type": "coupons", "trigger": "with_code",
            "applies_on": "current", "company_id": self.company.id,
            "tier_ids": [Command.set(self.tier_gold.ids)],
            "reward_ids": [Command.create({
                "reward_type": "discount", "discount_mode": "per_order", "discount": 7,
                "discount_applicability": "order", "required_points": 1})],
        })
        coupon = self.env["loyalty.card"].create(
            {"program_id": program.id, "partner_id": self.alice.id, "points": 1}
        )
        order = self._quote(self.alice)
        self.assertEqual(order._try_apply_code(coupon.code), {"error": GOLD_ONLY % "Gold coupon"})
        self.assertFalse(order._get_claimable_rewards(forced_coupons=coupon))
        self.assertEqual(order._apply_program_reward(program.reward_ids, coupon),
                         {"error": GOLD_ONLY % "Gold coupon"})
        self.assertEqual(order.amount_total, 200.0)
        self._set_tier(self.alice_card, self.tier_gold)
        result = order._try_apply_code(coupon.code)
        self.assertEqual(result, {coupon: program.reward_ids})
        order._apply_program_reward(program.reward_ids, coupon)
        self.assertEqual(order.amount_total, 193.0)

    def test_next_order_coupons_only_for_the_tier(self):
        program = self.env["loyalty.program"].create({
            "name": "Gold next order", "program_type": "next_order_coupons",
            "trigger": "auto", "applies_on": "future", "company_id": self.company.id,
            "tier_ids": [Command.set(self.tier_gold.ids)],
            "rule_ids": [Command.create({"reward_point_mode": "order", "reward_point_amount": 1,
                                         "minimum_amount": 50})],
            "reward_ids": [Command.create({
                "reward_type": "discount", "discount_mode": "percent", "discount": 15,
                "discount_applicability": "order", "required_points": 1})],
        })
        Card = self.env["loyalty.card"]
        self._confirm(self._quote(self.alice))
        self.assertFalse(Card.search([("program_id", "=", program.id)]), "no coupon for a Member")
        self._set_tier(self.alice_card, self.tier_gold)
        self._confirm(self._quote(self.alice))
        self.assertRecordValues(
            Card.search([("program_id", "=", program.id)]),
            [{"partner_id": self.alice.id, "points": 1.0}],
        )

    # -- Odoo's promotions without tiers -------------------------------------------------

    def test_untouched_odoo_promotion(self):
        """A promotion without tiers is Odoo's: every customer gets it, member or not."""
        promo = self.env["loyalty.program"].create({
            "name": "Everybody 10%", "program_type": "promotion", "trigger": "auto",
            "applies_on": "current", "company_id": self.company.id,
            "rule_ids": [Command.create({"reward_point_mode": "order", "reward_point_amount": 1})],
            "reward_ids": [Command.create({
                "reward_type": "discount", "discount_mode": "percent", "discount": 10,
                "discount_applicability": "order", "required_points": 1})],
        })
        self.assertFalse(promo.tier_ids)
        for partner in (self.alice, self.carol):
            with self.subTest(customer=partner.name):
                order = self._quote(partner)
                self._promote(order, promo)
                self.assertEqual(order.amount_total, 180.0)
                self._confirm(order)
        self.assertBalance(self.alice_card, 180)

    # -- set-up and rights ---------------------------------------------------------------

    def test_setup_checks(self):
        with self._refused(ValidationError, "cannot be reserved for tiers"):
            self.program.tier_ids = self.tier_gold
        other = self.env["res.company"].create({"name": "Other Shop"})
        with self._refused(ValidationError, "of another company"):
            self.gold_promo.tier_ids = other.loyalty_tier_ids[:1]

    def test_salesperson_and_cashier_cannot_set_a_programs_tiers(self):
        salesman = self._new_user("promo_salesman", "sales_team.group_sale_salesman")
        cashier = self._new_user("promo_cashier", "base.group_user,point_of_sale.group_pos_user")
        for user in (salesman, cashier):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self._as(user, self.gold_promo).write({"tier_ids": [Command.clear()]})
                with self.assertRaises(AccessError):
                    self._as(user, self.env["loyalty.program"]).create({
                        "name": "Mine", "program_type": "promotion",
                        "tier_ids": [Command.set(self.tier_member.ids)],
                    })
        self.assertEqual(self.gold_promo.tier_ids, self.tier_gold)
