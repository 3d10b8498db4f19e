from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_points import PointsCommon

GOLD_MENU_REFUSED = (
    "“Gold Menu” is reserved for Gold members. %(customer)s cannot buy it on %(order)s: remove "
    "it from the order, or choose a customer of that tier."
)


@tagged("post_install", "-at_install")
class ComboCommon(PointsCommon):
    """Combos on sales orders. Two choices, *Main* (a noodle soup, 200,000) and *Drink* (a tea,
    150,000): their base prices share a combo's price 200:150. *Gold Menu* (300,000) is for
    Gold members only, who pay 270,000 for it (a fixed price of the Gold pricelist, set from
    the combo's Member Prices); *Plain Menu* (300,000) is everybody's. No taxes; the membership
    program gives 1 point per 10,000 spent, every tier x1 (Gold from 5,000 spent)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule.reward_point_amount = 0.0001  # 1 point per 10,000
        (cls.tier_silver | cls.tier_gold).multiplier = 1.0

        def product(name, price, **vals):
            return cls.env["product.product"].create(
                {"name": name, "type": "consu", "list_price": price,
                 "taxes_id": [Command.clear()], **vals}
            )

        cls.noodles = product("Noodle Soup", 200000.0)
        cls.tea = product("Lotus Tea", 150000.0)
        cls.main, cls.drink = cls.env["product.combo"].create([
            {"name": "Main", "combo_item_ids": [Command.create({"product_id": cls.noodles.id})]},
            {"name": "Drink", "combo_item_ids": [Command.create({"product_id": cls.tea.id})]},
        ])
        combos = [Command.set((cls.main | cls.drink).ids)]
        cls.gold_menu = product("Gold Menu", 300000.0, type="combo", combo_ids=combos)
        cls.plain_menu = product("Plain Menu", 300000.0, type="combo", combo_ids=combos)
        cls.gold_menu.product_tmpl_id.loyalty_tier_ids = cls.tier_gold
        cls.gold_pricelist = cls.env["product.pricelist"].create(
            {"name": "Gold prices", "company_id": cls.company.id, "currency_id": cls.usd.id,
             "sequence": 30}
        )
        cls.tier_gold.pricelist_id = cls.gold_pricelist
        cls.gold_menu.product_tmpl_id.loyalty_member_price_ids = [
            Command.create({"loyalty_tier_id": cls.tier_gold.id, "fixed_price": 270000.0})
        ]
        cls.dave = cls.env["res.partner"].create({"name": "Dave Gold"})
        cls.dave_card = cls._enrol(cls.dave)
        cls.dave_card._loyalty_apply_tier_changes(
            [(cls.dave_card, cls.dave_card.tier_id, cls.tier_gold)], reason="manual"
        )

    def _combo_quotation(self, partner, menu, qty=1, user=None):
        """A quotation of ``qty`` ``menu``, its items priced by Odoo (the customer's pricelist:
        the tier's), as the combo configurator adds them."""
        SaleOrder = self.env["sale.order"].with_user(user) if user else self.env["sale.order"]
        order = SaleOrder.create({
            "partner_id": partner.id,
            "company_id": self.company.id,
            "order_line": [Command.create({"product_id": menu.id, "product_uom_qty": qty})],
        })
        combo_line = order.order_line
        order.order_line = [
            Command.create({
                "product_id": item.product_id.id, "product_uom_qty": qty,
                "combo_item_id": item.id, "linked_line_id": combo_line.id,
                "tax_id": [Command.clear()],
            })
            for item in (self.main | self.drink).combo_item_ids
        ]
        order._update_programs_and_rewards()
        return order


class TestComboTier(ComboCommon):
    # -- a combo reserved for tiers --------------------------------------------------------

    def test_refused_at_confirmation_to_other_tiers(self):
        for partner in (self.alice, self.carol):  # a Member, a customer who is no member
            with self.subTest(customer=partner.name):
                order = self._combo_quotation(partner, self.gold_menu)
                with self.assertRaises(UserError) as refusal:
                    order.action_confirm()
                self.assertEqual(
                    str(refusal.exception),
                    GOLD_MENU_REFUSED % {"customer": partner.name, "order": order.name},
                )
                self.assertEqual(order.state, "draft")
        self.assertBalance(self.alice_card, 0)

    def test_gold_member_buys_it_at_the_member_price(self):
        order = self._combo_quotation(self.dave, self.gold_menu)
        self.assertEqual(order.pricelist_id, self.gold_pricelist, "the tier's pricelist")
        combo_line = order.order_line.filtered(lambda line: not line.combo_item_id)
        self.assertEqual(combo_line.price_unit, 0.0, "Odoo: the combo line carries no price")
        # 270,000 shared 200:150 by the items: 154,285.71 and 115,714.29.
        self.assertEqual(
            combo_line.linked_line_ids.sorted("id").mapped("price_unit"), [154285.71, 115714.29]
        )
        self.assertAlmostEqual(order.amount_total, 270000.0)
        self._confirm(order)
        # 270,000 at 1 point per 10,000: 27 points, counted once (not on the items again).
        self.assertBalance(self.dave_card, 27)

    def test_member_price_not_lowered_again_by_the_tiers_percentage(self):
        """The Gold pricelist also gives 10 % off everything (shown as a discount on the lines):
        the Gold Menu's member price is the price, its items get no discount on top; a combo
        without member price gets Odoo's 10 % off, shown on its items."""
        discount_group = self.env.ref("sale.group_discount_per_so_line")
        self.env.ref("base.group_user").write({"implied_ids": [Command.link(discount_group.id)]})
        self.gold_pricelist.item_ids = [Command.create(
            {"applied_on": "3_global", "compute_price": "percentage", "percent_price": 10}
        )]
        order = self._combo_quotation(self.dave, self.gold_menu)
        self.assertEqual(order.order_line.mapped("discount"), [0.0, 0.0, 0.0])
        self.assertAlmostEqual(order.amount_total, 270000.0)
        plain = self._combo_quotation(self.dave, self.plain_menu)
        items = plain.order_line.filtered("combo_item_id")
        self.assertEqual(items.mapped("discount"), [10.0, 10.0])
        self.assertAlmostEqual(plain.amount_total, 270000.0)  # 300,000 less 10 %

    def test_line_warns_when_the_combo_is_added(self):
        order = self._combo_quotation(self.alice, self.plain_menu)
        line = self.env["sale.order.line"].new(
            {"order_id": order.id, "product_id": self.gold_menu.id}
        )
        warning = line._onchange_product_id_loyalty_tier()["warning"]
        self.assertEqual(
            warning["message"],
            "“Gold Menu” is reserved for Gold members. Alice Nguyen cannot buy it: this order "
            "cannot be confirmed with it.",
        )
        gold_order = self._combo_quotation(self.dave, self.plain_menu)
        gold_line = self.env["sale.order.line"].new(
            {"order_id": gold_order.id, "product_id": self.gold_menu.id}
        )
        self.assertIsNone(gold_line._onchange_product_id_loyalty_tier())

    def test_customer_changed_after_the_combo_was_added(self):
        order = self._combo_quotation(self.dave, self.gold_menu)
        order.partner_id = self.bob
        with self.assertRaises(UserError) as refusal:
            order.action_confirm()
        self.assertIn("Bob Tran cannot buy it", str(refusal.exception))

    def test_a_member_downgraded_since_the_quotation_is_refused(self):
        order = self._combo_quotation(self.dave, self.gold_menu)
        self._set_tier(self.dave_card, self.tier_silver)
        with self.assertRaises(UserError):
            order.action_confirm()
        self._set_tier(self.dave_card, self.tier_gold)
        self._confirm(order)

    def test_combo_items_of_a_reserved_combo_are_sold_to_everyone(self):
        """The tea inside the Gold Menu is sold alone to anyone."""
        self._confirm(self._quotation(self.alice, lines=[(self.tea, 1, 150000.0)]))
        self.assertBalance(self.alice_card, 15)

    # -- points and spend: a combo counts once, at its sold price --------------------------

    def test_combo_points_and_spend_counted_once(self):
        order = self._combo_quotation(self.alice, self.plain_menu)
        self.assertEqual(len(order.order_line), 3, "the combo line and its two items")
        self.assertAlmostEqual(order.amount_total, 300000.0)
        self._confirm(order)
        # 300,000 at 1 point per 10,000: exactly 30 points, whatever the items carry.
        self.assertBalance(self.alice_card, 30)
        start = self.tier_member._window_start()
        self.assertEqual(
            self.alice_card._loyalty_metric_values("spend", start)[self.alice_card.id], 300000.0
        )
        self.assertEqual(self.alice_card.tier_id, self.tier_gold, "300,000 spent: Gold")

    def test_combo_per_unit_points_count_the_combo_once(self):
        self.rule.write({"reward_point_mode": "unit", "reward_point_amount": 5})
        self._confirm(self._combo_quotation(self.alice, self.plain_menu, qty=2))
        self.assertBalance(self.alice_card, 10)  # 2 combos x 5 points, not their 4 items

    def test_plain_loyalty_program_on_a_combo_as_in_odoo(self):
        """A non-member's order with a combo and a loyalty card program of Odoo's (no tiers):
        the card earns on the combo once, and the order is confirmed as in Odoo."""
        stamps = self.env["loyalty.program"].create({
            "name": "Noodle stamps", "program_type": "loyalty", "trigger": "auto",
            "applies_on": "both", "company_id": self.company.id,
            "rule_ids": [Command.create({"reward_point_mode": "money",
                                         "reward_point_amount": 0.0001})],
            "reward_ids": [Command.create({
                "reward_type": "discount", "discount_mode": "per_order", "discount": 10,
                "discount_applicability": "order", "required_points": 100})],
        })
        order = self._combo_quotation(self.carol, self.plain_menu)
        self._confirm(order)
        card = self.env["loyalty.card"].search(
            [("program_id", "=", stamps.id), ("partner_id", "=", self.carol.id)]
        )
        self.assertEqual(card.points, 30.0, "300,000 at 1 point per 10,000")
        self.assertFalse(self._card(self.carol), "still no member card")

    # -- a buy-X-get-Y promotion on a combo, reserved for tiers ---------------------------

    def test_buy_combo_get_tea_reserved_for_gold(self):
        promo = self.env["loyalty.program"].create({
            "name": "Menu + free tea", "program_type": "buy_x_get_y", "trigger": "auto",
            "applies_on": "current", "company_id": self.company.id,
            "tier_ids": [Command.set(self.tier_gold.ids)],
            "rule_ids": [Command.create({"product_ids": [Command.set(self.plain_menu.ids)],
                                         "reward_point_mode": "unit", "reward_point_amount": 1,
                                         "minimum_qty": 1})],
            "reward_ids": [Command.create({"reward_type": "product",
                                           "reward_product_id": self.tea.id,
                                           "reward_product_qty": 1, "required_points": 1})],
        })

        def offered(order):
            order._update_programs_and_rewards()
            return [r for coupon, rewards in order._get_claimable_rewards().items()
                    if coupon.program_id == promo for r in rewards]

        member_order = self._combo_quotation(self.alice, self.plain_menu)
        self.assertFalse(offered(member_order), "not offered to a Member")
        self.assertEqual(
            member_order._try_apply_program(promo),
            {"error": "The promotion “Menu + free tea” is reserved for Gold members."},
        )
        gold_order = self._combo_quotation(self.dave, self.plain_menu)
        self.assertEqual(offered(gold_order), [promo.reward_ids])
        card = next(c for c in gold_order._get_claimable_rewards() if c.program_id == promo)
        self.assertFalse(gold_order._apply_program_reward(promo.reward_ids, card).get("error"))
        tea_line = gold_order.order_line.filtered("is_reward_line")
        self.assertEqual((tea_line.product_id, tea_line.price_total), (self.tea, 0.0))
        self._confirm(gold_order)
        # Dave pays the Plain Menu at the Gold pricelist (no rule for it: 300,000).
        self.assertBalance(self.dave_card, 30)

    # -- member prices ---------------------------------------------------------------------

    def test_member_prices_are_rules_of_the_tiers_pricelists(self):
        template = self.gold_menu.product_tmpl_id
        item = template.loyalty_member_price_ids
        self.assertRecordValues(item, [{
            "loyalty_tier_id": self.tier_gold.id, "pricelist_id": self.gold_pricelist.id,
            "applied_on": "1_product", "compute_price": "fixed", "fixed_price": 270000.0,
        }])
        self.assertEqual(self.gold_pricelist._get_product_price(self.gold_menu, 1), 270000.0)
        silver_pricelist = self.env["product.pricelist"].create(
            {"name": "Silver prices", "company_id": self.company.id,
             "currency_id": self.usd.id}
        )
        self.tier_silver.pricelist_id = silver_pricelist
        item.loyalty_tier_id = self.tier_silver  # the editor's tier column, changed
        self.assertEqual(item.pricelist_id, silver_pricelist)
        self.assertEqual(self.gold_pricelist._get_product_price(self.gold_menu, 1), 300000.0)

    def test_member_price_of_a_tier_without_pricelist_is_refused(self):
        template = self.gold_menu.product_tmpl_id
        with self.assertRaises(UserError) as refusal:
            template.loyalty_member_price_ids = [
                Command.create({"loyalty_tier_id": self.tier_silver.id, "fixed_price": 280000})
            ]
        self.assertEqual(
            str(refusal.exception),
            "The tier “Silver” has no pricelist, so it cannot have member prices: give it one "
            "in Loyalty › Configuration › Tiers (its Perks), then set the member price again.",
        )
        self.assertEqual(len(template.loyalty_member_price_ids), 1)
        self.assertEqual(
            self.env["product.pricelist.item"].search_count(
                [("loyalty_tier_id", "=", self.tier_gold.id)]
            ),
            1,
        )

    # -- rights ----------------------------------------------------------------------------

    def test_salesperson_sells_but_cannot_change_the_offer(self):
        salesperson = self._new_user(
            "combo_salesperson", "base.group_user,sales_team.group_sale_salesman"
        )
        template = self.gold_menu.product_tmpl_id
        order = self._combo_quotation(self.alice, self.gold_menu, user=salesperson)
        with self.assertRaises(UserError):
            order.with_user(salesperson).action_confirm()
        gold_order = self._combo_quotation(self.dave, self.gold_menu, user=salesperson)
        self.env.invalidate_all()
        gold_order.with_user(salesperson).action_confirm()
        self.assertEqual(gold_order.state, "sale")
        self.assertEqual(self._as(salesperson, template).loyalty_tier_ids, self.tier_gold)
        with self.assertRaises(AccessError):
            self._as(salesperson, template).loyalty_tier_ids = [Command.clear()]
        with self.assertRaises(AccessError):
            self._as(salesperson, template).loyalty_member_price_ids = [
                Command.create({"loyalty_tier_id": self.tier_gold.id, "fixed_price": 1.0})
            ]
        self.assertEqual(template.loyalty_tier_ids, self.tier_gold)
        self.assertEqual(template.loyalty_member_price_ids.fixed_price, 270000.0)
