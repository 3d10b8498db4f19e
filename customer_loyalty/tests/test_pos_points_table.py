import json
from unittest.mock import patch

from odoo import Command
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon
from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser

TOUR = "CustomerLoyaltyPointsTableTour"
TABLE = "customerLoyaltyPointsTable"  # also in static/tests/tours/points_table_tour.js
SIGNAL = "customer_loyalty:points"  # also in static/tests/tours/points_table_tour.js
MEMBER = "AAA CL Member"  # the POS loads the first partners by name: these come first
GOLD = "AAA CL Gold"

# The membership program of setUpClass: 1 point per currency unit paid (taxes included, after
# the discounts of other programs), 2 points per "CL Unit" sold, and 10 points per order of at
# least 100.00 before taxes. A 10% automatic promotion applies to orders with "CL Promo Item";
# as in Sales and in pos_loyalty, an automatic discount lowers the amount that earns points,
# not the amount checked against a rule's minimum. Member earns x1, Gold x1.5; the points are
# then rounded down to the program's points rounding (1: whole points; 0: cents).
# Gold's category bonus: x2 on "CL Services", x3 on its sub-category "CL Massages" (the highest
# of a line's category path, never both), before the tier multiplier; Member has none.
# A 20% automatic promotion reserved for Gold applies to orders with "CL Gold Item" (50.00, no
# tax): a Member pays the full price (the POS does not apply it, the server would refuse it).
# Products: CL Service 20.00 (CL Services, no tax); CL Massage 10.00 (CL Massages, no tax);
# CL Plain 5.10 (no tax); CL Tax Excluded 10.99 + 10% tax (12.09; 3 of them: 32.97 +
# 3.30 = 36.27); CL Tax Included 10.99 with 10% tax included (9.99 before tax); CL Unit 3.00
# (no tax); CL Big 95.00 + 10% tax (104.50); CL Promo Item 105.00 (no tax).
# "total" is the order total the POS must show (the tour waits for it before reading the
# points); "points" is the figure both the POS and the member's ledger must give.
CASES = [
    # -- points rounded to whole points ------------------------------------------------
    {"name": "money, Member", "rounding": 1.0, "customer": MEMBER,
     "lines": [["CL Plain", 1]], "total": "5.10",
     "points": 5},  # 5.10 -> 5
    {"name": "money, Gold", "rounding": 1.0, "customer": GOLD,
     "lines": [["CL Plain", 1]], "total": "5.10",
     "points": 7},  # 5.10 x 1.5 = 7.65 -> 7
    {"name": "tax excluded, Gold", "rounding": 1.0, "customer": GOLD,
     "lines": [["CL Tax Excluded", 3]], "total": "36.27",
     "points": 54},  # 36.27 x 1.5 = 54.405 -> 54
    {"name": "per unit, Member", "rounding": 1.0, "customer": MEMBER,
     "lines": [["CL Unit", 3]], "total": "9.00",
     "points": 15},  # 9.00 + 3 x 2 = 15
    {"name": "per unit and money, Gold", "rounding": 1.0, "customer": GOLD,
     "lines": [["CL Unit", 3], ["CL Plain", 1]], "total": "14.10",
     "points": 30},  # (14.10 + 6) x 1.5 = 30.15 -> 30
    {"name": "minimum reached only with taxes, Member", "rounding": 1.0, "customer": MEMBER,
     "lines": [["CL Big", 1]], "total": "104.50",
     "points": 104},  # 104.50; 95.00 before taxes < 100: no order points -> 104
    {"name": "10% promotion, Member", "rounding": 1.0, "customer": MEMBER,
     "lines": [["CL Promo Item", 1]], "total": "94.50",
     "points": 104},  # 105.00 - 10.50 = 94.50, + 10 (105.00 >= 100) = 104.50 -> 104
    {"name": "category bonus, Gold", "rounding": 1.0, "customer": GOLD,
     "lines": [["CL Service", 1]], "total": "20.00",
     "points": 60},  # (20.00 + 20.00 x (2 - 1)) x 1.5 = 60
    {"name": "category bonus and plain, Gold", "rounding": 1.0, "customer": GOLD,
     "lines": [["CL Service", 1], ["CL Plain", 1]], "total": "25.10",
     "points": 67},  # (25.10 + 20.00) x 1.5 = 67.65 -> 67
    {"name": "highest bonus of the category path, Gold", "rounding": 1.0, "customer": GOLD,
     "lines": [["CL Massage", 1]], "total": "10.00",
     "points": 45},  # (10.00 + 10.00 x (3 - 1)) x 1.5 = 45 (not x2 x3)
    {"name": "no category bonus, Member", "rounding": 1.0, "customer": MEMBER,
     "lines": [["CL Service", 1]], "total": "20.00",
     "points": 20},
    # -- a Gold-only 20% promotion on CL Gold Item: hidden from Member ---------------------
    {"name": "Gold-only promotion, Member", "rounding": 1.0, "customer": MEMBER,
     "lines": [["CL Gold Item", 1]], "total": "50.00",
     "points": 50},  # no discount for a Member
    {"name": "Gold-only promotion, Gold", "rounding": 1.0, "customer": GOLD,
     "lines": [["CL Gold Item", 1]], "total": "40.00",
     "points": 60},  # 50.00 - 20% = 40.00, x 1.5 = 60
    # -- points rounded to cents -------------------------------------------------------
    {"name": "money, Gold, cents", "rounding": 0.0, "customer": GOLD,
     "lines": [["CL Plain", 1]], "total": "5.10",
     "points": 7.65},  # 5.10 x 1.5 = 7.65
    {"name": "tax excluded, Gold, cents", "rounding": 0.0, "customer": GOLD,
     "lines": [["CL Tax Excluded", 3]], "total": "36.27",
     "points": 54.40},  # 36.27 x 1.5 = 54.405 -> 54.40
    {"name": "tax included, Gold, cents", "rounding": 0.0, "customer": GOLD,
     "lines": [["CL Tax Included", 2]], "total": "21.98",
     "points": 32.97},  # 21.98 x 1.5 = 32.97
    {"name": "per unit, Gold, cents", "rounding": 0.0, "customer": GOLD,
     "lines": [["CL Unit", 1]], "total": "3.00",
     "points": 7.50},  # (3.00 + 2) x 1.5 = 7.50
    {"name": "minimum reached before taxes, Member, cents", "rounding": 0.0, "customer": MEMBER,
     "lines": [["CL Big", 1], ["CL Tax Included", 1]], "total": "115.49",
     "points": 125.49},  # 104.50 + 10.99 = 115.49; 95.00 + 9.99 = 104.99 >= 100: + 10
    {"name": "10% promotion, Gold, cents", "rounding": 0.0, "customer": GOLD,
     "lines": [["CL Promo Item", 1]], "total": "94.50",
     "points": 156.75},  # (94.50 + 10) x 1.5 = 156.75
    {"name": "category bonus and tax, Gold, cents", "rounding": 0.0, "customer": GOLD,
     "lines": [["CL Massage", 1], ["CL Tax Excluded", 1]], "total": "22.09",
     "points": 63.13},  # 10.00 + 12.09 = 22.09, + 10.00 x 2 = 42.09, x 1.5 = 63.135 -> 63.13
]


@tagged("post_install", "-at_install")
class TestPosPointsTable(TestPointOfSaleHttpCommon):
    """One rule of how membership points are computed on a POS order: the points the POS shows
    (pos_loyalty's ``pointsForPrograms`` with our tier multiplier and rounding) and the points
    the server writes in the member's ledger at sync (``pos.order._loyalty_membership_points``)
    are both the hand-computed figure of each case of CASES, run in a real POS."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company._loyalty_install_membership()
        cls.program = company.loyalty_program_id
        tax_excluded, tax_included = cls.env["account.tax"].create(
            [
                {"name": "CL 10% excluded", "amount": 10, "amount_type": "percent",
                 "price_include_override": "tax_excluded", "company_id": company.id},
                {"name": "CL 10% included", "amount": 10, "amount_type": "percent",
                 "price_include_override": "tax_included", "company_id": company.id},
            ]
        )

        services = cls.env["product.category"].create({"name": "CL Services"})
        massages = cls.env["product.category"].create(
            {"name": "CL Massages", "parent_id": services.id}
        )

        def product(name, price, tax=None, category=None):
            vals = {"name": name, "type": "consu", "available_in_pos": True, "list_price": price,
                    "taxes_id": [Command.set(tax.ids if tax else [])]}
            if category:
                vals["categ_id"] = category.id
            return cls.env["product.product"].create(vals)

        product("CL Service", 20.00, category=services)
        gold_item = product("CL Gold Item", 50.00)
        product("CL Massage", 10.00, category=massages)

        product("CL Plain", 5.10)
        product("CL Tax Excluded", 10.99, tax_excluded)
        product("CL Tax Included", 10.99, tax_included)
        unit = product("CL Unit", 3.00)
        product("CL Big", 95.00, tax_excluded)
        promo_item = product("CL Promo Item", 105.00)
        cls.program.write(
            {
                "pos_ok": True,
                "pos_config_ids": [Command.set(cls.main_pos_config.ids)],
                "points_validity_months": 0,
                "points_pending_days": 0,
                "rule_ids": [
                    Command.clear(),
                    Command.create({"reward_point_mode": "money", "reward_point_amount": 1}),
                    Command.create({"reward_point_mode": "unit", "reward_point_amount": 2,
                                    "product_ids": [Command.set(unit.ids)]}),
                    Command.create({"reward_point_mode": "order", "reward_point_amount": 10,
                                    "minimum_amount": 100, "minimum_amount_tax_mode": "excl"}),
                ],
            }
        )
        # Only the membership program and the promotion apply in this POS.
        (cls.env["loyalty.program"].search([]) - cls.program).write({"active": False})
        cls.env["loyalty.program"].create(
            {
                "name": "CL 10% promotion", "program_type": "promotion", "trigger": "auto",
                "applies_on": "current", "pos_ok": True,
                "pos_config_ids": [Command.set(cls.main_pos_config.ids)],
                "rule_ids": [Command.create({
                    "reward_point_mode": "order", "reward_point_amount": 1,
                    "product_ids": [Command.set(promo_item.ids)],
                })],
                "reward_ids": [Command.create({
                    "reward_type": "discount", "discount": 10, "discount_mode": "percent",
                    "discount_applicability": "order", "required_points": 1,
                })],
            }
        )
        cls.env["loyalty.tier"].search([("company_id", "=", company.id)]).unlink()
        # Nobody reaches Gold by these orders: each member keeps the tier set here.
        member_tier, gold_tier = cls.env["loyalty.tier"].create(
            [
                {"name": "Member", "sequence": 1, "threshold": 0, "company_id": company.id},
                {"name": "Gold", "sequence": 2, "threshold": 1000000, "multiplier": 1.5,
                 "company_id": company.id},
            ]
        )
        cls.env["loyalty.program"].create(
            {
                "name": "CL Gold 20% promotion", "program_type": "promotion", "trigger": "auto",
                "applies_on": "current", "pos_ok": True,
                "pos_config_ids": [Command.set(cls.main_pos_config.ids)],
                "tier_ids": [Command.set(gold_tier.ids)],
                "rule_ids": [Command.create({
                    "reward_point_mode": "order", "reward_point_amount": 1,
                    "product_ids": [Command.set(gold_item.ids)],
                })],
                "reward_ids": [Command.create({
                    "reward_type": "discount", "discount": 20, "discount_mode": "percent",
                    "discount_applicability": "order", "required_points": 1,
                })],
            }
        )
        cls.env["loyalty.tier.category.bonus"].create([
            {"tier_id": gold_tier.id, "categ_id": services.id, "multiplier": 2.0},
            {"tier_id": gold_tier.id, "categ_id": massages.id, "multiplier": 3.0},
        ])
        cls.cards = {}
        for name, tier in ((MEMBER, member_tier), (GOLD, gold_tier)):
            partner = cls.env["res.partner"].create({"name": name})
            partner.with_company(company).action_loyalty_enroll()
            card = company._loyalty_member_cards(partner)
            card.write({"tier_id": tier.id})
            partner.with_company(company).sudo().write({"loyalty_tier_id": tier.id})
            cls.cards[name] = card

    def _run_table(self, cases):
        """Run ``cases`` in one POS session; return what the POS showed, by case name."""
        shown = {}
        original = ChromeBrowser._handle_console

        def _handle_console(browser, type, args=None, stackTrace=None, **kw):
            if args and args[0].get("value") == SIGNAL:
                figure = json.loads(args[1]["value"])
                shown[figure["case"]] = figure
                return None
            return original(browser, type, args=args, stackTrace=stackTrace, **kw)

        url = self._get_url()
        code = (
            f"window.{TABLE} = {json.dumps(cases)}; "
            f"odoo.startTour({TOUR!r}, {json.dumps({'stepDelay': 0, 'startUrl': url})})"
        )
        with patch.object(ChromeBrowser, "_handle_console", _handle_console):
            self.start_tour(url, TOUR, login="pos_user", code=code, timeout=180)
        self.env.invalidate_all()
        return shown

    def _assert_table(self, rounding):
        """The cases of one points rounding, in one POS session (the POS reads the program's
        rounding when it opens)."""
        cases = [case for case in CASES if case["rounding"] == rounding]
        self.program.points_rounding = rounding
        shown = self._run_table(cases)
        self.assertEqual(sorted(shown), sorted(case["name"] for case in cases))
        for case in cases:
            with self.subTest(case=case["name"]):
                figure = shown[case["name"]]
                order = self.env["pos.order"].search([("uuid", "=", figure["uuid"])])
                self.assertEqual(order.state, "paid")
                self.assertEqual(order.partner_id.name, case["customer"])
                card = self.cards[case["customer"]]
                line = card.history_ids.filtered(
                    lambda h, o=order: h.order_model == "pos.order" and h.order_id == o.id
                )
                text = figure["shown"]
                self.assertEqual(
                    {
                        "POS": round(figure["points"], 2),
                        "order summary": float(text[1:]) if text[:1] == "+" else text,
                        "ledger": [round(points, 2) for points in line.mapped("issued")],
                    },
                    {
                        "POS": case["points"],
                        "order summary": case["points"],
                        "ledger": [case["points"]],
                    },
                    "the points the POS counts and shows, and the points of the member's "
                    "ledger line",
                )
                tier = "Gold" if case["customer"] == GOLD else "Member"
                self.assertEqual(card.tier_id.name, tier, "the multiplier was the tier's")

    def test_points_rounded_to_whole_points(self):
        self._assert_table(1.0)

    def test_points_rounded_to_cents(self):
        self._assert_table(0.0)
