from odoo.tests import tagged

from .common_pos import PosPointsCommon


@tagged("post_install", "-at_install")
class TestCarePos(PosPointsCommon):
    """A POS order paid (synced by the cashier with ``sync_from_ui``) triggers the POS steps."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"loyalty_quiet_hours": False, "loyalty_welcome_mail": False})
        Step = cls.env["loyalty.care.step"]
        cls.step_pos = Step.create({
            "name": "Care POS Thank You", "company_id": cls.company.id, "trigger": "pos_paid",
            "delay_days": 0, "action": "email", "date_from": "2026-01-01 00:00:00",
            "mail_template_id": cls.env.ref("customer_loyalty.mail_template_care_thank_you").id,
        })
        cls.step_call = Step.create({
            "name": "Care POS Check-in", "company_id": cls.company.id, "trigger": "pos_paid",
            "delay_days": 2, "action": "activity", "date_from": "2026-01-01 00:00:00",
            "activity_type_id": cls.env.ref("mail.mail_activity_data_call").id,
        })
        cls.step_sale = Step.create({
            "name": "Care Sales Only", "company_id": cls.company.id,
            "trigger": "sale_confirmed", "delay_days": 0, "action": "email",
            "date_from": "2026-01-01 00:00:00",
            "mail_template_id": cls.env.ref("customer_loyalty.mail_template_care_thank_you").id,
        })

    def _run(self, days=0):
        today = self.env.cr.now().date()
        return self.env["loyalty.care.event"]._loyalty_care_run(
            self.company, today=today.fromordinal(today.toordinal() + days)
        )

    def test_pos_order_triggers_the_pos_steps(self):
        order = self._sell(self.alice, [(self.lamp, 1)])
        anonymous = self._sell(False, [(self.pen, 1)])
        result = self._run()
        events = self.env["loyalty.care.event"].search([("pos_order_id", "=", order.id)])
        self.assertEqual(events.step_id, self.step_pos | self.step_call)
        self.assertEqual(result["created"], events, "no event for a customer-less order")
        self.assertFalse(
            self.env["loyalty.care.event"].search([("pos_order_id", "=", anonymous.id)])
        )
        thanks = events.filtered(lambda e: e.step_id == self.step_pos)
        self.assertEqual(result["done"], thanks)
        self.assertEqual(thanks.mail_id.recipient_ids, self.alice)
        self.assertIn(order.name, thanks.mail_id.subject)
        self.assertIn("Loyalty Lamp", thanks.mail_id.body_html)
        self.assertEqual(order.loyalty_care_event_count, 2)

        call = events - thanks
        self.assertFalse(self._run(1)["done"])
        self.assertEqual(self._run(2)["done"], call)
        # A POS order has no activities: the call is planned on the customer.
        self.assertEqual((call.activity_id.res_model, call.activity_id.res_id),
                         ("res.partner", self.alice.id))

    def test_refund_and_second_run_trigger_nothing(self):
        order = self._sell(self.alice, [(self.lamp, 1)])
        self._run()
        refund = self._sync(self._refund_data(order, {order.lines: 1}, customer=self.alice))
        result = self._run()
        self.assertFalse(result["created"] or result["done"])
        self.assertFalse(
            self.env["loyalty.care.event"].search([("pos_order_id", "=", refund.id)])
        )
        mails = self.env["mail.mail"].search([
            ("model", "=", "loyalty.care.event"),
            ("res_id", "in", self.env["loyalty.care.event"].search(
                [("pos_order_id", "=", order.id)]).ids),
        ])
        self.assertEqual(len(mails), 1)
