from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_points import PointsCommon


@tagged("post_install", "-at_install")
class TestPointsAnalytics(PointsCommon):
    """Points figures from the ledger, dated by hand (1 point per currency unit):

    =======  ===============================================  ======  ========  =======  =====
    month    what                                             issued  redeemed  expired  adj.
    =======  ===============================================  ======  ========  =======  =====
    2026-01  Alice earns 600, Bob earns 300                   900     0         0        0
    2026-02  Alice: 200 with the $10 voucher (100 points),    200     100       0        0
             earns on the 200 of products (as in Odoo)
    2026-03  Bob's January order cancelled (300 taken         600     0         40       50
             back); Bob earns 900 (salesperson Sam); +50
             adjustment for Bob; 40 of Alice's points expire
    =======  ===============================================  ======  ========  =======  =====

    Balances: Alice 600 + 200 − 100 − 40 = 660, Bob 300 − 300 + 900 + 50 = 950: 1,610 points.
    A point is worth at most 0.40 (the free mug: 20.00 for 50 points; the vouchers and the
    discount per point are worth 0.10): liability 1,610 × 0.40 = 644.00.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = cls._new_user("points_analytics_sam", "sales_team.group_sale_salesman")
        cls.Figures = cls.env["loyalty.points.figures"]

    def _dated(self, day, since_id):
        """Date the ledger lines written since ``since_id`` on ``day``; returns the last id."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE loyalty_history SET create_date = %s WHERE id > %s", (day, since_id)
        )
        return self._last_line_id()

    def _last_line_id(self):
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM loyalty_history")
        return self.env.cr.fetchone()[0]

    def _data_set(self):
        last = self._last_line_id()
        self._earn(self.alice, 600.0)
        bob_january = self._earn(self.bob, 300.0)
        last = self._dated("2026-01-15 10:00:00", last)
        self._redeem(self.alice, 200.0, self.reward_voucher)
        last = self._dated("2026-02-15 10:00:00", last)
        self._cancel(bob_january)
        order = self._quotation(self.bob, 900.0)
        order.user_id = self.salesman
        self._confirm(order)
        # a manager's adjustment and what the expiry cron writes, as the ledger records them
        self.env["loyalty.history"].create([
            {"card_id": self.bob_card.id, "entry_type": "adjustment", "issued": 50.0,
             "description": "Goodwill"},
            {"card_id": self.alice_card.id, "entry_type": "expiry", "used": 40.0,
             "description": "Points expired"},
        ])
        self._dated("2026-03-20 10:00:00", last)
        self.env["loyalty.retention.order"]._loyalty_refresh()

    def test_points_per_month_and_liability(self):
        self._data_set()
        self.assertBalance(self.alice_card, 660.0)
        self.assertBalance(self.bob_card, 950.0)
        figures = self.Figures._loyalty_points_figures({"company_ids": [self.company.id]}, "month")
        self.assertEqual(figures["periods"], [
            {"period": date(2026, 1, 1), "issued": 900.0, "redeemed": 0.0, "expired": 0.0,
             "adjusted": 0.0, "redemption_rate": 0.0},
            {"period": date(2026, 2, 1), "issued": 200.0, "redeemed": 100.0, "expired": 0.0,
             "adjusted": 0.0, "redemption_rate": 0.5},
            {"period": date(2026, 3, 1), "issued": 600.0, "redeemed": 0.0, "expired": 40.0,
             "adjusted": 50.0, "redemption_rate": 0.0},
        ])
        self.assertEqual(figures["liability"], [{
            "company_id": self.company.id, "currency_id": self.usd.id, "points": 1610.0,
            "value_per_point": 0.4, "value": 644.0,
        }])
        self.assertEqual(figures["liability_value"], 644.0)

    def test_points_per_quarter_and_filters(self):
        self._data_set()
        quarter = self.Figures._loyalty_points_figures(
            {"company_ids": [self.company.id]}, "quarter"
        )["periods"]
        self.assertEqual(quarter, [{
            "period": date(2026, 1, 1), "issued": 1700.0, "redeemed": 100.0, "expired": 40.0,
            "adjusted": 50.0, "redemption_rate": 100.0 / 1700.0,
        }])
        february = self.Figures._loyalty_points_figures(
            {"company_ids": [self.company.id], "date_from": "2026-02-01",
             "date_to": "2026-02-28"}, "month",
        )["periods"]
        self.assertEqual([(p["period"], p["issued"], p["redeemed"]) for p in february],
                         [(date(2026, 2, 1), 200.0, 100.0)])
        # a salesperson: the lines of their orders only (Bob's March order)
        sam = self.Figures._loyalty_points_figures(
            {"company_ids": [self.company.id], "user_ids": [self.salesman.id]}, "month"
        )["periods"]
        self.assertEqual([(p["period"], p["issued"], p["expired"]) for p in sam],
                         [(date(2026, 3, 1), 900.0, 0.0)])
        # a tier nobody holds: no lines, and no liability
        gold = self.Figures._loyalty_points_figures(
            {"company_ids": [self.company.id], "tier_ids": [self.tier_gold.id]}, "month"
        )
        self.assertEqual(gold["periods"], [])
        self.assertEqual(gold["liability"][0]["points"], 0.0)
        # another company sees nothing of this one
        other = self.env["res.company"].create({"name": "Points Other Shop"})
        self.env.user.company_ids |= other
        elsewhere = self.Figures._loyalty_points_figures({"company_ids": [other.id]}, "month")
        self.assertEqual(elsewhere["periods"], [])
        self.assertEqual(elsewhere["liability"][0]["points"], 0.0)
        # the report over the same lines agrees
        totals = self.env["loyalty.points.report"]._read_group(
            [("company_id", "=", self.company.id)], [],
            ["points_issued:sum", "points_redeemed:sum", "points_expired:sum",
             "points_adjusted:sum"],
        )
        self.assertEqual(totals, [(1700.0, 100.0, 40.0, 50.0)])

    def test_points_figures_rights_and_input(self):
        clerk = self._new_user("points_analytics_clerk", "base.group_user")
        with self.assertRaises(AccessError):
            self.Figures.with_user(clerk)._loyalty_points_figures({}, "month")
        with self.assertRaises(UserError):
            self.Figures._loyalty_points_figures({}, "fortnight")
        with self.assertRaises(UserError):
            self.Figures._loyalty_points_figures({"company_ids": ["1; DROP TABLE x"]}, "month")
        # a loyalty user asking for a company that is not theirs gets none of its figures
        user = self._new_user("points_analytics_user", "customer_loyalty.group_loyalty_user")
        other = self.env["res.company"].create({"name": "Not Theirs"})
        figures = self.Figures.with_user(user)._loyalty_points_figures(
            {"company_ids": [other.id]}, "month"
        )
        self.assertEqual(figures["liability"], [])
