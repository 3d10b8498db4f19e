from datetime import date

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged

from .common_retention import RetentionCommon


def months_sum(q, horizon):
    """q + q^2 + ... + q^horizon, term by term (the report uses the closed form)."""
    return sum(q ** k for k in range(1, horizon + 1))


@tagged("post_install", "-at_install")
class TestRetentionClv(RetentionCommon):
    """Customer lifetime value on the data set of ``RetentionCommon``, seen on 2026-06-30.

    Retention estimate of company A: of its customers of 2024-07-01..2025-06-30 (Erin,
    Alice), those who bought in 2025-07-01..2026-06-30 (Alice): 1 / 2. Company B has no
    customer before 2025-07-01: no estimate, no projection.
    Projected value = margin x annual value / 12 x (q + ... + q^H), q = (r / (1 + d))^(1/12);
    annual value = historical / max(1, days since the first order / 365)."""

    def _rows(self):
        Report = self.env["loyalty.clv.report"].with_context(
            allowed_company_ids=(self.company_a | self.company_b).ids
        )
        return {(row.company_id, row.partner_id): row for row in Report.search([])}

    @freeze_time("2026-06-30 12:00:00")
    def test_lifetime_value(self):
        self._sell_data_set()
        rows = self._rows()
        a, b = self.company_a, self.company_b
        self.assertEqual(set(rows), {(a, self.alice), (a, self.bob), (a, self.carol),
                                     (a, self.dave), (a, self.erin), (b, self.alice)})
        # Defaults: 24 months, 30 % margin, no discount; r = 0.5.
        factor = 0.3 / 12 * months_sum(0.5 ** (1 / 12), 24)
        alice_annual = 540 * 365 / 385    # 2025-06-10 -> 2026-06-30: 385 days
        erin_annual = 40 * 365 / 486      # 2025-03-01 -> 2026-06-30: 486 days
        expected = {
            # historical: net revenue of all orders; Bob: P1 100 + P3 50 + P4 0 (refunded)
            (a, self.alice): (4, 540.0, 135.0, alice_annual, date(2025, 6, 10),
                              date(2026, 3, 3)),
            (a, self.bob): (2, 150.0, 75.0, 150.0, date(2025, 9, 5), date(2026, 1, 25)),
            (a, self.carol): (2, 170.0, 85.0, 170.0, date(2026, 2, 15), date(2026, 3, 20)),
            (a, self.dave): (1, 400.0, 400.0, 400.0, date(2026, 3, 10), date(2026, 3, 10)),
            (a, self.erin): (1, 40.0, 40.0, erin_annual, date(2025, 3, 1), date(2025, 3, 1)),
        }
        for key, (orders, historical, aov, annual, first, last) in expected.items():
            row = rows[key]
            self.assertEqual((row.orders, row.first_order_date, row.last_order_date),
                             (orders, first, last), key[1].name)
            self.assertAlmostEqual(row.historical_value, historical, places=2)
            self.assertAlmostEqual(row.aov, aov, places=2)
            self.assertAlmostEqual(row.annual_value, annual, places=2)
            self.assertAlmostEqual(row.retention_estimate, 50.0, places=2)
            self.assertEqual(row.horizon_months, 24)
            self.assertTrue(row.is_projected)
            self.assertAlmostEqual(row.projected_value, annual * factor, places=2, msg=key)
            self.assertAlmostEqual(row.lifetime_value, historical + annual * factor, places=2)
        self.assertEqual(rows[(a, self.alice)].tier_id, self.tier_member)
        self.assertFalse(rows[(a, self.carol)].tier_id)
        self.assertEqual(rows[(a, self.bob)].config_id, self.config)
        b_alice = rows[(b, self.alice)]
        self.assertEqual((b_alice.orders, b_alice.historical_value, b_alice.lifetime_value),
                         (2, 570.0, 570.0))
        self.assertFalse(b_alice.projected_value)
        self.assertFalse(b_alice.is_projected)
        self.assertFalse(b_alice.retention_estimate)
        # Grouped: the average order value of company A is 1,300 / 10 orders.
        [(historical, aov)] = self.env["loyalty.clv.report"]._read_group(
            [("company_id", "=", a.id)], [], ["historical_value:sum", "aov:avg"]
        )
        self.assertAlmostEqual(historical, 1300.0)   # 540 + 150 + 170 + 400 + 40
        self.assertAlmostEqual(aov, 130.0)

    @freeze_time("2026-06-30 12:00:00")
    def test_settings(self):
        self._sell_data_set()
        self.company_a.write({"loyalty_clv_horizon_months": 12, "loyalty_clv_margin": 40.0,
                              "loyalty_clv_discount_rate": 10.0})
        dave = self._rows()[(self.company_a, self.dave)]
        # 0.4 x 400 / 12 x (q + ... + q^12), q = (0.5 / 1.1)^(1/12)
        expected = 0.4 * 400 / 12 * months_sum((0.5 / 1.1) ** (1 / 12), 12)
        self.assertAlmostEqual(dave.projected_value, expected, places=2)
        self.assertEqual(dave.horizon_months, 12)
        for values in ({"loyalty_clv_horizon_months": 0}, {"loyalty_clv_margin": 120.0},
                       {"loyalty_clv_discount_rate": -1.0}):
            with self.assertRaises(ValidationError), self.cr.savepoint():
                self.company_a.write(values)

    @freeze_time("2026-06-30 12:00:00")
    def test_access(self):
        self._sell_data_set()
        user = self._new_user(
            "retention_clv_user", "base.group_user,customer_loyalty.group_loyalty_user",
            company=self.company_a,
        )
        seen = self._as(user, self.env["loyalty.clv.report"]).search([])
        self.assertEqual(len(seen), 5)
        self.assertEqual(seen.company_id, self.company_a)
        with self.assertRaises(AccessError):
            self._as(self.cashier, self.env["loyalty.clv.report"]).search([])
