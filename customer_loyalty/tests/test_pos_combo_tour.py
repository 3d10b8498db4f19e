import os
from unittest.mock import patch

from odoo import Command
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon
from odoo.tests import tagged

from .test_pos_tour import capture_screenshot_on_signal

GOLD_CODE = "0441cl00000000000g01d"  # also in static/tests/tours/combo_tier_tour.js
MEMBER_CODE = "0441cl0000000000m3mb1"


@tagged("post_install", "-at_install")
class TestPosComboTierTour(TestPointOfSaleHttpCommon):
    """In a real browser: a combo reserved for Gold members cannot be added for a customer of
    another tier (nor for no customer), and an order holding one cannot be paid once its
    customer was changed for a plain member."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company._loyalty_install_membership()
        program = company.loyalty_program_id
        program.write({"pos_ok": True, "pos_config_ids": [Command.link(cls.main_pos_config.id)]})
        (cls.env["loyalty.program"].search([]) - program).write({"active": False})
        cls.env["loyalty.tier"].search([("company_id", "=", company.id)]).unlink()
        member, cls.gold = cls.env["loyalty.tier"].create([
            {"name": "Member", "sequence": 1, "threshold": 0, "company_id": company.id},
            {"name": "Gold", "sequence": 2, "threshold": 100, "color": 3,
             "company_id": company.id},
        ])
        cls.cards = cls.env["loyalty.card"]
        for name, code, tier in (("Zyx Gold Member", GOLD_CODE, cls.gold),
                                 ("Zyx Plain Member", MEMBER_CODE, member)):
            partner = cls.env["res.partner"].create({"name": name})
            card = cls.env["loyalty.card"].create(
                {"program_id": program.id, "partner_id": partner.id, "code": code}
            )
            card._loyalty_apply_tier_changes([(card, card.tier_id, tier)], reason="manual")
            cls.cards |= card
        choices = cls.env["product.combo"].create([
            {"name": "Organizer", "combo_item_ids": [
                Command.create({"product_id": cls.desk_organizer.id})]},
            {"name": "Tray", "combo_item_ids": [
                Command.create({"product_id": cls.letter_tray.id})]},
        ])
        cls.gold_menu = cls.env["product.product"].create({
            "name": "Gold Menu", "type": "combo", "available_in_pos": True, "list_price": 30.0,
            "taxes_id": [Command.clear()], "combo_ids": [Command.set(choices.ids)],
            "pos_categ_ids": [Command.set(cls.desk_organizer.pos_categ_ids.ids)],
        })
        cls.gold_menu.product_tmpl_id.loyalty_tier_ids = cls.gold

    def test_reserved_combo_refused_in_the_browser(self):
        with (
            patch.object(type(self.env["pos.config"]), "_get_limited_partner_count", lambda s: 1),
            capture_screenshot_on_signal(os.environ.get("LOYALTY_POS_SCREENSHOT")),
        ):
            self.start_pos_tour("CustomerLoyaltyComboTierTour")
        orders = self.env["pos.order"].search(
            [("session_id", "=", self.main_pos_config.current_session_id.id),
             ("state", "!=", "draft")]
        )
        self.assertFalse(orders, "nothing was paid")
