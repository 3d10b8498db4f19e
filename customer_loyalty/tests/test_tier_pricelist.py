from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestTierPricelist(LoyaltyCommon):
    """A tier's pricelist is its members' pricelist on sales orders.

    The test company sells at its own *Public* pricelist (no rule: list prices). Gold members
    buy at *Gold −10%* (a 10 % percentage rule on every product), Silver members at *Silver
    prices* (a fixed price of 95 for the test product, list price 100); the Member tier has no
    pricelist. Order lines show the discount (Sales' *Discounts* feature is on)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        discount_group = cls.env.ref("sale.group_discount_per_so_line")
        cls.env.ref("base.group_user").write({"implied_ids": [Command.link(discount_group.id)]})
        Pricelist = cls.env["product.pricelist"]
        cls.public_pricelist = Pricelist.create(
            {"name": "Public", "company_id": cls.company.id, "currency_id": cls.usd.id,
             "sequence": 1}
        )
        cls.gold_pricelist = Pricelist.create({
            "name": "Gold −10%", "company_id": cls.company.id, "currency_id": cls.usd.id,
            "sequence": 30,
            "item_ids": [Command.create(
                {"applied_on": "3_global", "compute_price": "percentage", "percent_price": 10}
            )],
        })
        cls.silver_pricelist = Pricelist.create({
            "name": "Silver prices", "company_id": cls.company.id, "currency_id": cls.usd.id,
            "sequence": 20,
            "item_ids": [Command.create({
                "applied_on": "0_product_variant", "product_id": cls.product.id,
                "compute_price": "fixed", "fixed_price": 95,
            })],
        })
        cls.staff_pricelist = Pricelist.create(
            {"name": "Staff", "company_id": cls.company.id, "currency_id": cls.usd.id,
             "sequence": 40, "item_ids": [Command.create(
                 {"applied_on": "3_global", "compute_price": "percentage", "percent_price": 30}
             )]}
        )
        cls.tier_gold.write({
            "pricelist_id": cls.gold_pricelist.id,
            "description": "<p>Priority <b>booking</b>, a personal advisor</p><p>Free tea</p>",
        })
        cls.tier_silver.pricelist_id = cls.silver_pricelist
        cls.dave = cls.env["res.partner"].create({"name": "Dave Pham"})
        cls.alice_card, cls.bob_card, cls.dave_card = cls._enrol(cls.alice | cls.bob | cls.dave)
        cls._confirm_order(cls.alice, 6000)  # Gold
        cls._confirm_order(cls.bob, 1200)  # Silver
        assert cls.alice.loyalty_tier_id == cls.tier_gold
        assert cls.bob.loyalty_tier_id == cls.tier_silver
        assert cls.dave.loyalty_tier_id == cls.tier_member

    def _quotation(self, partner, qty=3):
        """A quotation of ``qty`` test products (list price 100, no tax), priced by Odoo."""
        return self.env["sale.order"].create({
            "partner_id": partner.id,
            "company_id": self.company.id,
            "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": qty})],
        })

    def test_gold_member_buys_at_the_tier_pricelist(self):
        self.assertEqual(self.alice.property_product_pricelist, self.gold_pricelist)
        order = self._quotation(self.alice)
        self.assertEqual(order.pricelist_id, self.gold_pricelist)
        # 3 x 100 at 10 % off, shown on the line as the list price and the discount (once: the
        # tier's pricelist applies once, 10 %, not 10 % of 90): 3 x 90 = 270.
        self.assertRecordValues(order.order_line, [{
            "price_unit": 100.0, "discount": 10.0, "price_subtotal": 270.0,
        }])
        self.assertEqual(order.amount_total, 270.0)

    def test_other_tiers_and_non_members_do_not_get_it(self):
        # Silver: its own tier prices (a fixed price of 95), not Gold's 10 %.
        order = self._quotation(self.bob)
        self.assertEqual(order.pricelist_id, self.silver_pricelist)
        self.assertRecordValues(order.order_line, [{
            "price_unit": 95.0, "discount": 0.0, "price_subtotal": 285.0,
        }])
        # A member of a tier without a pricelist and a customer who is no member: Odoo's flow,
        # untouched (the company's pricelist, list prices).
        for partner in (self.dave, self.carol):
            self.assertEqual(partner.property_product_pricelist, self.public_pricelist)
            order = self._quotation(partner)
            self.assertEqual(order.pricelist_id, self.public_pricelist, partner.name)
            self.assertRecordValues(order.order_line, [{
                "price_unit": 100.0, "discount": 0.0, "price_subtotal": 300.0,
            }])

    def test_pricelist_follows_upgrades_and_downgrades(self):
        erin = self.env["res.partner"].create({"name": "Erin Vo"})
        with freeze_time("2024-03-01 10:00:00"):
            self._enrol(erin)
        self.assertEqual(erin.property_product_pricelist, self.public_pricelist)
        self._confirm_order(erin, 1200, date="2024-03-01 12:00:00")
        self.assertEqual(erin.loyalty_tier_id, self.tier_silver)
        self.assertEqual(erin.property_product_pricelist, self.silver_pricelist)
        self._confirm_order(erin, 4000, date="2024-03-02 12:00:00")
        self.assertEqual(erin.loyalty_tier_id, self.tier_gold)
        self.assertEqual(erin.property_product_pricelist, self.gold_pricelist)
        self.assertEqual(self._quotation(erin).pricelist_id, self.gold_pricelist)
        # Both orders leave the 12-month window on 2025-03-03; Gold's 15 days of grace.
        self._run_cron("2025-03-05 12:00:00")
        self.assertEqual(erin.property_product_pricelist, self.gold_pricelist)
        self._run_cron("2025-03-20 12:00:00")
        self.assertEqual(erin.loyalty_tier_id, self.tier_member)
        self.assertEqual(erin.property_product_pricelist, self.public_pricelist)
        order = self._quotation(erin)
        self.assertEqual(order.pricelist_id, self.public_pricelist)
        self.assertEqual(order.amount_total, 300.0)

    def test_tier_change_costs_no_query_per_member(self):
        """The pricelists of many members are resolved with as many queries as of a few."""
        partners = self.env["res.partner"].create([{"name": f"Member {i}"} for i in range(40)])
        self._enrol(partners)
        partners.with_company(self.company).sudo().write({"loyalty_tier_id": self.tier_gold.id})

        def queries(records):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            records.mapped("property_product_pricelist")
            return self.env.cr.sql_log_count - before

        # A first call fills the registry's caches (rules, settings) that invalidate_all keeps.
        queries(partners[3:6])
        few = queries(partners[:3])
        self.assertEqual(queries(partners), few)
        self.env.invalidate_all()
        self.assertEqual(set(partners.mapped("property_product_pricelist")), {self.gold_pricelist})

    def test_pricelist_chosen_by_hand_wins(self):
        """Rule: a pricelist chosen by hand on the contact replaces the tier's (a negotiated or
        staff price); choosing the tier's pricelist, or clearing the field, is no choice by hand:
        the contact follows the tier again."""
        self.alice.property_product_pricelist = self.staff_pricelist
        self.assertEqual(self.alice.specific_property_product_pricelist, self.staff_pricelist)
        self.assertEqual(self._quotation(self.alice).pricelist_id, self.staff_pricelist)
        self.assertTrue(self.alice.loyalty_tier_pricelist_overridden)

        self.alice.property_product_pricelist = self.gold_pricelist
        self.assertFalse(self.alice.specific_property_product_pricelist)
        self.assertFalse(self.alice.loyalty_tier_pricelist_overridden)
        self.assertEqual(self._quotation(self.alice).pricelist_id, self.gold_pricelist)

        self.alice.property_product_pricelist = self.staff_pricelist
        self.alice.property_product_pricelist = False
        self.assertFalse(self.alice.specific_property_product_pricelist)
        # (the value written stays in the cache until the end of the transaction, as in Odoo)
        self.alice.invalidate_recordset()
        self.assertEqual(self.alice.property_product_pricelist, self.gold_pricelist)

    def test_company_default_pricelist_is_no_choice_by_hand(self):
        """A default pricelist for all the company's contacts (an ir.default of the contact's
        pricelist) applies to non-members, not instead of a tier's pricelist."""
        self.env["ir.default"].set(
            "res.partner", "specific_property_product_pricelist", self.staff_pricelist.id,
            company_id=self.company.id,
        )
        self.env.invalidate_all()
        self.assertEqual(self.carol.property_product_pricelist, self.staff_pricelist)
        self.assertEqual(self.dave.property_product_pricelist, self.staff_pricelist)
        self.assertEqual(self.alice.property_product_pricelist, self.gold_pricelist)
        self.assertEqual(self._quotation(self.alice).pricelist_id, self.gold_pricelist)

    def test_archived_pricelist_or_other_company(self):
        self.gold_pricelist.active = False
        self.alice.invalidate_recordset()
        self.assertEqual(self.alice.property_product_pricelist, self.public_pricelist)
        self.gold_pricelist.active = True
        # In another company Alice is no member there: that company's pricelists apply.
        other = self.env["res.company"].create({"name": "Other Shop", "currency_id": self.usd.id})
        self.env.user.company_ids |= other
        alice = self.alice.with_company(other)
        self.assertFalse(alice.loyalty_tier_id)
        self.assertNotEqual(alice.property_product_pricelist, self.gold_pricelist)

    def test_perks_shown(self):
        self.assertEqual(
            self.alice.loyalty_tier_perk_lines,
            ["Prices: Gold −10%", "Priority booking, a personal advisor Free tea"],
        )
        self.assertIn("Gold −10%", self.alice.loyalty_tier_perks_html)
        self.assertIn("Priority <b>booking</b>", self.alice.loyalty_tier_perks_html)
        order = self._quotation(self.alice)
        self.assertIn("Gold −10%", order.loyalty_tier_perks_html)
        self.assertEqual(self.bob.loyalty_tier_perk_lines, ["Prices: Silver prices"])
        self.assertFalse(self.carol.loyalty_tier_perk_lines)
        self.assertFalse(self._quotation(self.carol).loyalty_tier_perks_html)

    def test_upgrade_email_lists_the_perks(self):
        erin = self.env["res.partner"].create({"name": "Erin Vo", "email": "erin@example.com"})
        self._enrol(erin)
        self._confirm_order(erin, 6000)
        self.assertEqual(erin.loyalty_tier_id, self.tier_gold)
        self.env["loyalty.tier.history"]._cron_send_upgrade_mails()
        mail = self.env["mail.mail"].search(
            [("model", "=", "loyalty.tier.history"), ("recipient_ids", "in", erin.ids)]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("Prices:", mail.body_html)
        self.assertIn("Gold −10%", mail.body_html)
        self.assertIn("a personal advisor", mail.body_html)

    def test_hidden_discount_warning(self):
        """A percentage pricelist while Sales' Discounts feature is off would lower the line's
        price without showing a discount: the tier says what to tick."""
        self.assertFalse(self.tier_gold.pricelist_warning)
        Item = type(self.env["product.pricelist.item"])
        with patch.object(Item, "_is_discount_feature_enabled", lambda self: False):
            self.tier_gold.invalidate_recordset(["pricelist_warning"])
            self.assertIn("tick Discounts", self.tier_gold.pricelist_warning)
            # Fixed tier prices are the line's price: nothing hidden.
            self.assertFalse(self.tier_silver.pricelist_warning)

    def test_salesperson_and_cashier_cannot_set_a_tier_pricelist(self):
        salesperson = self._new_user("tier_pl_sales", "sales_team.group_sale_salesman")
        cashier = self._new_user("tier_pl_cashier", "base.group_user,point_of_sale.group_pos_user")
        for user in (salesperson, cashier):
            with self.assertRaises(AccessError, msg=user.login):
                self._as(user, self.tier_member).write({"pricelist_id": self.staff_pricelist.id})
            with self.assertRaises(AccessError, msg=user.login):
                self._as(user, self.tier_gold).write({"pricelist_id": False})
        self.assertFalse(self.tier_member.pricelist_id)
        self.assertEqual(self.tier_gold.pricelist_id, self.gold_pricelist)
        # They still see the perks and get the member's prices.
        alice = self._as(salesperson, self.alice)
        self.assertEqual(alice.loyalty_tier_perk_lines[0], "Prices: Gold −10%")
        self.assertEqual(alice.property_product_pricelist.id, self.gold_pricelist.id)
        self.assertFalse(self._as(salesperson, self.tier_gold).pricelist_warning)

    def test_manager_sets_a_tier_pricelist(self):
        manager = self._new_user(
            "tier_pl_manager", "base.group_user,customer_loyalty.group_loyalty_manager"
        )
        self._as(manager, self.tier_member).write({"pricelist_id": self.staff_pricelist.id})
        self.env.invalidate_all()
        self.assertEqual(self.dave.property_product_pricelist, self.staff_pricelist)
