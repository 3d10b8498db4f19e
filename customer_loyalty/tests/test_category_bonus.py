from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_points import PointsCommon


@tagged("post_install", "-at_install")
class TestCategoryBonus(PointsCommon):
    """Bonus points per product category on sales orders (no taxes; 1 point per unit spent;
    Silver x1.5, Gold x2; whole points, rounded down after the multipliers).

    Gold: x2 on Services, x3 on Services / Massage (a sub-category: the highest bonus of the
    line's category path applies, never both); Silver: x1.5 on Services."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Category = cls.env["product.category"]
        cls.services = Category.create({"name": "Services"})
        cls.massages = Category.create({"name": "Massage", "parent_id": cls.services.id})

        def product(name, category):
            return cls.env["product.product"].create({
                "name": name, "type": "service", "categ_id": category.id,
                "taxes_id": [Command.clear()],
            })

        cls.haircut = product("Haircut", cls.services)
        cls.massage = product("Massage 60", cls.massages)
        cls.env["loyalty.tier.category.bonus"].create([
            {"tier_id": cls.tier_gold.id, "categ_id": cls.services.id, "multiplier": 2.0},
            {"tier_id": cls.tier_gold.id, "categ_id": cls.massages.id, "multiplier": 3.0},
            {"tier_id": cls.tier_silver.id, "categ_id": cls.services.id, "multiplier": 1.5},
        ])

    def _order(self, partner, lines):
        return self._quotation(partner, lines=lines)

    def test_gold_bonus_highest_of_the_category_path(self):
        self._set_tier(self.alice_card, self.tier_gold)
        order = self._order(self.alice, [(self.haircut, 1, 100), (self.massage, 1, 50),
                                         (self.product, 1, 30)])
        # 180 spent + bonus 100 x (2 - 1) on the haircut + 50 x (3 - 1) on the massage = 380,
        # x2 (Gold) = 760; without the bonus 360: the bonus gives 400.
        self.assertEqual(order.loyalty_points_preview, 760)
        self.assertEqual(order.loyalty_bonus_points, 400)
        self._confirm(order)
        self.assertBalance(self.alice_card, 760)
        self.assertRecordValues(self._lines(self.alice_card, order_id=order.id),
                                [{"issued": 760.0, "used": 0.0}])
        self.assertIn("Category bonus of the tier Gold: +400", order.message_ids[:3].mapped(
            "body").__str__())

    def test_no_bonus_for_a_tier_without_one(self):
        order = self._order(self.alice, [(self.haircut, 1, 100), (self.massage, 1, 50)])
        self.assertEqual(order.loyalty_points_preview, 150)
        self.assertEqual(order.loyalty_bonus_points, 0)
        self._confirm(order)
        self.assertBalance(self.alice_card, 150)

    def test_rounding_after_the_multipliers(self):
        self._set_tier(self.alice_card, self.tier_silver)
        order = self._order(self.alice, [(self.haircut, 1, 33.33)])
        # 33.33 + 33.33 x 0.5 = 16.665, rounded down to cents as sale_loyalty rounds a rule's
        # points: 16.66; (33.33 + 16.66) x 1.5 = 74.985 -> 74 whole points.
        self._confirm(order)
        self.assertBalance(self.alice_card, 74)

    def test_per_unit_and_per_order_rules(self):
        self.program.rule_ids = [
            Command.clear(),
            Command.create({"reward_point_mode": "unit", "reward_point_amount": 2}),
            Command.create({"reward_point_mode": "order", "reward_point_amount": 10}),
        ]
        self._set_tier(self.alice_card, self.tier_gold)
        order = self._order(self.alice, [(self.haircut, 3, 10), (self.product, 1, 10)])
        # Units: 4 x 2 = 8, bonus 3 haircuts x 2 x (2 - 1) = 6; per order: 10, no bonus;
        # (8 + 6 + 10) x 2 = 48.
        self._confirm(order)
        self.assertBalance(self.alice_card, 48)

    def test_no_bonus_when_the_rule_gives_nothing(self):
        self.rule.minimum_amount = 500
        self._set_tier(self.alice_card, self.tier_gold)
        order = self._order(self.alice, [(self.haircut, 1, 100)])
        self.assertEqual(order.loyalty_points_preview, 0)
        self.assertEqual(order.loyalty_bonus_points, 0)
        self._confirm(order)
        self.assertBalance(self.alice_card, 0)

    def test_setup_checks(self):
        Bonus = self.env["loyalty.tier.category.bonus"]
        with self._refused(ValidationError, "more than 1"):
            Bonus.create({"tier_id": self.tier_member.id, "categ_id": self.services.id,
                          "multiplier": 1.0})
        with mute_logger("odoo.sql_db"), self._refused(
            IntegrityError, "loyalty_tier_category_bonus_tier_categ_unique"
        ):
            Bonus.create({"tier_id": self.tier_gold.id, "categ_id": self.services.id,
                          "multiplier": 4.0})

    def test_salesperson_and_cashier_cannot_set_a_bonus(self):
        salesman = self._new_user("bonus_salesman", "sales_team.group_sale_salesman")
        cashier = self._new_user("bonus_cashier", "base.group_user,point_of_sale.group_pos_user")
        bonus = self.tier_gold.category_bonus_ids[:1]
        for user in (salesman, cashier):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self._as(user, bonus).write({"multiplier": 10.0})
                with self.assertRaises(AccessError):
                    self._as(user, self.env["loyalty.tier.category.bonus"]).create({
                        "tier_id": self.tier_member.id, "categ_id": self.services.id,
                        "multiplier": 5.0})
                with self.assertRaises(AccessError):
                    self._as(user, self.tier_member).write({"category_bonus_ids": [
                        Command.create({"categ_id": self.services.id, "multiplier": 5.0})]})
        self.assertEqual(bonus.multiplier, 2.0)
        self.assertFalse(self.tier_member.category_bonus_ids)
