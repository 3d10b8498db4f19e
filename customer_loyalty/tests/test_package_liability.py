from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_package import PackageCommon


@tagged("post_install", "-at_install")
class TestPackageLiability(PackageCommon):
    """The liability report: the unused prepaid uses of active packages at the sold price.

    The report counts days from the database's today, so the packages are sold relative to it."""

    def _rows(self):
        self.env.flush_all()
        return self.env["loyalty.package.liability.report"].search(
            [("company_id", "=", self.company.id)]
        )

    def test_figures_by_package_and_product(self):
        today = fields.Date.context_today(self.Package)
        # 10 haircuts for 800 (80 a use), 3 used: 7 × 80 = 560.
        haircuts = self._sell(self.alice, self.pack_haircut, 800.0, today - timedelta(days=5))
        self._use(haircuts, self.alice, self.haircut, today - timedelta(days=4), quantity=3)
        # 10 haircuts for 700 (70 a use), not used: 700.
        second = self._sell(self.bob, self.pack_haircut, 700.0, today - timedelta(days=2))
        # Used up: nothing owed, not in the report.
        used_up = self._sell(self.carol, self.pack_haircut, 800.0, today - timedelta(days=2))
        self._use(used_up, self.carol, self.haircut, today - timedelta(days=1), quantity=10)
        # A gym year not used yet: all of its 3650.
        gym_new = self._sell(self.carol, self.pack_gym, 3650.0, today - timedelta(days=1))
        # A gym year of 365 days from its first use, 100 days ago (today is its 101st day):
        # 265 days left, 3650 × 265 / 365 = 2650.
        gym = self._sell(self.bob, self.pack_gym, 3650.0, today - timedelta(days=120))
        self._use(gym, self.bob, self.gym_visit, today - timedelta(days=100))
        gym.invalidate_recordset()
        total_days = (gym.date_expiry - gym.date_start).days + 1
        expected_gym = round(3650.0 * (total_days - 100) / total_days, 2)
        rows = self._rows()
        by_package = {row.package_id: row for row in rows}
        self.assertEqual(set(by_package), {haircuts, second, gym_new, gym})
        self.assertEqual(by_package[haircuts].uses_left, 7)
        self.assertEqual(by_package[haircuts].liability, 560.0)
        self.assertEqual(by_package[second].liability, 700.0)
        self.assertEqual(by_package[gym_new].liability, 3650.0)
        self.assertEqual(by_package[gym].days_left, total_days - 100)
        self.assertAlmostEqual(by_package[gym].liability, expected_gym, places=2)
        # The same rule as the refund value of the packages.
        refund = (haircuts | second | gym_new | gym)._loyalty_refund_value()
        for package, row in by_package.items():
            self.assertAlmostEqual(row.liability, refund[package.id], places=2)
        # Per product, as the pivot groups it.
        groups = dict(self.env["loyalty.package.liability.report"]._read_group(
            [("company_id", "=", self.company.id)], ["product_id"], ["liability:sum"]
        ))
        self.assertEqual(groups[self.pack_haircut], 1260.0)
        self.assertAlmostEqual(groups[self.pack_gym], 3650.0 + expected_gym, places=2)

    def test_other_company_and_access(self):
        today = fields.Date.context_today(self.Package)
        other = self.env["res.company"].create({"name": "Other Package Shop"})
        self._sell(self.alice, self.pack_haircut, 800.0, today, company=other)
        mine = self._sell(self.alice, self.pack_haircut, 800.0, today)
        user = self._new_user(
            "pkg_liability_user",
            "customer_loyalty.group_loyalty_user,sales_team.group_sale_salesman",
        )
        self.env.flush_all()
        rows = self.env["loyalty.package.liability.report"].with_user(user).search([])
        self.assertEqual(rows.package_id, mine, "the other company's package is not shown")
        portal = self._new_user("pkg_liability_portal", "base.group_portal")
        with self.assertRaises(AccessError):
            self.env["loyalty.package.liability.report"].with_user(portal).search([])
