from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPackageDemo(TransactionCase):
    """The demo shop's packages: An's 10 haircuts with 3 used, Ngọc's family gym year frozen."""

    def _package(self, xmlid):
        order = self.env.ref(f"customer_loyalty.{xmlid}", raise_if_not_found=False)
        if not order:
            self.skipTest("installed without demo data")
        return self.env["loyalty.package"].sudo().search(
            [("sale_line_id", "in", order.order_line.ids)]
        )

    def test_demo_packages(self):
        haircuts = self._package("demo_sale_order_an_package")
        self.assertEqual(len(haircuts), 1)
        self.assertEqual(haircuts.partner_id, self.env.ref("customer_loyalty.demo_partner_an"))
        self.assertEqual(
            (haircuts.uses_total, haircuts.uses_left, haircuts.state), (10, 7, "active")
        )
        gym = self._package("demo_sale_order_ngoc_package")
        self.assertEqual(gym.sharing, "family")
        member = self.env.ref("customer_loyalty.demo_partner_duc")
        self.assertEqual(gym.member_ids, member)
        used = gym.line_ids.filtered(lambda line: line.entry_type == "used")
        self.assertIn(member, used.partner_id)
        self.assertEqual(len(gym.freeze_ids), 1)
        self.assertEqual(gym.frozen_days, 21)
        # 12 months from the first use, the last day included, + 21 frozen days.
        self.assertEqual(
            gym.date_expiry,
            gym.date_start + relativedelta(months=12) - timedelta(days=1) + timedelta(days=21),
        )
        freeze = gym.freeze_ids
        self.assertEqual(freeze.date_to - freeze.date_from, timedelta(days=20))
