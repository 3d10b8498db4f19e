from datetime import date, datetime

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common_care import CareCommon


@tagged("post_install", "-at_install")
class TestCareSteps(CareCommon):
    """Each care step is journaled once per order and done on its day."""

    def test_step_at_once_and_after_n_days(self):
        order = self._order(self.alice, self.serum, "2026-03-02 09:00:00")
        result = self._run("2026-03-02")
        events = self._events(sale_order_id=order.id)
        # A serum (Hair / Serums): the three steps; due 2 March, 2 + 3 = 5 and 2 + 14 = 16 March.
        self.assertEqual(result["created"], events)
        self.assertEqual(
            {(e.step_id, e.due_date) for e in events},
            {(self.step_thanks, date(2026, 3, 2)), (self.step_check_in, date(2026, 3, 5)),
             (self.step_tip, date(2026, 3, 16))},
        )
        thanks = events.filtered(lambda e: e.step_id == self.step_thanks)
        self.assertEqual(result["done"], thanks)
        self.assertEqual(thanks.state, "done")
        self.assertEqual(thanks.mail_id.recipient_ids, self.alice)
        self.assertIn(order.name, thanks.mail_id.subject)
        self.assertIn("Care Test Serum", thanks.mail_id.body_html)
        # The membership and care unsubscribe footer.
        self.assertIn(self.alice._loyalty_unsubscribe_url("service"), thanks.mail_id.body_html)
        self.assertEqual(thanks.contacted_at, datetime(2026, 3, 2, 10, 0))
        self.assertEqual(
            thanks.campaign_id, self.env.ref("customer_loyalty.utm_campaign_after_sales_care")
        )
        self.assertEqual(thanks.source_id, self.step_thanks.source_id)
        self.assertEqual(thanks.medium_id, self.env.ref("utm.utm_medium_email"))
        self.assertEqual((events - thanks).mapped("state"), ["pending", "pending"])

        self.assertFalse(self._run("2026-03-04")["done"], "the check-in is due on 5 March")

        check_in = events.filtered(lambda e: e.step_id == self.step_check_in)
        self.assertEqual(self._run("2026-03-05")["done"], check_in)
        activity = check_in.activity_id
        self.assertEqual((activity.res_model, activity.res_id), ("sale.order", order.id))
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(activity.summary, "How is the hair?")
        self.assertEqual(activity.user_id, self.salesman, "the order's salesperson")
        self.assertEqual(activity.date_deadline, date(2026, 3, 5))
        self.assertEqual(check_in.medium_id, self.env.ref("utm.utm_medium_phone"))

        tip = events.filtered(lambda e: e.step_id == self.step_tip)
        self.assertFalse(self._run("2026-03-15")["done"])
        self.assertEqual(self._run("2026-03-16")["done"], tip)
        self.assertIn("Apply on damp hair.", tip.mail_id.body_html)
        self.assertEqual(order.loyalty_care_event_count, 3)
        self.assertEqual(self.alice.loyalty_care_event_count, 3)

    def test_a_late_run_catches_up(self):
        order = self._order(self.alice, self.serum, "2026-03-02 09:00:00")
        # The cron did not run for three weeks: everything is done at once.
        result = self._run("2026-03-23")
        self.assertEqual(len(result["done"]), 3)
        self.assertEqual(self._events(sale_order_id=order.id).mapped("state"), ["done"] * 3)

    def test_categories_or_all_orders(self):
        plain = self._order(self.bob, self.product, "2026-03-02 09:00:00")  # category All
        serum = self._order(self.carol, self.serum, "2026-03-02 09:00:00")  # Hair / Serums
        self._run("2026-03-02")
        self.assertEqual(self._events(sale_order_id=plain.id).step_id, self.step_thanks)
        self.assertEqual(
            self._events(sale_order_id=serum.id).step_id,
            self.step_thanks | self.step_check_in | self.step_tip,
        )

    def test_orders_before_the_step_or_of_another_company_get_nothing(self):
        old = self._order(self.alice, self.serum, "2025-12-31 23:00:00")  # before STEPS_FROM
        other_company = self.env["res.company"].create({"name": "Care Other Shop"})
        other = self.env["sale.order"].with_company(other_company).create({
            "partner_id": self.bob.id, "company_id": other_company.id,
            "order_line": [Command.create({"product_id": self.serum.id})],
        })
        other.action_confirm()
        self._run("2026-03-02")
        self.assertFalse(self._events(sale_order_id=old.id))
        self.assertFalse(
            self.env["loyalty.care.event"].search([("sale_order_id", "=", other.id)])
        )

    def test_each_step_once_per_order(self):
        order = self._order(self.alice, self.serum, "2026-03-02 09:00:00")
        first = self._run("2026-03-02")
        self.assertEqual((len(first["created"]), len(first["done"])), (3, 1))
        second = self._run("2026-03-02")
        self.assertFalse(second["created"] or second["done"] or second["skipped"])
        self._run("2026-03-05")
        self._run("2026-03-05")
        events = self._events(sale_order_id=order.id)
        self.assertEqual(len(events), 3)
        mails = self.env["mail.mail"].search(
            [("model", "=", "loyalty.care.event"), ("res_id", "in", events.ids)]
        )
        self.assertEqual(len(mails), 1, "one thank-you e-mail; the tip is not due")
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual(len(activities), 1)

    def test_cancelled_order_skips_its_steps(self):
        order = self._order(self.alice, self.serum, "2026-03-02 09:00:00")
        self._run("2026-03-02")
        order._action_cancel()
        result = self._run("2026-03-05")
        events = self._events(sale_order_id=order.id)
        check_in_tip = events.filtered(lambda e: e.step_id != self.step_thanks)
        self.assertEqual(result["skipped"], check_in_tip)
        self.assertEqual(check_in_tip.mapped("skip_reason"), ["cancelled", "cancelled"])
        self.assertFalse(result["done"])
        self.assertFalse(self.env["mail.activity"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        ))
        # Cancelled before any run: no care at all.
        cancelled = self._order(self.bob, self.serum, "2026-03-05 09:00:00")
        cancelled._action_cancel()
        self._run("2026-03-05")
        self.assertFalse(self._events(sale_order_id=cancelled.id))

    def test_email_opt_out_skips_the_email_not_the_call(self):
        self._opt_out(self.alice, "email")
        self.env["mail.blacklist"]._add(self.bob.email)
        orders = {p: self._order(p, self.serum, "2026-03-02 09:00:00")
                  for p in self.alice | self.bob | self.carol}
        self._run("2026-03-05")
        for partner, order in orders.items():
            events = self._events(sale_order_id=order.id)
            thanks = events.filtered(lambda e: e.step_id == self.step_thanks)
            check_in = events.filtered(lambda e: e.step_id == self.step_check_in)
            if partner == self.carol:
                self.assertEqual(thanks.state, "done")
                self.assertTrue(thanks.mail_id)
            else:
                self.assertEqual((thanks.state, thanks.skip_reason), ("skipped", "no_consent"))
                self.assertFalse(thanks.mail_id)
            self.assertEqual(check_in.state, "done", f"{partner.name} still gets the call")
            self.assertTrue(check_in.activity_id)

    def test_call_opt_out_skips_the_call_not_the_email(self):
        self.alice.phone = "+84 90 312 4501"
        self._opt_out(self.alice, "call")
        self.bob.phone = "+84 90 312 4502"
        self.env["phone.blacklist"]._add([self.bob.phone_sanitized])
        orders = {p: self._order(p, self.serum, "2026-03-02 09:00:00")
                  for p in self.alice | self.bob | self.carol}
        self._run("2026-03-05")
        for partner, order in orders.items():
            events = self._events(sale_order_id=order.id)
            thanks = events.filtered(lambda e: e.step_id == self.step_thanks)
            check_in = events.filtered(lambda e: e.step_id == self.step_check_in)
            self.assertEqual(thanks.state, "done", f"{partner.name} gets the e-mail")
            if partner == self.carol:  # no phone, not opted out: the salesperson may write
                self.assertEqual(check_in.state, "done")
            else:
                self.assertEqual((check_in.state, check_in.skip_reason),
                                 ("skipped", "no_consent"))
                self.assertFalse(check_in.activity_id)

    def test_activity_assignee_fallbacks(self):
        order = self._order(self.alice, self.serum, "2026-03-02 09:00:00")
        order.user_id = False
        self.company.loyalty_reminder_user_id = self.manager
        self._run("2026-03-05")
        check_in = self._events(sale_order_id=order.id, step_id=self.step_check_in.id)
        # No salesperson on the order nor the customer, none on their other orders: the
        # company's default salesperson for reminders.
        self.assertEqual(check_in.activity_id.user_id, self.manager)

    def test_delivered_step(self):
        step = self.env["loyalty.care.step"].create({
            "name": "Care Test Delivered", "company_id": self.company.id,
            "trigger": "sale_delivered", "delay_days": 2, "action": "email",
            "date_from": "2026-01-01 00:00:00",
            "mail_template_id": self.env.ref("customer_loyalty.mail_template_care_tip").id,
        })
        goods = self.env["product.product"].create({
            "name": "Care Test Dryer", "type": "consu", "is_storable": False,
            "list_price": 30.0, "taxes_id": [Command.clear()],
        })
        service = self._order(self.alice, self.serum, "2026-03-02 09:00:00")
        shipped = self._order(self.bob, goods, "2026-03-02 09:00:00")
        self.assertTrue(shipped.picking_ids, "goods are delivered by a transfer")
        self._run("2026-03-02")
        # A service-only order is delivered when confirmed: due 2 + 2 = 4 March.
        self.assertEqual(
            self._events(sale_order_id=service.id, step_id=step.id).due_date, date(2026, 3, 4)
        )
        self.assertFalse(self._events(sale_order_id=shipped.id, step_id=step.id),
                         "not delivered yet")
        picking = shipped.picking_ids
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        with freeze_time("2026-03-06 15:00:00"):
            picking._action_done()
        self.assertEqual(shipped.delivery_status, "full")
        self._run("2026-03-07")
        event = self._events(sale_order_id=shipped.id, step_id=step.id)
        self.assertEqual((event.due_date, event.state), (date(2026, 3, 8), "pending"))
