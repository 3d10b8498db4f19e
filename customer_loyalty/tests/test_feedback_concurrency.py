import psycopg2

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, freeze_time, tagged

BOUGHT = "2030-01-01 09:00:00"
DAY = "2030-01-03 10:00:00"  # 2 days later: CSAT and NPS due


@tagged("post_install", "-at_install")
class TestFeedbackConcurrency(TransactionCase):
    """Two feedback runs at the same moment ask once: the second waits on the unique index
    entries of the first, then fails (its snapshot is older than the first's commit) or
    inserts nothing; its retry asks and e-mails nothing.

    The test needs two real transactions: a customer of the main company and a confirmed
    order are committed, and deleted at the end."""

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
                {"name": "Feedback Lock Test", "email": "feedback.lock@example.com"}
            )
            self.ids["partner"] = partner.id
            product = env["product.product"].create(
                {"name": "Feedback Lock Service", "type": "service", "list_price": 10.0}
            )
            self.ids["product"] = product.id
            order = env["sale.order"].create({
                "partner_id": partner.id, "company_id": company.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            })
            order.action_confirm()
            env.flush_all()
            cr.execute("UPDATE sale_order SET date_order = %s WHERE id = %s", [BOUGHT, order.id])
            self.ids["order"] = order.id

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})

    def _run(self, env):
        company = env["res.company"].browse(self.ids["company"])
        with freeze_time(DAY):
            return env["loyalty.feedback.request"]._loyalty_run(company).filtered(
                lambda r: r.sale_order_id.id == self.ids["order"]
            )

    def _committed(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM loyalty_feedback_request WHERE sale_order_id = %s",
                [self.ids["order"]],
            )
            requests = cr.fetchone()[0]
            cr.execute(
                "SELECT count(*) FROM mail_mail m JOIN mail_message msg "
                "ON msg.id = m.mail_message_id WHERE msg.model = 'loyalty.feedback.request' "
                "AND msg.res_id IN (SELECT id FROM loyalty_feedback_request "
                "WHERE sale_order_id = %s)", [self.ids["order"]],
            )
            return requests, cr.fetchone()[0]

    def _delete_committed_data(self):
        if "order" not in self.ids:
            return
        with self.registry.cursor() as cr:
            env = self._env(cr)
            partner_id = self.ids["partner"]
            cr.execute(
                "DELETE FROM mail_message WHERE model = 'loyalty.feedback.request' "
                "AND res_id IN (SELECT id FROM loyalty_feedback_request "
                "WHERE partner_id = %s)", [partner_id]
            )
            cr.execute("DELETE FROM loyalty_feedback_request WHERE partner_id = %s",
                       [partner_id])
            cr.execute("DELETE FROM mail_message WHERE model = 'sale.order' AND res_id = %s",
                       [self.ids["order"]])
            cr.execute("DELETE FROM sale_order WHERE id = %s", [self.ids["order"]])
            cr.execute("DELETE FROM loyalty_tier_history WHERE partner_id = %s", [partner_id])
            env["loyalty.card"].with_context(active_test=False).search(
                [("partner_id", "=", partner_id)]
            ).unlink()
            env["mail.message"].search(
                [("model", "=", "res.partner"), ("res_id", "=", partner_id)]
            ).unlink()
            env["res.partner"].browse(partner_id).unlink()
            env["product.product"].browse(self.ids["product"]).product_tmpl_id.unlink()

    def test_second_run_waits_then_asks_nothing(self):
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            self.assertEqual(self._run(self._env(cr_a)).mapped("scale"), ["csat", "nps"])
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
        # Two questions, one e-mail.
        self.assertEqual(self._committed(), (2, 1))

    def test_run_with_an_older_snapshot_fails_and_asks_nothing(self):
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            cr_b.execute("SELECT 1")  # B's snapshot: before A's requests
            self.assertEqual(len(self._run(self._env(cr_a))), 2)
            cr_a.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                self._run(self._env(cr_b))
            cr_b.rollback()
            self.assertFalse(self._run(self._env(cr_b)))
            cr_b.commit()
        finally:
            cr_a.close()
            cr_b.close()
        self.assertEqual(self._committed(), (2, 1))
