import psycopg2

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, freeze_time, tagged

BOUGHT = "2026-04-03 09:00:00"
DAY = "2026-05-01 01:30:00"  # 30-day cycle: next 3 May, reminded from 30 April


@tagged("post_install", "-at_install")
class TestRepurchaseReminderConcurrency(TransactionCase):
    """Two repurchase runs at the same moment send one reminder: the second waits on the
    prediction's and the reminder's unique indexes held by the first, then, once the first is
    committed, fails (its snapshot is older than the first's commit) or creates nothing; its
    retry creates and sends nothing.

    The test needs two real transactions: a customer of the main company, a product with a
    cycle and a confirmed order are committed, and deleted at the end."""

    def setUp(self):
        super().setUp()
        self.ids = {}
        self.addCleanup(self._delete_committed_data)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})
            company = env.ref("base.main_company")
            env = env(context=dict(env.context, allowed_company_ids=company.ids))
            self.ids["company"] = company.id
            partner = env["res.partner"].create(
                {"name": "Repurchase Lock Test", "email": "repurchase.lock@example.com"}
            )
            self.ids["partner"] = partner.id
            product = env["product.product"].create({
                "name": "Repurchase Lock Vitamins", "type": "service", "list_price": 10.0,
                "loyalty_repurchase_days": 30,
            })
            self.ids["product"] = product.id
            order = env["sale.order"].create({
                "partner_id": partner.id, "company_id": company.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            })
            order.action_confirm()
            env.flush_all()
            cr.execute("UPDATE sale_order SET date_order = %s WHERE id = %s", [BOUGHT, order.id])

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})

    def _run(self, env):
        company = env["res.company"].browse(self.ids["company"])
        partner = env["res.partner"].browse(self.ids["partner"])
        with freeze_time(DAY):
            result = env["loyalty.repurchase.reminder"]._loyalty_run(company, partners=partner)
        return result["created"] | result["sent"]

    def _committed(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*), count(*) FILTER (WHERE state = 'sent') "
                "FROM loyalty_repurchase_reminder WHERE partner_id = %s",
                [self.ids["partner"]],
            )
            reminders, sent = cr.fetchone()
            cr.execute(
                "SELECT count(*) FROM mail_activity WHERE res_model = 'res.partner' "
                "AND res_id = %s", [self.ids["partner"]],
            )
            activities = cr.fetchone()[0]
            cr.execute(
                "SELECT count(*) FROM mail_mail m JOIN mail_message msg "
                "ON msg.id = m.mail_message_id WHERE msg.model = 'loyalty.repurchase.reminder' "
                "AND msg.res_id IN (SELECT id FROM loyalty_repurchase_reminder "
                "WHERE partner_id = %s)", [self.ids["partner"]],
            )
            return reminders, sent, activities, cr.fetchone()[0]

    def _delete_committed_data(self):
        if "partner" not in self.ids:
            return
        with self.registry.cursor() as cr:
            env = self._env(cr)
            partner_id = self.ids["partner"]
            cr.execute(
                "DELETE FROM mail_message WHERE model = 'loyalty.repurchase.reminder' "
                "AND res_id IN (SELECT id FROM loyalty_repurchase_reminder "
                "WHERE partner_id = %s)", [partner_id]
            )
            cr.execute("DELETE FROM loyalty_repurchase_reminder WHERE partner_id = %s",
                       [partner_id])
            cr.execute("DELETE FROM loyalty_repurchase_prediction WHERE partner_id = %s",
                       [partner_id])
            cr.execute("DELETE FROM mail_activity WHERE res_model = 'res.partner' AND res_id = %s",
                       [partner_id])
            cr.execute("SELECT id FROM sale_order WHERE partner_id = %s", [partner_id])
            order_ids = [row[0] for row in cr.fetchall()]
            cr.execute("DELETE FROM mail_message WHERE model = 'sale.order' AND res_id = ANY(%s)",
                       [order_ids])
            cr.execute("DELETE FROM sale_order WHERE id = ANY(%s)", [order_ids])
            cr.execute("DELETE FROM loyalty_tier_history WHERE partner_id = %s", [partner_id])
            env["loyalty.card"].with_context(active_test=False).search(
                [("partner_id", "=", partner_id)]
            ).unlink()
            env["mail.message"].search(
                [("model", "=", "res.partner"), ("res_id", "=", partner_id)]
            ).unlink()
            env["res.partner"].browse(partner_id).unlink()
            env["product.product"].browse(self.ids["product"]).product_tmpl_id.unlink()

    def test_second_run_waits_then_sends_nothing(self):
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            self.assertEqual(len(self._run(self._env(cr_a))), 1)
            cr_b.execute("SET LOCAL lock_timeout = '1s'")
            with self.assertRaises(psycopg2.errors.LockNotAvailable):
                self._run(self._env(cr_b))
            cr_b.rollback()
            cr_a.commit()
            self.assertFalse(self._run(self._env(cr_b)))
            cr_b.commit()
        finally:
            cr_a.close()
            cr_b.close()
        # One reminder, sent once: one activity and one e-mail.
        self.assertEqual(self._committed(), (1, 1, 1, 1))

    def test_run_with_an_older_snapshot_fails_and_sends_nothing(self):
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            cr_b.execute("SELECT 1")  # B's snapshot: before A's reminder
            self.assertEqual(len(self._run(self._env(cr_a))), 1)
            cr_a.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                self._run(self._env(cr_b))
            cr_b.rollback()
            self.assertFalse(self._run(self._env(cr_b)))
            cr_b.commit()
        finally:
            cr_a.close()
            cr_b.close()
        self.assertEqual(self._committed(), (1, 1, 1, 1))
