import os

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon
from odoo.tests import tagged

from .test_pos_tour import capture_screenshot_on_signal

MEMBER_CODE = "0441cl0000000000pack1"  # also in static/tests/tours/package_tour.js


@tagged("post_install", "-at_install")
class TestPosPackageTour(TestPointOfSaleHttpCommon):
    """In a real browser: scan a member who holds 10 haircuts (3 used), use one on a haircut,
    while the order's massage is paid and a new package sold, and the line, the member panel and
    the receipt say 6 of 10 left (and the new package's terms); a second package, frozen, is
    refused with the server's reason."""

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
        cls.member = cls.env["res.partner"].create({"name": "Zyx Package Holder"})
        cls.card = cls.env["loyalty.card"].create(
            {"program_id": cls.program.id, "partner_id": cls.member.id, "code": MEMBER_CODE}
        )
        Product = cls.env["product.product"]
        cls.haircut = Product.create({
            "name": "Zyx Haircut", "type": "service", "list_price": 100.0,
            "available_in_pos": True, "taxes_id": [Command.clear()],
        })
        cls.massage = Product.create({
            "name": "Zyx Massage", "type": "service", "list_price": 300.0,
            "available_in_pos": True, "taxes_id": [Command.clear()],
        })
        cls.pack = Product.create({
            "name": "10 Zyx Haircuts", "type": "service", "list_price": 800.0,
            "available_in_pos": True, "taxes_id": [Command.clear()],
            "loyalty_package_ok": True, "loyalty_package_uses": 10,
            "loyalty_package_validity": 6, "loyalty_package_validity_unit": "month",
            "loyalty_package_product_ids": [Command.set(cls.haircut.ids)],
        })
        order = cls.env["sale.order"].create({
            "partner_id": cls.member.id,
            "order_line": [
                Command.create({"product_id": cls.pack.id, "tax_id": [Command.clear()]}),
            ],
        })
        Package = cls.env["loyalty.package"]
        # The cashier's day (the tour's user is in New York): the POS and the server judge a
        # freeze by it, so the freeze below starts on it at any hour of the UTC day.
        cls.today = fields.Date.context_today(Package.with_context(tz=cls.pos_user.tz))
        cls.package = Package._loyalty_package_issue([{
            "partner": cls.member, "product": cls.pack, "company": company,
            "currency": company.currency_id, "amount": 800.0, "date": cls.today,
            "origin": order.name, "sale_line": order.order_line,
        }])
        Package._loyalty_package_consume([{
            "package": cls.package, "partner": cls.member, "product": cls.haircut,
            "quantity": 3, "company": company, "date": cls.today, "origin": order.name,
            "sale_line": order.order_line,
        }])
        cls.expiry = cls.today + relativedelta(months=6) - relativedelta(days=1)
        # A second package, frozen for ten days: listed, and refused with the reason.
        cls.frozen = Package._loyalty_package_issue([{
            "partner": cls.member, "product": cls.pack, "company": company,
            "currency": company.currency_id, "amount": 800.0, "date": cls.today,
            "origin": order.name, "sale_line": order.order_line, "rank": 1,
        }])
        cls.env["loyalty.package.freeze"].sudo().create({
            "package_id": cls.frozen.id, "date_from": cls.today,
            "date_to": cls.today + relativedelta(days=9), "reason": "travel",
        })

    def test_scan_member_use_package_receipt(self):
        self.assertEqual(self.package.uses_left, 7)
        self.assertFalse(
            self.pos_user.has_group("customer_loyalty.group_loyalty_user"),
            "the tour runs as a plain cashier",
        )
        with capture_screenshot_on_signal(os.environ.get("LOYALTY_POS_SCREENSHOT")):
            self.start_pos_tour("CustomerLoyaltyPackageTour")
        order = self.env["pos.order"].search([("partner_id", "=", self.member.id)])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "paid")
        # The haircut paid with the package, the massage (not covered) paid 300, and a new
        # package sold for 800.
        haircut_line = order.lines.filtered(lambda line: line.product_id == self.haircut)
        self.assertRecordValues(haircut_line, [{
            "loyalty_package_id": self.package.id, "price_unit": 0.0, "qty": 1.0,
        }])
        self.assertEqual(order.amount_total, 1100.0)
        sold = self.env["loyalty.package"].search([("pos_line_id", "in", order.lines.ids)])
        self.assertRecordValues(sold, [{
            "partner_id": self.member.id, "product_id": self.pack.id, "amount": 800.0,
            "uses_left": 10, "date_sale": self.today, "date_expiry": self.expiry,
            "origin": order.name,
        }])
        used = self.package.line_ids.filtered(lambda line: line.pos_line_id == haircut_line)
        self.assertRecordValues(used, [{
            "entry_type": "used", "quantity": -1, "value": -80.0, "partner_id": self.member.id,
        }])
        self.package.invalidate_recordset()
        self.assertEqual(self.package.uses_left, 6)
        self.assertEqual(self.package.summary, f"6 of 10 left, until {self.expiry}")
        self.frozen.invalidate_recordset()
        self.assertEqual(self.frozen.uses_left, 10, "the frozen package was refused")

    def test_non_member_order_untouched(self):
        """Odoo's own flow with the packages patch: an order without a customer, no panel, no
        package; the price is the product's."""
        self.start_pos_tour("CustomerLoyaltyPackageNonMemberTour")
        order = self.env["pos.order"].search([("lines.product_id", "=", self.massage.id)])
        self.assertEqual(len(order), 1)
        self.assertFalse(order.partner_id)
        self.assertEqual(order.amount_total, 300.0)
        self.assertFalse(order.lines.loyalty_package_id)
        self.assertEqual(self.package.uses_left, 7)
