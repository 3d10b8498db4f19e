from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_pos import PosPointsCommon


@tagged("post_install", "-at_install")
class TestPosTierPricelist(PosPointsCommon):
    """The Gold tier's pricelist (10 % off everything) at the counter, through the POS order
    creation path (``sync_from_ui``), and the set-up warning when a shop does not offer it.

    Alice is Gold; Bob is a Member (no pricelist); Carol is no member. The shop sells at its
    default pricelist (TestPoSCommon's *Public Pricelist*, list prices) and, with Flexible
    Pricelists, offers Gold's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gold_pricelist = cls.env["product.pricelist"].create({
            "name": "Gold −10%", "currency_id": cls.company.currency_id.id,
            "company_id": cls.company.id,
            "item_ids": [Command.create(
                {"applied_on": "3_global", "compute_price": "percentage", "percent_price": 10}
            )],
        })
        cls.tier_gold.pricelist_id = cls.gold_pricelist
        cls.default_pricelist = cls.config.pricelist_id
        cls.config.write({
            "use_pricelist": True,
            "available_pricelist_ids": [
                Command.set((cls.default_pricelist | cls.gold_pricelist).ids)
            ],
        })
        cls.alice_card._loyalty_apply_tier_changes(
            [(cls.alice_card, cls.alice_card.tier_id, cls.tier_gold)], reason="manual"
        )
        assert cls.alice.loyalty_tier_id == cls.tier_gold

    def _data_at(self, pricelist, lines, customer=None):
        """Order data as the POS sends it once ``pricelist`` is the order's pricelist: each line
        at the pricelist's price (the POS puts the pricelist's price in the unit price and shows
        the list price struck through), and the order's ``pricelist_id``."""
        session_pricelist = self.pricelist
        self.pricelist = pricelist
        try:
            data = self._data(lines, customer=customer)
        finally:
            self.pricelist = session_pricelist
        data["pricelist_id"] = pricelist.id
        return data

    def test_member_data_loaded_by_the_pos(self):
        """The POS switches to the pricelist the member's contact carries, if the shop offers
        it (Odoo's PosOrder.updatePricelistAndFiscalPosition): the server gives Gold's."""
        fields = self.env["res.partner"]._load_pos_data_fields(self.config.id)
        self.assertIn("property_product_pricelist", fields)
        self.assertIn("loyalty_tier_perk_lines", fields)
        [alice] = self.alice.with_user(self.cashier).read(fields, load=False)
        self.assertEqual(alice["property_product_pricelist"], self.gold_pricelist.id)
        self.assertEqual(alice["loyalty_tier_perk_lines"], ["Prices: Gold −10%"])
        self.assertIn(self.gold_pricelist, self.config._get_available_pricelists())
        for partner in (self.bob, self.carol):
            [data] = partner.with_user(self.cashier).read(fields, load=False)
            self.assertNotEqual(data["property_product_pricelist"], self.gold_pricelist.id)

    def test_member_order_synced_at_the_tier_pricelist(self):
        # 2 lamps (list price 100) at 10 % off: 2 x 90 = 180, as the POS sends them.
        order = self._sync(
            self._data_at(self.gold_pricelist, [(self.lamp, 2)], customer=self.alice)
        )
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.pricelist_id, self.gold_pricelist)
        self.assertRecordValues(order.lines, [{"price_unit": 90.0, "price_subtotal_incl": 180.0}])
        self.assertEqual(order.amount_total, 180.0)
        # Points on what was paid: 180 x 1 point x Gold's 1.5 = 270.
        self.assertBalance(self.alice_card, 270)

    def test_non_member_keeps_the_shop_pricelist(self):
        """Odoo's flow, untouched: a customer who is no member (and a member of a tier without a
        pricelist) buys at the shop's default pricelist."""
        for partner in (self.carol, self.bob):
            order = self._sell(partner, [(self.lamp, 2)])
            self.assertEqual(order.pricelist_id, self.default_pricelist)
            self.assertRecordValues(
                order.lines, [{"price_unit": 100.0, "price_subtotal_incl": 200.0}]
            )

    def _close_session(self):
        # A shop's pricelists cannot change while a session is open.
        self.pos_session.action_pos_session_closing_control()
        self.assertFalse(self.config.current_session_id)

    def test_warning_when_the_shop_does_not_offer_the_pricelist(self):
        self.assertFalse(self.tier_gold.pricelist_warning)
        self.assertFalse(self.config.loyalty_pricelist_warning)
        self._close_session()
        self.config.available_pricelist_ids = self.default_pricelist
        self.tier_gold.invalidate_recordset(["pricelist_warning"])
        warning = self.tier_gold.pricelist_warning
        self.assertIn(
            "“Gold −10%” of the tier “Gold” is not available in the point of sale “PoS Shop Test”",
            warning,
        )
        self.assertIn("tick Flexible Pricelists and add “Gold −10%”", warning)
        self.assertIn("“Gold −10%” of the tier “Gold” is not available",
                      self.config.loyalty_pricelist_warning)
        settings = self.env["res.config.settings"].create({"pos_config_id": self.config.id})
        self.assertEqual(
            settings.pos_loyalty_pricelist_warning, self.config.loyalty_pricelist_warning
        )
        # Without Flexible Pricelists, the shop offers its default pricelist only.
        self.config.write({
            "available_pricelist_ids": [
                Command.set((self.default_pricelist | self.gold_pricelist).ids)
            ],
            "use_pricelist": False,
        })
        self.tier_gold.invalidate_recordset(["pricelist_warning"])
        self.assertIn("PoS Shop Test", self.tier_gold.pricelist_warning)
        # A tier without a pricelist warns of nothing.
        self.assertFalse(self.tier_member.pricelist_warning)

    def test_warning_for_a_pricelist_in_another_currency(self):
        other_currency = self.env["res.currency"].search(
            [("id", "!=", self.company.currency_id.id)], limit=1
        )
        other_currency.active = True
        self._close_session()
        self.config.available_pricelist_ids = self.default_pricelist
        self.gold_pricelist.currency_id = other_currency
        self.tier_gold.invalidate_recordset(["pricelist_warning"])
        self.assertIn(f"is in {other_currency.name} and cannot be used",
                      self.tier_gold.pricelist_warning)

    def test_cashier_cannot_set_a_tier_pricelist(self):
        with self.assertRaises(AccessError):
            self.tier_member.with_user(self.cashier).write(
                {"pricelist_id": self.gold_pricelist.id}
            )
        self.assertFalse(self.tier_member.pricelist_id)
