from unittest.mock import patch

from odoo import Command
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon
from odoo.tests import tagged

VIP_CODE = "0441cl000000000000v1p"  # also in static/tests/tours/tier_pricelist_tour.js


@tagged("post_install", "-at_install")
class TestPosTierPricelistTour(TestPointOfSaleHttpCommon):
    """In a real browser: scanning a VIP member's card switches the order to the VIP tier's
    pricelist (10 % off), and the line's price drops from 5.10 to 4.59."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company._loyalty_install_membership()
        cls.program = company.loyalty_program_id
        cls.program.write({
            "pos_ok": True,
            "pos_config_ids": [Command.link(cls.main_pos_config.id)],
            "rule_ids": [
                Command.clear(),
                Command.create({"reward_point_mode": "money", "reward_point_amount": 1}),
            ],
        })
        (cls.env["loyalty.program"].search([]) - cls.program).write({"active": False})
        cls.vip_pricelist = cls.env["product.pricelist"].create({
            "name": "VIP −10%",
            "currency_id": company.currency_id.id,
            "item_ids": [Command.create(
                {"applied_on": "3_global", "compute_price": "percentage", "percent_price": 10}
            )],
        })
        cls.env["loyalty.tier"].search([("company_id", "=", company.id)]).unlink()
        _member, cls.vip = cls.env["loyalty.tier"].create([
            {"name": "Member", "sequence": 1, "threshold": 0, "company_id": company.id},
            {"name": "VIP", "sequence": 2, "threshold": 100, "color": 1,
             "company_id": company.id, "pricelist_id": cls.vip_pricelist.id,
             "description": "<p>Private spa room</p>"},
        ])
        cls.main_pos_config.write(
            {"available_pricelist_ids": [Command.link(cls.vip_pricelist.id)]}
        )
        cls.member = cls.env["res.partner"].create({"name": "Zyx VIP Trần"})
        cls.card = cls.env["loyalty.card"].create(
            {"program_id": cls.program.id, "partner_id": cls.member.id, "code": VIP_CODE}
        )
        cls.card._loyalty_apply_tier_changes(
            [(cls.card, cls.card.tier_id, cls.vip)], reason="manual"
        )
        cls.desk_organizer.write({"lst_price": 5.1, "taxes_id": [Command.clear()]})

    def test_scan_vip_member_switches_the_pricelist(self):
        self.assertFalse(self.vip.pricelist_warning, "the shop offers the VIP pricelist")
        self.assertNotEqual(self.main_pos_config.pricelist_id, self.vip_pricelist)
        self.assertEqual(self.member.loyalty_tier_id, self.vip)
        # (TestPointOfSaleHttpCommon gives every contact a default pricelist, an ir.default:
        # no choice by hand, the tier's pricelist wins over it)
        self.assertEqual(self.member.property_product_pricelist, self.vip_pricelist)
        # The member is not among the partners the POS loads at start: it is looked up.
        with patch.object(
            type(self.env["pos.config"]), "_get_limited_partner_count", lambda s: 1
        ):
            self.start_pos_tour("CustomerLoyaltyTierPricelistTour")
        order = self.env["pos.order"].search([("partner_id", "=", self.member.id)])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.pricelist_id, self.vip_pricelist)
        # 5.10 less 10 %: 4.59.
        self.assertRecordValues(order.lines, [{"price_unit": 4.59, "price_subtotal_incl": 4.59}])
        self.assertAlmostEqual(order.amount_total, 4.59, places=2)
