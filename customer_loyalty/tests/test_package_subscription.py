from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common_package import PackageCommon


@tagged("post_install", "-at_install")
class TestPackageSubscription(PackageCommon):
    """A monthly gym membership as a subscription of OCA's ``subscription_oca``: the sales order
    that starts it sells the first month's package; each next month the subscription invoices,
    and the month's package is issued when that invoice is paid, once. A closed subscription
    invoices, and so issues, nothing more.

    Figures: "Gym Month" sold for 500 a month, unlimited visits for 1 month from the sale."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company, install_demo=False
        )
        cls.monthly = cls.env["sale.subscription.template"].create({
            "name": "Monthly membership",
            "recurring_interval": 1,
            "recurring_rule_type": "months",
            "invoicing_mode": "invoice",
        })
        cls.gym_month = cls.env["product.product"].create({
            "name": "Gym Month", "type": "service", "list_price": 500.0,
            "taxes_id": [Command.clear()],
            "loyalty_package_ok": True, "loyalty_package_uses": 0,
            "loyalty_package_validity": 1, "loyalty_package_validity_unit": "month",
            "loyalty_package_validity_start": "sale",
            "loyalty_package_categ_ids": [Command.set(cls.gym_categ.ids)],
            "subscribable": True, "subscription_template_id": cls.monthly.id,
        })

    def _packages(self):
        return self.Package.search(
            [("partner_id", "=", self.alice.id), ("product_id", "=", self.gym_month.id)]
        ).sorted("id")

    def _pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_each_paid_month_issues_its_package_once(self):
        with freeze_time("2026-03-01"):
            order = self.env["sale.order"].create({
                "partner_id": self.alice.id,
                "order_line": [Command.create({
                    "product_id": self.gym_month.id, "tax_id": [Command.clear()],
                })],
            })
            order.action_confirm()
        subscription = order.subscription_ids
        self.assertEqual(len(subscription), 1)
        first = self._packages()
        self.assertEqual(len(first), 1, "the order sells March")
        self.assertEqual(first.date_start, first.date_sale)
        self.assertEqual(str(first.date_expiry), "2026-03-31")

        # April: the subscription invoices; nothing is issued before the invoice is paid.
        with freeze_time("2026-04-01"):
            subscription.recurring_next_date = "2026-04-01"
            self.env["sale.subscription"].cron_subscription_management()
            invoice = subscription.invoice_ids
            self.assertEqual(len(invoice), 1)
            self.assertEqual(invoice.state, "posted")
            self.assertEqual(self._packages(), first)
            self._pay(invoice)
        april = self._packages() - first
        self.assertEqual(len(april), 1)
        self.assertRecordValues(april, [{
            "amount": 500.0, "date_sale": invoice.invoice_date, "invoice_line_id":
            invoice.invoice_line_ids.id, "origin": invoice.name, "state": "active",
        }])
        self.assertEqual(str(april.date_expiry), "2026-04-30")
        # The paid hook again (a payment undone and made again): still one April.
        invoice._invoice_paid_hook()
        self.assertEqual(len(self._packages()), 2)

        # Closed in April: May invoices nothing, and issues no package.
        subscription.close_subscription()
        with freeze_time("2026-05-01"):
            self.env["sale.subscription"].cron_subscription_management()
        self.assertEqual(len(subscription.invoice_ids), 1)
        self.assertEqual(len(self._packages()), 2)

    def test_other_invoices_issue_nothing(self):
        # A package product invoiced outside a subscription is sold by its order, not here.
        with freeze_time("2026-03-01"):
            order = self.env["sale.order"].create({
                "partner_id": self.bob.id,
                "order_line": [Command.create({
                    "product_id": self.pack_haircut.id, "price_unit": 800.0,
                    "tax_id": [Command.clear()],
                })],
            })
            order.action_confirm()
            invoice = order._create_invoices()
            invoice.action_post()
            self._pay(invoice)
        packages = self.Package.search([("partner_id", "=", self.bob.id)])
        self.assertEqual(len(packages), 1, "sold once, by the order")
        self.assertFalse(packages.invoice_line_id)
