from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_retention import RetentionCommon


@tagged("post_install", "-at_install")
class TestRetentionRepurchase(RetentionCommon):
    """Repurchase figures per period (``loyalty.retention.figures`` and the Repurchase by Period
    report) on the data set of ``RetentionCommon``. Counted orders per period, company and
    customer (A-Alice and B-Alice are two customers), net revenue:

    ========  =======================================================================
    month     counted orders
    ========  =======================================================================
    2026-01   A-Alice P2 120 + S2 200 (2 orders), A-Bob P3 50, B-Alice SB1 500
    2026-02   A-Carol S3 150, B-Alice SB2 70 (P4 fully refunded, S4 cancelled, P5 anonymous)
    2026-03   A-Alice P6 20, A-Dave S5 400, A-Carol S6 20
    ========  =======================================================================

    Days since the customer's previous order in the company: P2 209 (2025-06-10 -> 2026-01-05),
    S2 15, P3 142 (2025-09-05 -> 2026-01-25), SB2 31, P6 42 (2026-01-20 -> 2026-03-03), S6 33;
    first orders (S3, S5, SB1) have none."""

    def test_monthly_figures(self):
        self._sell_data_set()
        figures = self._figures("month", date_from="2026-01-01", date_to="2026-03-31")
        self.assertEqual(list(figures), [self.JAN, self.FEB, self.MAR])
        # January: 3 customers, A-Alice returning (2 orders); only B-Alice buys in February.
        self.assertFigures(
            figures[self.JAN], customers=3, returning_customers=1, repurchase_rate=100 / 3,
            came_back_next=1, came_back_rate=100 / 3, orders=4, orders_per_customer=4 / 3,
            revenue=870.0,                 # 120 + 200 + 50 + 500
            returning_revenue=320.0,       # A-Alice: 120 + 200
            aov=217.5,                     # 870 / 4
            median_days_between=142.0,     # median of 209, 15, 142
        )
        # February: A-Carol comes back in March (S6), B-Alice does not.
        self.assertFigures(
            figures[self.FEB], customers=2, returning_customers=0, repurchase_rate=0.0,
            came_back_next=1, came_back_rate=50.0, orders=2, orders_per_customer=1.0,
            revenue=220.0, returning_revenue=0.0, aov=110.0, median_days_between=31.0,
        )
        # March: nobody buys in April.
        self.assertFigures(
            figures[self.MAR], customers=3, returning_customers=0, came_back_next=0,
            came_back_rate=0.0, orders=3, revenue=440.0, aov=440 / 3,
            median_days_between=37.5,      # median of 42, 33
        )

    def test_quarter_and_year(self):
        self._sell_data_set()
        quarter = self._figures("quarter", date_from="2026-01-01", date_to="2026-03-31")
        self.assertEqual(list(quarter), [self.JAN])
        # Q1 2026: A-Alice 3 orders (340), A-Bob 1 (50), A-Carol 2 (170), A-Dave 1 (400),
        # B-Alice 2 (570): 3 returning customers of 5.
        self.assertFigures(
            quarter[self.JAN], customers=5, returning_customers=3, repurchase_rate=60.0,
            came_back_next=0, orders=9, orders_per_customer=1.8, revenue=1530.0,
            returning_revenue=1080.0,      # 340 + 170 + 570
            aov=170.0,                     # 1530 / 9
            median_days_between=37.5,      # 15, 31, 33, 42, 142, 209: (33 + 42) / 2
        )
        years = self._figures("year")
        y2025, y2026 = sorted(years)
        self.assertEqual((y2025.year, y2026.year), (2025, 2026))
        # 2025: Erin S0 40, Alice S1 200, Bob P1 100, all first orders; Alice and Bob buy again
        # in 2026, Erin does not.
        self.assertFigures(
            years[y2025], customers=3, returning_customers=0, came_back_next=2,
            came_back_rate=200 / 3, orders=3, revenue=340.0, median_days_between=None,
        )
        self.assertFigures(years[y2026], customers=5, returning_customers=3, revenue=1530.0,
                           came_back_next=0)

    def test_filters(self):
        self._sell_data_set()
        q1 = {"date_from": "2026-01-01", "date_to": "2026-03-31"}
        # Company A only: January loses B-Alice.
        figures = self._figures(company_ids=[self.company_a.id], **q1)
        self.assertFigures(figures[self.JAN], customers=2, returning_customers=1, orders=3,
                           revenue=370.0, returning_revenue=320.0, came_back_next=0,
                           median_days_between=142.0)
        self.assertFigures(figures[self.FEB], customers=1, revenue=150.0, came_back_rate=100.0)
        # The POS shop: P2 and P3 in January, nothing counted in February (P4 refunded, P5
        # anonymous), P6 in March (its previous order, S2, is a sales order: any shop counts).
        figures = self._figures(config_ids=[self.config.id], **q1)
        self.assertFigures(figures[self.JAN], customers=2, returning_customers=0, orders=2,
                           revenue=170.0, came_back_next=0)
        self.assertFigures(figures[self.FEB], customers=0, orders=0, revenue=0.0,
                           repurchase_rate=0.0, aov=0.0, median_days_between=None)
        self.assertFigures(figures[self.MAR], customers=1, revenue=20.0,
                           median_days_between=42.0)
        # Office (pens): the orders with a pen, the revenue of their pens (P6: 3 - 1 refunded).
        figures = self._figures(categ_ids=[self.categ_office.id], **q1)
        self.assertFigures(figures[self.JAN], customers=2, orders=2, revenue=70.0)  # 20 + 50
        # February: S3's pens 50, SB2 70; A-Carol buys pens again in March (S6).
        self.assertFigures(figures[self.FEB], customers=2, revenue=120.0, came_back_next=1)
        self.assertFigures(figures[self.MAR], customers=2, revenue=40.0)  # P6 20 + S6 20
        # Lights (lamps): January P2's lamp 100, S2 300 - 100 credited, SB1 500.
        figures = self._figures(categ_ids=[self.categ_lights.id], **q1)
        self.assertFigures(figures[self.JAN], customers=2, returning_customers=1, orders=3,
                           revenue=800.0, returning_revenue=300.0)
        # Tier Member (Alice and Bob in A); coming back counts whatever the tier.
        figures = self._figures(tier_ids=[self.tier_member.id], **q1)
        self.assertFigures(figures[self.JAN], customers=2, returning_customers=1, orders=3,
                           revenue=370.0)
        self.assertFigures(figures[self.FEB], customers=0)
        self.assertFigures(figures[self.MAR], customers=1, revenue=20.0)
        # Salesperson Sam: the sales orders of both companies.
        figures = self._figures(user_ids=[self.sam.id], **q1)
        self.assertFigures(figures[self.JAN], customers=2, orders=2, revenue=700.0,
                           came_back_next=1)  # SB1 500 + S2 200; B-Alice back in February
        self.assertFigures(figures[self.FEB], customers=2, revenue=220.0, came_back_next=1)
        self.assertFigures(figures[self.MAR], customers=2, revenue=420.0)
        # A period cut mid-month counts the orders up to date_to; "came back" looks beyond it.
        figures = self._figures(date_from="2026-01-01", date_to="2026-01-19")
        self.assertFigures(figures[self.JAN], customers=2, orders=2, revenue=620.0,
                           came_back_next=1)  # P2 120 + SB1 500; B-Alice back in February

    def test_period_report(self):
        """The report's ratios are those of the group, not averages of rows."""
        self._sell_data_set()
        Report = self.env["loyalty.retention.period.report"].with_context(
            allowed_company_ids=(self.company_a | self.company_b).ids
        )
        measures = ["customers:sum", "returning_customers:sum", "repurchase_rate:avg",
                    "came_back_rate:avg", "orders_per_customer:avg", "revenue:sum",
                    "returning_revenue:sum", "aov:avg", "new_customers:sum"]
        groups = Report._read_group(
            [("granularity", "=", "month"), ("period", ">=", "2026-01-01")],
            ["period:month"], measures,
        )
        by_month = {period: values for period, *values in groups}
        self.assertEqual(list(by_month), [self.JAN, self.FEB, self.MAR])
        expected = {
            # customers, returning, rate, came back rate, orders/customer, revenue,
            # returning revenue, aov, new customers (B-Alice; A-Carol; A-Dave)
            self.JAN: [3, 1, 100 / 3, 100 / 3, 4 / 3, 870.0, 320.0, 217.5, 1],
            self.FEB: [2, 0, 0.0, 50.0, 1.0, 220.0, 0.0, 110.0, 1],
            self.MAR: [3, 0, 0.0, 0.0, 1.0, 440.0, 0.0, 440 / 3, 1],
        }
        for month, values in expected.items():
            for measure, got, want in zip(measures, by_month[month], values, strict=True):
                self.assertAlmostEqual(got, want, places=2, msg=f"{month} {measure}")
        [(customers, rate, aov)] = Report._read_group(
            [("granularity", "=", "quarter"), ("period", "=", "2026-01-01")],
            [], ["customers:sum", "repurchase_rate:avg", "aov:avg"],
        )
        self.assertEqual(customers, 5)
        self.assertAlmostEqual(rate, 60.0)
        self.assertAlmostEqual(aov, 170.0)
        # By the tier of the customer's first order of January: Member A-Alice (returning) and
        # A-Bob; B-Alice is no member in B.
        groups = Report._read_group(
            [("granularity", "=", "month"), ("period", "=", "2026-01-01")],
            ["tier_id"], ["customers:sum", "repurchase_rate:avg"],
        )
        self.assertEqual(
            {tier.name or None: (n, round(rate, 2)) for tier, n, rate in groups},
            {"Member": (2, 50.0), None: (1, 0.0)},
        )
        rows = Report.search([("granularity", "=", "month"), ("period", "=", "2026-01-01"),
                              ("partner_id", "=", self.alice.id)])
        self.assertRecordValues(rows.filtered(lambda r: r.company_id == self.company_a), [
            {"orders": 2, "revenue": 320.0, "returning_customers": 1, "came_back_next": 0,
             "config_id": self.config.id, "tier_id": self.tier_member.id, "new_customers": 0},
        ])
        self.assertRecordValues(rows.filtered(lambda r: r.company_id == self.company_b), [
            {"orders": 1, "revenue": 500.0, "returning_customers": 0, "came_back_next": 1,
             "config_id": False, "tier_id": False, "new_customers": 1},
        ])
        # The standard export reads the rows.
        exported = rows.sorted(lambda r: r.revenue).export_data(
            ["partner_id/name", "company_id/name", "orders", "revenue"]
        )["datas"]
        self.assertEqual(exported, [
            [self.alice.name, self.company_a.name, 2, 320.0],
            [self.alice.name, self.company_b.name, 1, 500.0],
        ])

    def test_access(self):
        self._sell_data_set()
        user = self._new_user(
            "retention_report_user", "base.group_user,customer_loyalty.group_loyalty_user",
            company=self.company_a,
        )
        Report = self._as(user, self.env["loyalty.retention.period.report"])
        self.assertEqual(Report.search([]).company_id, self.company_a)
        with self.assertRaises(AccessError):
            self._as(self.cashier, self.env["loyalty.retention.period.report"]).search([])
        # The API keeps to the user's allowed companies: company B is not one of them.
        Figures = self.env["loyalty.retention.figures"].with_user(user).with_context(
            allowed_company_ids=self.company_a.ids
        )
        self.assertEqual(Figures._loyalty_repurchase_figures(
            {"company_ids": [self.company_b.id]}, "month"), [])
        rows = Figures._loyalty_repurchase_figures({"date_from": "2026-01-01",
                                                    "date_to": "2026-01-31"}, "month")
        self.assertEqual([(row["customers"], row["revenue"]) for row in rows], [(2, 370.0)])

    def test_bad_input(self):
        Figures = self.env["loyalty.retention.figures"]
        with self.assertRaisesRegex(UserError, "month, quarter or year"):
            Figures._loyalty_repurchase_figures({}, "week")
        with self.assertRaisesRegex(UserError, "Unknown retention filter"):
            Figures._loyalty_repurchase_figures({"shop": 1}, "month")
        with self.assertRaisesRegex(UserError, "before its end"):
            Figures._loyalty_repurchase_figures(
                {"date_from": "2026-02-01", "date_to": "2026-01-01"}, "month")
