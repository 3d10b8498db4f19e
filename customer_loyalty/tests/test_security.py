from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestSecurity(LoyaltyCommon):
    """Loyalty users look, loyalty managers run the programme, salespeople are loyalty users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()


        cls.loyalty_user = cls._new_user("loyalty_user", "customer_loyalty.group_loyalty_user")
        cls.loyalty_manager = cls._new_user(
            "loyalty_manager", "customer_loyalty.group_loyalty_manager"
        )
        cls.salesman = cls._new_user("salesman", "sales_team.group_sale_salesman")
        cls.sales_manager = cls._new_user("sales_manager", "sales_team.group_sale_manager")
        cls.alice_card = cls._enrol(cls.alice)
        cls._confirm_order(cls.alice, 1200)
        assert cls.alice_card.tier_id == cls.tier_silver


    def test_groups(self):
        user = "customer_loyalty.group_loyalty_user"
        manager = "customer_loyalty.group_loyalty_manager"
        self.assertTrue(self.loyalty_user.has_group(user))
        self.assertFalse(self.loyalty_user.has_group(manager))
        self.assertTrue(self.loyalty_manager.has_group(user))
        self.assertTrue(self.salesman.has_group(user), "a salesman is a loyalty user")
        self.assertFalse(self.salesman.has_group(manager))
        self.assertTrue(self.sales_manager.has_group(manager), "a sales manager runs the programme")

    def test_loyalty_user_reads_tiers_cards_and_history(self):
        Tier = self._as(self.loyalty_user, self.env["loyalty.tier"])
        self.assertEqual(
            Tier.search([]).mapped("name"), ["Member", "Silver", "Gold"], "own company only"
        )
        card = self._as(self.loyalty_user, self.alice_card)
        self.assertEqual(card.tier_id.name, "Silver")
        self.assertEqual(card.code, self.alice_card.sudo().code)
        self.assertEqual(card.points, 1200)
        partner = self._as(self.loyalty_user, self.alice)
        self.assertEqual(partner.loyalty_tier_id.name, "Silver")
        self.assertTrue(partner.loyalty_is_member)
        history = self._as(self.loyalty_user, self.env["loyalty.tier.history"]).search(
            [("partner_id", "=", self.alice.id)]
        )
        self.assertEqual(history.mapped("direction"), ["up", "enrol"])

    def test_loyalty_user_cannot_manage_tiers(self):
        Tier = self._as(self.loyalty_user, self.env["loyalty.tier"])
        with self.assertRaises(AccessError):
            Tier.create({"name": "Platinum", "sequence": 40, "threshold": 9000})
        with self.assertRaises(AccessError):
            Tier.browse(self.tier_silver.id).write({"threshold": 10})
        with self.assertRaises(AccessError):
            Tier.browse(self.tier_gold.id).unlink()
        History = self._as(self.loyalty_user, self.env["loyalty.tier.history"])
        with self.assertRaises(AccessError):
            History.browse(self._history(self.alice).ids).write({"note": "edited"})
        self.env.invalidate_all()
        self.assertEqual(self.tier_silver.threshold, 1000)
        self.assertTrue(self.tier_gold.exists())
        self.assertEqual(self._history(self.alice).mapped("note"), ["Enrolment", False])

    def test_loyalty_user_cannot_change_a_card(self):
        card = self._as(self.loyalty_user, self.alice_card)
        with self.assertRaises(AccessError):
            card.write({"tier_id": self.tier_gold.id})
        self.env.invalidate_all()
        self.assertEqual(self.alice_card.tier_id, self.tier_silver)

    def test_salesman_cannot_change_tier_or_code(self):
        card = self._as(self.salesman, self.alice_card)
        with self.assertRaisesRegex(AccessError, "Only Loyalty Managers can change member cards"):
            card.write({"tier_id": self.tier_gold.id})
        with self.assertRaisesRegex(AccessError, "Only Loyalty Managers"):
            card.write({"code": "044000"})
        with self.assertRaisesRegex(AccessError, "Only Loyalty Managers"):
            card.write({"partner_id": self.bob.id})
        self.env.invalidate_all()
        self.assertEqual(self.alice_card.tier_id, self.tier_silver)
        self.assertEqual(self.alice_card.partner_id, self.alice)

    def test_salesman_cannot_write_points_or_ledger_lines(self):
        """Odoo's own rights let salespeople write cards and history lines; for member cards
        the balance and its ledger move only through order flows or a Loyalty Manager."""
        points_before, lines_before = self.alice_card.points, self.alice_card.history_ids
        card = self._as(self.salesman, self.alice_card)
        with self.assertRaisesRegex(AccessError, "cannot change a member's points"):
            card.write({"points": 1000})
        with self.assertRaisesRegex(AccessError, "member's points ledger"):
            self._as(self.salesman, self.env["loyalty.history"]).create({
                "card_id": self.alice_card.id, "issued": 1000, "description": "Gift to myself",
            })
        self.env.invalidate_all()
        self.assertEqual(self.alice_card.points, points_before)
        self.assertEqual(self.alice_card.history_ids, lines_before)

    def test_salesman_order_upgrades_the_member(self):
        """Salespeople cannot set tiers, but the orders they confirm still move members up."""
        order = self._as(self.salesman, self.env["sale.order"]).create({
            "partner_id": self.alice.id,
            "order_line": [Command.create({
                "product_id": self.product.id, "price_unit": 4000, "tax_id": [Command.clear()],
            })],
        })
        order.action_confirm()
        self.env.invalidate_all()
        self.assertEqual(self.alice_card.tier_id, self.tier_gold)
        self.assertRecordValues(self._history(self.alice)[-1], [{
            "new_tier_id": self.tier_gold.id, "reason": "order", "user_id": self.salesman.id,
        }])

    def test_manager_manages_tiers_and_cards(self):
        Tier = self._as(self.loyalty_manager, self.env["loyalty.tier"])
        platinum = Tier.create({"name": "Platinum", "sequence": 40, "threshold": 9000})
        Tier.browse(self.tier_gold.id).threshold = 6000
        self._as(self.loyalty_manager, self.alice_card).tier_id = self.tier_gold
        self._as(self.sales_manager, self.alice_card).tier_id = platinum
        self.env.invalidate_all()
        self.assertEqual(platinum.company_id, self.company)
        self.assertEqual(self.tier_gold.threshold, 6000)
        self.assertEqual(self.alice_card.tier_id, platinum)

    def test_recompute_action_is_for_managers(self):
        self.tier_gold.threshold = 1100  # Alice now deserves Gold; the daily review has not run
        for user in self.loyalty_user | self.salesman:
            card = self._as(user, self.alice_card)
            with self.subTest(user=user.login), self.assertRaisesRegex(
                AccessError, "Only Loyalty Managers can recompute"
            ):
                card.action_loyalty_recompute_tier()
        self.env.invalidate_all()
        self.assertEqual(self.alice_card.tier_id, self.tier_silver)

        action = self._as(self.loyalty_manager, self.alice_card).action_loyalty_recompute_tier()
        self.assertEqual(action["params"]["message"], "1 tier change(s).")
        self.env.invalidate_all()
        self.assertEqual(self.alice_card.tier_id, self.tier_gold)
        self.assertRecordValues(self._history(self.alice)[-1], [{
            "old_tier_id": self.tier_silver.id, "new_tier_id": self.tier_gold.id,
            "direction": "up", "reason": "manual", "user_id": self.loyalty_manager.id,
        }])

    def test_recompute_needs_a_membership_card(self):
        other = self.env["loyalty.program"].create(
            {"name": "Coffee stamps", "program_type": "loyalty", "company_id": self.company.id}
        )
        stamps = self.env["loyalty.card"].create(
            {"program_id": other.id, "partner_id": self.bob.id}
        )
        with self.assertRaisesRegex(UserError, "at least one membership card"):
            self._as(self.loyalty_manager, stamps).action_loyalty_recompute_tier()
