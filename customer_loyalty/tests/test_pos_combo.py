from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_pos import PosPointsCommon


@tagged("post_install", "-at_install")
class PosComboCommon(PosPointsCommon):
    """Combos in the POS, synced by a cashier through ``sync_from_ui``. *Gold Menu* (300.00, a
    lamp and a pen) is for Gold members only; *Plain Menu* (300.00, the same items) is
    everybody's. As the POS sends it, a combo line has no price and its items share the
    combo's: 200.00 and 100.00 here. The membership program gives 1 point per 10.00 paid;
    Member x1, Gold x1.5; whole points."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program.rule_ids.reward_point_amount = 0.1  # 1 point per 10.00
        cls.main, cls.side = cls.env["product.combo"].create([
            {"name": "POS Main", "combo_item_ids": [Command.create({"product_id": cls.lamp.id})]},
            {"name": "POS Side", "combo_item_ids": [Command.create({"product_id": cls.pen.id})]},
        ])

        def menu(name):
            return cls.env["product.product"].create({
                "name": name, "type": "combo", "available_in_pos": True, "list_price": 300.0,
                "taxes_id": [Command.clear()],
                "combo_ids": [Command.set((cls.main | cls.side).ids)],
            })

        cls.gold_menu = menu("Gold Menu")
        cls.plain_menu = menu("Plain Menu")
        cls.gold_menu.product_tmpl_id.loyalty_tier_ids = cls.tier_gold

    def _combo_data(self, customer, menu, qty=1, prices=(200.0, 100.0), refund_of=None):
        """POS order data of ``qty`` ``menu``: the combo line at 0, its items at ``prices``;
        a return of the lines of POS order ``refund_of`` when given (``qty`` negative)."""
        data = self._data([], customer=customer)
        refunded = iter(refund_of.lines.sorted("id") if refund_of else [])
        parent_id = self._next_id = getattr(self, "_next_id", 900) + 10

        def line(client_id, product, price, **vals):
            return (0, 0, {
                "id": client_id, "uuid": f"combo-{client_id}", "product_id": product.id,
                "qty": qty, "price_unit": price, "price_subtotal": price * qty,
                "price_subtotal_incl": price * qty, "discount": 0,
                "tax_ids": [Command.clear()], "pack_lot_ids": [],
                "refunded_orderline_id": next(refunded).id if refund_of else False, **vals,
            })

        items = list(zip((self.main | self.side).combo_item_ids, prices, strict=True))
        data["lines"] = [
            line(parent_id, menu, 0.0,
                 combo_line_ids=[parent_id + 1 + i for i in range(len(items))]),
        ] + [
            line(parent_id + 1 + i, item.product_id, price, combo_parent_id=parent_id,
                 combo_item_id=item.id)
            for i, (item, price) in enumerate(items)
        ]
        total = sum(prices) * qty
        for key in ("amount_total", "amount_paid"):
            data[key] = total
        data["amount_tax"] = 0.0
        data["payment_ids"][0][2]["amount"] = total
        return data


class TestPosCombo(PosComboCommon):
    def test_reserved_combo_refused_at_sync_to_other_tiers(self):
        for customer in (self.alice, self.carol, None):  # a Member, a non-member, anonymous
            with self.subTest(customer=customer and customer.name):
                with self.assertRaises(UserError) as refusal:
                    self._sync(self._combo_data(customer, self.gold_menu))
                self.assertEqual(
                    str(refusal.exception),
                    "“Gold Menu” is reserved for Gold members. %s cannot buy it: remove it "
                    "from the order, or choose a customer of that tier."
                    % (customer.name if customer else "an anonymous customer"),
                )
        self.assertFalse(self.env["pos.order"].search([("session_id", "=",
                                                       self.pos_session.id)]))
        self.assertBalance(self.alice_card, 0)

    def test_reserved_combo_sold_to_gold_counted_once(self):
        self._set_tier(self.bob_card, self.tier_gold)
        order = self._sync(self._combo_data(self.bob, self.gold_menu))
        self.assertEqual(order.state, "paid")
        self.assertEqual(len(order.lines.filtered("combo_parent_id")), 2, "items linked")
        self.assertAlmostEqual(order.amount_total, 300.0)
        # 300.00 paid at 1 point per 10.00 = 30, x 1.5 = 45 (not the items again).
        self.assertBalance(self.bob_card, 45)

    def test_combo_points_and_spend_counted_once(self):
        order = self._sync(self._combo_data(self.alice, self.plain_menu))
        self.assertEqual(order.state, "paid")
        self.assertBalance(self.alice_card, 30)  # 300.00 at 1 point per 10.00: exactly 30
        start = self.tier_member._window_start()
        spend = self.alice_card._loyalty_metric_values("spend", start)[self.alice_card.id]
        self.assertAlmostEqual(spend, 300.0)

    def test_combo_per_unit_points_count_the_combo_once(self):
        """Per-unit points: a combo is one unit, as in Sales (its two items are not)."""
        self.program.rule_ids.write({"reward_point_mode": "unit", "reward_point_amount": 5})
        self._sync(self._combo_data(self.alice, self.plain_menu, qty=2))
        self.assertBalance(self.alice_card, 10)  # 2 combos x 5 points

    def test_refund_of_a_reserved_combo_is_not_refused(self):
        """A Gold member, downgraded since, may return the combo bought as Gold."""
        self._set_tier(self.bob_card, self.tier_gold)
        order = self._sync(self._combo_data(self.bob, self.gold_menu))
        self._set_tier(self.bob_card, self.tier_member)
        refund = self._sync(self._combo_data(self.bob, self.gold_menu, qty=-1, refund_of=order))
        self.assertEqual(refund.state, "paid")
        self.assertAlmostEqual(refund.amount_total, -300.0)
        self.assertBalance(self.bob_card, 0)  # the 45 points taken back

    def test_non_member_plain_combo_as_in_odoo(self):
        """No tier, no member card: the combo is sold as in Odoo, and earns nothing."""
        self.company.loyalty_auto_enroll = False
        order = self._sync(self._combo_data(self.carol, self.plain_menu))
        self.assertEqual(order.state, "paid")
        self.assertAlmostEqual(order.amount_total, 300.0)
        self.assertEqual(order.lines.combo_line_ids.mapped("price_unit"), [200.0, 100.0])
        self.assertFalse(self._card(self.carol))

    def test_pos_loads_the_restriction_and_its_reason(self):
        fields = self.env["product.product"]._load_pos_data_fields(self.config.id)
        self.assertIn("loyalty_pos_tier_ids", fields)
        rows = self.env["product.product"].with_user(self.cashier).search_read(
            [("id", "in", (self.gold_menu | self.plain_menu).ids)],
            ["loyalty_pos_tier_ids", "loyalty_pos_tier_refusal"], order="id",
        )
        self.assertEqual(rows, [
            {"id": self.gold_menu.id, "loyalty_pos_tier_ids": self.tier_gold.ids,
             "loyalty_pos_tier_refusal": "“Gold Menu” is reserved for Gold members."},
            {"id": self.plain_menu.id, "loyalty_pos_tier_ids": False,
             "loyalty_pos_tier_refusal": False},
        ])

    def test_member_price_loaded_by_the_pos(self):
        """The Gold Menu's member price (250.00 for Gold) is a rule of Gold's pricelist, which
        the shop offers: the POS loads it with the pricelist, and prices the combo with it when
        the order switches to the member's pricelist (computeComboItems shares it)."""
        gold_pricelist = self.env["product.pricelist"].create(
            {"name": "Gold prices", "currency_id": self.company.currency_id.id}
        )
        self.tier_gold.pricelist_id = gold_pricelist
        self.config.write({"use_pricelist": True,
                           "available_pricelist_ids": [Command.link(gold_pricelist.id)]})
        self.gold_menu.product_tmpl_id.loyalty_member_price_ids = [
            Command.create({"loyalty_tier_id": self.tier_gold.id, "fixed_price": 250.0})
        ]
        self.assertFalse(self.tier_gold.pricelist_warning)
        data = self.pos_session.with_user(self.cashier).load_data([])
        items = [item for item in data["product.pricelist.item"]["data"]
                 if item["pricelist_id"] == gold_pricelist.id]
        self.assertEqual(len(items), 1)
        self.assertEqual(
            (items[0]["product_tmpl_id"], items[0]["compute_price"], items[0]["fixed_price"]),
            (self.gold_menu.product_tmpl_id.id, "fixed", 250.0),
        )
        self.assertEqual(gold_pricelist._get_product_price(self.gold_menu, 1), 250.0)

    def test_cashier_cannot_change_the_offer(self):
        template = self._as(self.cashier, self.gold_menu.product_tmpl_id)
        with self.assertRaises(AccessError):
            template.loyalty_tier_ids = [Command.clear()]
        with self.assertRaises(AccessError):
            template.write({"loyalty_member_price_ids": [Command.create(
                {"loyalty_tier_id": self.tier_member.id, "fixed_price": 1.0})]})
        self.assertEqual(self.gold_menu.product_tmpl_id.loyalty_tier_ids, self.tier_gold)
