from datetime import date, timedelta

import psycopg2

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged

# Committed runs expire for real: today, a package sold 200 days ago (6 months), so nothing
# else (the demo's packages are younger) is closed by them.
TODAY = date.today()


@tagged("post_install", "-at_install")
class TestPackageExpiryConcurrency(TransactionCase):
    """Two expiry runs at once (two crons, or a cron and a retry) close a package once: the
    second waits on the close's unique index, then writes nothing (or fails, with an older
    snapshot), and its retry writes nothing. The same for the notices' markers.

    It needs two real transactions: a package of the main company, sold 200 days ago (valid
    6 months), is committed and deleted at the end."""

    def setUp(self):
        super().setUp()
        self.ids = {}
        self.addCleanup(self._delete_committed_data)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            company = env.ref("base.main_company")
            env = env(context=dict(env.context, allowed_company_ids=company.ids))
            partner = env["res.partner"].create({"name": "Package Lock Test Member"})
            self.ids["partner"] = partner.id
            service = env["product.product"].create(
                {"name": "Package Lock Test Service", "type": "service"}
            )
            self.ids["service"] = service.id
            product = env["product.product"].create({
                "name": "Package Lock Test 10 Uses", "type": "service",
                "loyalty_package_product_ids": [Command.set(service.ids)],
                "loyalty_package_ok": True, "loyalty_package_uses": 10,
                "loyalty_package_validity": 6, "loyalty_package_validity_unit": "month",
                "loyalty_package_validity_start": "sale",
            })
            self.ids["product"] = product.id
            order = env["sale.order"].create({
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": product.id, "price_unit": 500})],
            })
            self.ids["order"] = order.id
            package = env["loyalty.package"]._loyalty_package_issue([{
                "partner": partner, "product": product, "company": company,
                "currency": company.currency_id, "amount": 500.0,
                "date": TODAY - timedelta(days=200),
                "origin": order.name, "sale_line": order.order_line, "rank": 0,
            }])
            self.ids["package"] = package.id

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})

    def _expire(self, env):
        expired = env["loyalty.package"]._loyalty_package_expire(TODAY)
        return expired.filtered(lambda package: package.id == self.ids["package"])

    def _closing_lines(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*), COALESCE(SUM(quantity), 0) FROM loyalty_package_line "
                "WHERE package_id = %s AND entry_type = 'expired'",
                [self.ids["package"]],
            )
            return cr.fetchone()

    def _delete_committed_data(self):
        if "package" not in self.ids:
            return
        with self.registry.cursor() as cr:
            env = self._env(cr)
            # Packages and their ledger cannot be deleted through the ORM (on purpose).
            cr.execute("DELETE FROM loyalty_package_line WHERE package_id = %s",
                       [self.ids["package"]])
            cr.execute("DELETE FROM loyalty_package WHERE id = %s", [self.ids["package"]])
            env["mail.message"].search(
                [("model", "=", "loyalty.package"), ("res_id", "=", self.ids["package"])]
            ).unlink()
            env["sale.order"].browse(self.ids["order"]).unlink()
            env["product.product"].browse(
                [self.ids["product"], self.ids["service"]]
            ).product_tmpl_id.unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()

    def test_second_run_waits_then_expires_nothing(self):
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            self.assertTrue(self._expire(self._env(cr_a)))
            cr_b.execute("SET LOCAL lock_timeout = '1s'")
            with self.assertRaises(psycopg2.errors.LockNotAvailable):
                self._expire(self._env(cr_b))
            cr_b.rollback()
            cr_a.commit()
            self.assertFalse(self._expire(self._env(cr_b)))
            cr_b.commit()
        finally:
            cr_a.close()
            cr_b.close()
        self.assertEqual(self._closing_lines(), (1, -10))

    def test_run_with_an_older_snapshot_fails_and_expires_nothing(self):
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            cr_b.execute("SELECT 1")  # B's snapshot: before A's close
            self.assertTrue(self._expire(self._env(cr_a)))
            cr_a.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                self._expire(self._env(cr_b))
            cr_b.rollback()
            self.assertFalse(self._expire(self._env(cr_b)))
            cr_b.commit()
        finally:
            cr_a.close()
            cr_b.close()
        self.assertEqual(self._closing_lines(), (1, -10))
