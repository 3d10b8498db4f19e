from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common_retention import RetentionCommon


@tagged("post_install", "-at_install")
class TestRetentionCohort(RetentionCommon):
    """The cohort table on the data set of ``RetentionCommon``, seen on 2026-06-30. Cohorts
    (first counted order) and the months with a counted order, N months after:

    ========  ========  =========================  ========================
    cohort    customer  active at N                months in the table
    ========  ========  =========================  ========================
    2025-03   A-Erin    0                          0..15
    2025-06   A-Alice   0, 7 (2026-01), 9 (03)     0..12
    2025-09   A-Bob     0, 4 (2026-01)             0..9  (P4 refunded: no)
    2026-01   B-Alice   0, 1                       0..5
    2026-02   A-Carol   0, 1                       0..4  (S4 cancelled: no)
    2026-03   A-Dave    0                          0..3
    ========  ========  =========================  ========================
    """

    def _report(self, companies=None):
        return self.env["loyalty.cohort.report"].with_context(
            allowed_company_ids=(companies or self.company_a | self.company_b).ids
        )

    def _by_months_since(self, domain=(), companies=None):
        groups = self._report(companies)._read_group(
            list(domain), ["months_since"],
            ["cohort_customers:sum", "active_customers:sum", "retention_rate:avg"],
        )
        return {months: (size, active, round(rate, 2)) for months, size, active, rate in groups}

    @freeze_time("2026-06-30 12:00:00")
    def test_cohort_table(self):
        self._sell_data_set()
        rows = self._report().search([])
        self.assertEqual(len(rows), 16 + 13 + 10 + 6 + 5 + 4)
        alice_a = rows.filtered(lambda r: r.cohort_month == date(2025, 6, 1))
        self.assertEqual(alice_a.mapped("months_since"), list(range(13)))
        self.assertEqual(alice_a.filtered("active_customers").mapped("months_since"), [0, 7, 9])
        self.assertEqual(alice_a.filtered(lambda r: r.months_since == 7).month, date(2026, 1, 1))
        self.assertEqual(alice_a.company_id, self.company_a)
        self.assertEqual(alice_a.tier_id, self.tier_member)
        self.assertEqual(alice_a.user_id, self.sam)
        columns = self._by_months_since()
        # Month 0: every cohort, all active.
        self.assertEqual(columns[0], (6, 6, 100.0))
        # Month 1: all 6 cohorts reached it; B-Alice and A-Carol bought: 2 / 6.
        self.assertEqual(columns[1], (6, 2, 33.33))
        # Month 4: the cohorts up to 2026-02 reached it (5); A-Bob bought: 1 / 5.
        self.assertEqual(columns[4], (5, 1, 20.0))
        # Month 7: cohorts 2025-03, 2025-06 and 2025-09; A-Alice bought: 1 / 3.
        self.assertEqual(columns[7], (3, 1, 33.33))
        self.assertEqual(columns[15], (1, 0, 0.0))
        # A cohort's row total: its customers once, its share over the 13 months: 3 / 13.
        [(size, rate)] = self._report()._read_group(
            [("cohort_month", "=", "2025-06-01")], [], ["cohort_customers:sum",
                                                         "retention_rate:avg"],
        )
        self.assertEqual(size, 1)
        self.assertAlmostEqual(rate, 300 / 13)

    @freeze_time("2026-06-30 12:00:00")
    def test_cohort_filters(self):
        self._sell_data_set()
        # Company A: no B-Alice; month 1: A-Carol of 5 cohorts.
        columns = self._by_months_since([("company_id", "=", self.company_a.id)])
        self.assertEqual(columns[1], (5, 1, 20.0))
        # Members at their first order: A-Alice (Sales) and A-Bob (POS).
        columns = self._by_months_since([("tier_id", "=", self.tier_member.id)])
        self.assertEqual(columns[0], (2, 2, 100.0))
        self.assertEqual(columns[4], (2, 1, 50.0))
        # First shop: the POS shop acquired A-Bob only.
        columns = self._by_months_since([("config_id", "=", self.config.id)])
        self.assertEqual((columns[0], columns[4]), ((1, 1, 100.0), (1, 1, 100.0)))
        # Salesperson: Sam's first orders are Erin's, Alice's (A and B), Carol's and Dave's.
        columns = self._by_months_since([("user_id", "=", self.sam.id)])
        self.assertEqual(columns[1], (5, 2, 40.0))

    @freeze_time("2026-06-30 12:00:00")
    def test_cohort_access(self):
        self._sell_data_set()
        user = self._new_user(
            "retention_cohort_user", "base.group_user,customer_loyalty.group_loyalty_user",
            company=self.company_a,
        )
        seen = self._as(user, self.env["loyalty.cohort.report"]).search([])
        self.assertEqual(seen.company_id, self.company_a)
        self.assertEqual(len(seen), 16 + 13 + 10 + 5 + 4)
        with self.assertRaises(AccessError):
            self._as(self.cashier, self.env["loyalty.cohort.report"]).search([])
