import psycopg2

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestCareConcurrency(TransactionCase):
    """Two care runs at the same moment do a step once: the second waits on the unique index
    entries of the first's events, then, once the first is committed, fails (its snapshot is
    older than the first's commit) or finds them; its retry creates and sends nothing.

    The test needs two real transactions: a customer of the main company, a thank-you step and
    a confirmed order are committed, and deleted at the end."""

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
                {"name": "Care Lock Test", "email": "care.lock@example.com"}
            )
            self.ids["partner"] = partner.id
            product = env["product.product"].create(
                {"name": "Care Lock Product", "type": "service", "list_price": 10.0}
            )
            self.ids["product"] = product.id
            order = env["sale.order"].create({
                "partner_id": partner.id, "company_id": company.id,
                "order_line": [Command.create({"product_id": product.id})],
            })
            order.action_confirm()
            self.ids["order"] = order.id
            # From this order on: the other orders of the main company are not ours to care for.
            step = env["loyalty.care.step"].create({
                "name": "Care Lock Thank You", "company_id": company.id,
                "trigger": "sale_confirmed", "delay_days": 0, "action": "email",
                "date_from": order.date_order,
                "mail_template_id": env.ref("customer_loyalty.mail_template_care_thank_you").id,
            })
            self.ids["step"] = step.id

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})

    def _run(self, env):
        company = env["res.company"].browse(self.ids["company"])
        result = env["loyalty.care.event"]._loyalty_care_run(company)
        return (result["created"] | result["done"]).filtered(
            lambda e: e.step_id.id == self.ids["step"]
        )

    def _committed(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*), count(*) FILTER (WHERE state = 'done') "
                "FROM loyalty_care_event WHERE step_id = %s", [self.ids["step"]],
            )
            events, done = cr.fetchone()
            cr.execute(
                "SELECT count(*) FROM mail_mail m JOIN mail_message msg "
                "ON msg.id = m.mail_message_id WHERE msg.model = 'loyalty.care.event' "
                "AND msg.res_id IN (SELECT id FROM loyalty_care_event WHERE step_id = %s)",
                [self.ids["step"]],
            )
            return events, done, cr.fetchone()[0]

    def _delete_committed_data(self):
        if "partner" not in self.ids:
            return
        with self.registry.cursor() as cr:
            env = self._env(cr)
            partner_id = self.ids["partner"]
            cr.execute("SELECT id FROM loyalty_card WHERE partner_id = %s", [partner_id])
            card_ids = [row[0] for row in cr.fetchall()]
            cr.execute("SELECT id FROM loyalty_care_event WHERE partner_id = %s", [partner_id])
            event_ids = [row[0] for row in cr.fetchall()]
            cr.execute(
                "DELETE FROM mail_message WHERE (model = 'loyalty.care.event' AND res_id = ANY(%s))"
                " OR (model = 'loyalty.card' AND res_id = ANY(%s))"
                " OR (model IN ('sale.order', 'res.partner') AND res_id IN ("
                "     SELECT id FROM sale_order WHERE partner_id = %s UNION SELECT %s))",
                [event_ids, card_ids, partner_id, partner_id],
            )
            cr.execute("DELETE FROM loyalty_care_event WHERE partner_id = %s", [partner_id])
            cr.execute("DELETE FROM loyalty_care_step WHERE id = %s RETURNING source_id",
                       [self.ids["step"]])
            source_ids = [row[0] for row in cr.fetchall()]
            cr.execute("DELETE FROM utm_source WHERE id = ANY(%s)", [source_ids])
            cr.execute("DELETE FROM mail_activity WHERE res_model = 'sale.order' AND res_id = %s",
                       [self.ids["order"]])
            cr.execute("DELETE FROM sale_order WHERE partner_id = %s", [partner_id])
            cr.execute("DELETE FROM loyalty_tier_history WHERE partner_id = %s", [partner_id])
            env["loyalty.card"].with_context(active_test=False).browse(card_ids).unlink()
            env["res.partner"].browse(partner_id).unlink()
            env["product.product"].browse(self.ids["product"]).product_tmpl_id.unlink()

    def test_second_run_waits_then_does_nothing(self):
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
        # One event, done once: one e-mail.
        self.assertEqual(self._committed(), (1, 1, 1))

    def test_run_with_an_older_snapshot_fails_and_does_nothing(self):
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            cr_b.execute("SELECT 1")  # B's snapshot: before A's event
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
        self.assertEqual(self._committed(), (1, 1, 1))
