from datetime import timedelta

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestCareDemo(TransactionCase):
    """The demo's after-sales care: Nguyễn Văn An's massage and hair serum of the day before the
    install were thanked at once; the spa check-in call (3 days) and the hair-care tip (14 days)
    are pending."""

    def test_demo_order_care(self):
        order = self.env.ref("customer_loyalty.demo_sale_order_care_an", raise_if_not_found=False)
        if not order:
            self.skipTest("installed without demo data")
        events = self.env["loyalty.care.event"].search([("sale_order_id", "=", order.id)])
        by_step = {event.step_id: event for event in events}
        ref = self.env.ref
        thanks = by_step[ref("customer_loyalty.demo_care_step_thank_you")]
        check_in = by_step[ref("customer_loyalty.demo_care_step_check_in")]
        tip = by_step[ref("customer_loyalty.demo_care_step_hair_tip")]
        self.assertEqual(len(events), 3)
        self.assertEqual((thanks.state, thanks.mail_id.recipient_ids),
                         ("done", ref("customer_loyalty.demo_partner_an")))
        confirmed = order.date_order.date()
        self.assertEqual((check_in.state, check_in.due_date),
                         ("pending", confirmed + timedelta(days=3)))
        self.assertEqual((tip.state, tip.due_date), ("pending", confirmed + timedelta(days=14)))
