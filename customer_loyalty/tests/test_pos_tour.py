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
