from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_package import PackageCommon


@tagged("post_install", "-at_install")
class TestPackageRenewal(PackageCommon):
    """A monthly gym membership: 7 days before a month ends, the next month's quotation is
    made, once; a paused or ended renewal gets none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({
            "loyalty_package_renewal_days": 7,
            "loyalty_package_notice_uses": 0, "loyalty_package_notice_days": 0,
        })
        cls.gym_month = cls.env["product.product"].create({
            "name": "Gym Month", "type": "service", "list_price": 400.0,
            "taxes_id": [Command.clear()],
            "loyalty_package_ok": True, "loyalty_package_uses": 0,
            "loyalty_package_validity": 1, "loyalty_package_validity_unit": "month",
            "loyalty_package_validity_start": "sale",
            "loyalty_package_categ_ids": [Command.set(cls.gym_categ.ids)],
            "loyalty_package_renewing": True,
        })

    def _renew(self, day):
        with freeze_time(day):
            renewed = self.Package._loyalty_package_renew(date.fromisoformat(day))
        return renewed.filtered(lambda package: package.company_id == self.company)

    def test_next_period_offered_once_before_the_end(self):
        # January: valid until the 31st; offered on the 24th.
        january = self._sell(self.alice, self.gym_month, 400.0, "2026-01-01")
        self.assertEqual(january.date_expiry, date(2026, 1, 31))
        self.assertFalse(self._renew("2026-01-23"))
        self.assertEqual(self._renew("2026-01-24"), january)
        order = january.renewal_order_id
        self.assertEqual((order.state, order.partner_id), ("draft", self.alice))
        self.assertEqual(order.order_line.product_id, self.gym_month)
        self.assertEqual(order.order_line.price_unit, 400.0)
        self.assertFalse(self._renew("2026-01-24"), "a second run the same day")
        self.assertFalse(self._renew("2026-01-30"))
        self.assertEqual(self.env["sale.order"].search_count([("origin", "=", january.name)]), 1)
        self.assertTrue(january.message_ids.filtered(
            lambda m: f"Next period offered: {order.name} (this one ends on 2026-01-31)" in m.body
        ))
        # Its confirmation sells February (as the sales flow issues a package), itself renewed
        # once before its own end.
        february = self._sell(self.alice, self.gym_month, 400.0, "2026-02-01",
                              line=order.order_line)
        self.assertEqual(february.date_expiry, date(2026, 2, 28))
        self.assertEqual(february.renewal_state, "running")
        self.assertEqual(self._renew("2026-02-21"), february)
        self.assertNotEqual(february.renewal_order_id, order)
        self.assertFalse(self._renew("2026-02-22"))

    def test_paused_or_ended_renewal_gets_no_period(self):
        paused = self._sell(self.alice, self.gym_month, 400.0, "2026-01-01")
        ended = self._sell(self.bob, self.gym_month, 400.0, "2026-01-01")
        paused.action_loyalty_renewal_pause()
        ended.action_loyalty_renewal_end()
        self.assertFalse(self._renew("2026-01-25"))
        self.assertFalse(paused.renewal_order_id | ended.renewal_order_id)
        with self._refused(UserError, "ended renewal cannot restart"):
            ended.action_loyalty_renewal_resume()
        paused.action_loyalty_renewal_resume()
        self.assertEqual(self._renew("2026-01-26"), paused)
        self.assertEqual(ended.renewal_state, "ended")

    def test_not_renewing_and_rights(self):
        haircuts = self._sell(self.alice, self.pack_haircut, 800.0, "2026-01-01")
        self.assertFalse(self._renew("2026-06-25"), "a package that does not renew")
        with self._refused(UserError, "Only a package that renews"):
            haircuts.action_loyalty_renewal_pause()
        month = self._sell(self.alice, self.gym_month, 400.0, "2026-01-01")
        cashier = self._new_user("pkg_renewal_cashier", "point_of_sale.group_pos_user")
        with self.assertRaises(AccessError):
            self._as(cashier, month).action_loyalty_renewal_end()
        self.assertEqual(month.renewal_state, "running")
        salesperson = self._new_user("pkg_renewal_salesperson", "sales_team.group_sale_salesman")
        self._as(salesperson, month).action_loyalty_renewal_pause()
        self.assertEqual(month.renewal_state, "paused")
