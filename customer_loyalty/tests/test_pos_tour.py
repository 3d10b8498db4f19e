import base64
import os
from unittest.mock import patch

from odoo import Command
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon
from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser

MEMBER_CODE = "0441cl00000000000000a"  # also in static/tests/tours/member_scan_tour.js
SCREENSHOT_SIGNAL = "customer_loyalty:screenshot"


def capture_screenshot_on_signal(path):
    """While the tour runs, save a PNG of the page to ``path`` (if given) when the tour logs
    SCREENSHOT_SIGNAL: how tools/pos_screenshot.sh makes the README's picture."""
    original = ChromeBrowser._handle_console

    def _handle_console(browser, type, args=None, stackTrace=None, **kw):
        if args and args[0].get("value") == SCREENSHOT_SIGNAL:
            if path:
                def save(future):
                    with open(path, "wb") as png:
                        png.write(base64.b64decode(future.result()["data"]))

                future = browser._websocket_send("Page.captureScreenshot", with_future=True)
                future.add_done_callback(save)
            return None
        return original(browser, type, args=args, stackTrace=stackTrace, **kw)

    return patch.object(ChromeBrowser, "_handle_console", _handle_console)


@tagged("post_install", "-at_install")
class TestPosMemberScanTour(TestPointOfSaleHttpCommon):
    """Cashier flows in a real browser: scan a member card, see tier and points, sell."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company._loyalty_install_membership()
        cls.program = company.loyalty_program_id
        cls.program.write(
            {
                "pos_ok": True,
                "pos_config_ids": [Command.link(cls.main_pos_config.id)],
                "rule_ids": [
                    Command.clear(),
                    Command.create({"reward_point_mode": "money", "reward_point_amount": 1}),
                ],
            }
        )
        # Only the membership program applies in this POS.
        (cls.env["loyalty.program"].search([]) - cls.program).write({"active": False})
        cls.env["loyalty.tier"].search([("company_id", "=", company.id)]).unlink()
        cls.env["loyalty.tier"].create(
            [
                {"name": "Member", "sequence": 1, "threshold": 0, "company_id": company.id},
                {"name": "Gold", "sequence": 2, "threshold": 100, "multiplier": 2.0,
                 "color": 3, "company_id": company.id,
                 "description": "<p>Free <b>coffee</b> at every visit</p>"},
            ]
        )
        cls.member = cls.env["res.partner"].create({"name": "Zyx Member Nguyễn"})
        cls.card = cls.env["loyalty.card"].create(
            {"program_id": cls.program.id, "partner_id": cls.member.id, "code": MEMBER_CODE}
        )
        gold = cls.env["loyalty.tier"].search(
            [("name", "=", "Gold"), ("company_id", "=", company.id)]
        )
        cls.env["loyalty.history"].create(
            {"card_id": cls.card.id, "issued": 250, "description": "Welcome points",
             "entry_type": "adjustment"}
        )
        cls.card.write({"points": 250, "tier_id": gold.id})
        cls.member.with_company(company).sudo().write({"loyalty_tier_id": gold.id})
        cls.desk_organizer.write({"lst_price": 5.1, "taxes_id": [Command.clear()]})

    def _ledger_sum(self, card):
        return sum(card.history_ids.mapped("issued")) - sum(card.history_ids.mapped("used"))

    def test_scan_member_sell_and_earn(self):
        # The member is not among the partners the POS loads at start: it is looked up.
        with (
            patch.object(type(self.env["pos.config"]), "_get_limited_partner_count", lambda s: 1),
            capture_screenshot_on_signal(os.environ.get("LOYALTY_POS_SCREENSHOT")),
        ):
            self.start_pos_tour("CustomerLoyaltyScanMemberTour")
        order = self.env["pos.order"].search([("partner_id", "=", self.member.id)])
        self.assertEqual(len(order), 1, "the scanned member is the order's customer")
        self.card.invalidate_recordset()
        line = self.card.history_ids.filtered(lambda h: h.order_model == "pos.order")
        self.assertEqual(line.order_id, order.id)
        # 5.10 spent, 1 point per unit, Gold multiplier 2, rounded down to whole points.
        self.assertEqual(line.issued, 10)
        self.assertEqual(self.card.points, 260)
        self.assertEqual(self.card.points, self._ledger_sum(self.card))

    def test_scan_unknown_code(self):
        self.start_pos_tour("CustomerLoyaltyUnknownCodeTour")
        self.assertFalse(self.env["pos.order"].search([("partner_id", "=", self.member.id)]))

    def test_gift_card_and_coupon_beside_a_member_scan(self):
        """Odoo's own codes (all starting with 044) still work in the POS with the addon: a
        coupon typed in and a gift card scanned, for a member who was scanned first."""
        Program = self.env["loyalty.program"]
        gift_program = Program.browse(Program.create_from_template("gift_card")["res_id"])
        gift_program.write({
            "pos_ok": True, "pos_config_ids": [Command.set(self.main_pos_config.ids)],
            # The POS refuses to open with a gift card program it cannot print.
            "pos_report_print_id": self.env.ref("loyalty.report_gift_card").id,
        })
        gift_card = self.env["loyalty.card"].create(
            {"program_id": gift_program.id, "code": "044123456", "points": 50}
        )
        coupon_program = Program.create({
            "name": "10% coupon", "program_type": "coupons", "trigger": "with_code",
            "applies_on": "current", "pos_ok": True,
            "pos_config_ids": [Command.set(self.main_pos_config.ids)],
            "rule_ids": [Command.create({"reward_point_mode": "order", "reward_point_amount": 1})],
            "reward_ids": [Command.create({
                "reward_type": "discount", "discount": 10, "discount_mode": "percent",
                "discount_applicability": "order", "required_points": 1,
            })],
        })
        coupon = self.env["loyalty.card"].create(
            {"program_id": coupon_program.id, "code": "044654321", "points": 1}
        )
        self.start_pos_tour("CustomerLoyaltyGiftCardCouponTour")
        order = self.env["pos.order"].search([("partner_id", "=", self.member.id)])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.amount_total, 0.0)
        # 5.10 less the 10% coupon (0.51) = 4.59 paid with the gift card.
        self.assertAlmostEqual(gift_card.points, 50 - 4.59, places=2)
        self.assertEqual(coupon.points, 0, "the coupon was used")
        # The member earns on what the coupon left (4.59), x2 for Gold, rounded down: 9;
        # the gift card is a means of payment and does not lower it.
        self.card.invalidate_recordset()
        line = self.card.history_ids.filtered(lambda h: h.order_model == "pos.order")
        self.assertEqual(line.issued, 9)
        self.assertEqual(self.card.points, 259)
        self.assertEqual(self.card.points, self._ledger_sum(self.card))
