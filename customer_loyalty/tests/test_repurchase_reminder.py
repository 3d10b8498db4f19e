from odoo.exceptions import AccessError
from odoo.service.model import get_public_method
from odoo.tests import tagged

from .common_repurchase import D, RepurchaseCommon


@tagged("post_install", "-at_install")
class TestRepurchaseReminder(RepurchaseCommon):
    """The daily run: due products become reminders, one message per customer and run, at
    most one message per 7 days, cancelled by a purchase before being sent, converted by an
    order within 14 days. Alice bought a vitamin pack and a fish oil on 1 March: both due on
    31 March, to remind from 28 March."""

    def setUp(self):
        super().setUp()
        self._buy(self.alice, D(2026, 3, 1), (self.vitamin, 1), (self.fish_oil, 2))
        # Fish oil: 2 x 30 = 60 days -> 30 April; make it due with the vitamin pack instead.
        self.fish_oil.loyalty_repurchase_days = 15

    def _activities(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )

    def _mails(self, partner):
        return self.env["mail.mail"].search(
            [("model", "=", "loyalty.repurchase.reminder"),
             ("res_id", "in", self._reminders(partner).ids)]
        )

    def test_not_before_the_lead_time(self):
        self.assertFalse(self._run(D(2026, 3, 27))["created"])
        self.assertFalse(self._reminders(self.alice))

    def test_two_products_one_message(self):
        result = self._run(D(2026, 3, 28))
        reminders = self._reminders(self.alice)
        self.assertEqual(reminders.product_id, self.vitamin | self.fish_oil)
        self.assertEqual(result["sent"], reminders)
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertEqual(reminders.mapped("due_date"), [D(2026, 3, 31), D(2026, 3, 31)])
        self.assertEqual(len(reminders.lead_id), 1)
        self.assertEqual(reminders.lead_id.grouped_ids, reminders)
        # One activity for Alice's salesperson, naming both products.
        activity = self._activities(self.alice)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesman)
        self.assertEqual(activity.date_deadline, D(2026, 3, 31))
        self.assertIn("Vitamin Pack", activity.summary)
        self.assertIn("Fish Oil", activity.summary)
        self.assertEqual(reminders.activity_id, activity)
        # One e-mail with both products and the link to a draft quotation of both.
        mail = self._mails(self.alice)
        self.assertEqual(len(mail), 1)
        self.assertEqual(reminders.mail_id, mail)
        self.assertEqual(mail.recipient_ids, self.alice)
        self.assertIn("Vitamin Pack", mail.body_html)
        self.assertIn("Fish Oil", mail.body_html)
        quotation = reminders.order_id
        self.assertEqual(len(quotation), 1)
        self.assertEqual(quotation.state, "draft")
        self.assertEqual(
            sorted((line.product_id.name, line.product_uom_qty) for line in quotation.order_line),
            [("Fish Oil", 2.0), ("Vitamin Pack", 1.0)],
        )
        self.assertIn(quotation.access_token, mail.body_html)
        self.assertEqual(quotation.campaign_id,
                         self.env.ref("customer_loyalty.utm_campaign_repurchase_reminders"))

    def test_second_run_creates_and_sends_nothing(self):
        self._run(D(2026, 3, 28))
        again = self._run(D(2026, 3, 28))
        self.assertFalse(again["created"] or again["sent"])
        later = self._run(D(2026, 3, 30))
        self.assertFalse(later["created"] or later["sent"])
        self.assertEqual(len(self._reminders(self.alice)), 2)
        self.assertEqual(len(self._activities(self.alice)), 1)
        self.assertEqual(len(self._mails(self.alice)), 1)

    def test_cap_holds_then_merges(self):
        self._run(D(2026, 3, 28))
        # Dog food bought 2 March: 42 days -> 13 April; and 17 March, half a pack of
        # vitamins' cousin: pet food due 10 April (cycle 42, but see below).
        self._buy(self.alice, D(2026, 3, 2), (self.pet_food, 1))
        self.pet_food.loyalty_repurchase_days = 31  # -> 2 April, due from 30 March
        held = self._run(D(2026, 3, 30))
        pet_reminder = self._reminders(self.alice).filtered(lambda r: r.product_id == self.pet_food)
        self.assertEqual(held["created"], pet_reminder)
        # Reminded on 28 March: no second message before 4 April (7 days).
        self.assertFalse(held["sent"])
        self.assertEqual(pet_reminder.state, "pending")
        self.assertFalse(self._run(D(2026, 4, 3))["sent"])
        self.assertEqual(len(self._activities(self.alice)), 1)
        # 4 April: the cap is over; the pending product goes, in a message of its own.
        sent = self._run(D(2026, 4, 4))["sent"]
        self.assertEqual(sent, pet_reminder)
        self.assertEqual(pet_reminder.state, "sent")
        self.assertEqual(len(self._activities(self.alice)), 2)
        self.assertEqual(len(self._mails(self.alice)), 2)

    def test_purchase_cancels_the_pending_reminder(self):
        self._run(D(2026, 3, 28))
        self._buy(self.alice, D(2026, 3, 2), (self.pet_food, 1))
        self.pet_food.loyalty_repurchase_days = 31  # due from 30 March
        self._run(D(2026, 3, 30))
        pet_reminder = self._reminders(self.alice).filtered(lambda r: r.product_id == self.pet_food)
        self.assertEqual(pet_reminder.state, "pending")
        # Bought again while held by the cap: cancelled, never sent.
        self._buy(self.alice, D(2026, 4, 1), (self.pet_food, 1))
        result = self._run(D(2026, 4, 4))
        self.assertEqual(result["cancelled"], pet_reminder)
        self.assertEqual((pet_reminder.state, pet_reminder.cancel_reason),
                         ("cancelled", "repurchased"))
        self.assertFalse(result["sent"])
        self.assertEqual(len(self._activities(self.alice)), 1)

    def test_order_within_the_window_converts(self):
        self._run(D(2026, 3, 28))
        reminders = self._reminders(self.alice)
        order = self._buy(self.alice, D(2026, 4, 5), (self.product, 1))
        self.assertFalse(order.campaign_id)
        result = self._run(D(2026, 4, 6))
        self.assertEqual(result["converted"], reminders)
        self.assertEqual(set(reminders.mapped("state")), {"converted"})
        self.assertEqual(reminders.converted_order_id, order)
        self.assertEqual(order.campaign_id,
                         self.env.ref("customer_loyalty.utm_campaign_repurchase_reminders"))
        self.assertEqual(order.source_id,
                         self.env.ref("customer_loyalty.utm_source_repurchase_reminder"))
        self.assertEqual(order.medium_id, self.env.ref("utm.utm_medium_email"))

    def test_order_keeps_its_own_campaign(self):
        self._run(D(2026, 3, 28))
        campaign = self.env["utm.campaign"].create({"title": "Tet sale"})
        order = self._buy(self.alice, D(2026, 4, 5), (self.product, 1))
        order.campaign_id = campaign
        self._run(D(2026, 4, 6))
        self.assertEqual(self._reminders(self.alice).converted_order_id, order)
        self.assertEqual(order.campaign_id, campaign)

    def test_order_after_the_window_does_not_convert(self):
        self._run(D(2026, 3, 28))
        # Sent 28 March 01:30; 14 days end 11 April 01:30.
        order = self._buy(self.alice, D(2026, 4, 11), (self.product, 1))
        self._run(D(2026, 4, 12))
        self.assertEqual(set(self._reminders(self.alice).mapped("state")), {"sent"})
        self.assertFalse(order.campaign_id)

    def test_order_before_the_reminder_does_not_convert(self):
        order = self._buy(self.alice, D(2026, 3, 27), (self.product, 1))
        self._run(D(2026, 3, 28))
        self._run(D(2026, 3, 29))
        self.assertEqual(set(self._reminders(self.alice).mapped("state")), {"sent"})
        self.assertFalse(order.campaign_id)

    def test_blacklisted_email_gets_the_activity_only(self):
        self.env["mail.blacklist"]._add(self.alice.email)
        self._run(D(2026, 3, 28))
        reminders = self._reminders(self.alice)
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertEqual(len(self._activities(self.alice)), 1)
        self.assertFalse(self._mails(self.alice))
        self.assertFalse(reminders.mail_id or reminders.order_id)

    def test_opted_out_of_reminder_emails_gets_the_activity_only(self):
        self.env["res.partner"]._loyalty_record_consent(
            [(self.alice, "email", "reminder", True)], "unsubscribe"
        )
        self._run(D(2026, 3, 28))
        self.assertEqual(len(self._activities(self.alice)), 1)
        self.assertFalse(self._mails(self.alice))

    def test_opted_out_of_reminder_calls_gets_the_email_only(self):
        self.alice.phone = "+84 90 123 4567"
        self.env["res.partner"]._loyalty_record_consent(
            [(self.alice, "call", "reminder", True)], "staff"
        )
        self._run(D(2026, 3, 28))
        self.assertFalse(self._activities(self.alice))
        mail = self._mails(self.alice)
        self.assertEqual(len(mail), 1)
        # The reminder's footer carries Alice's unsubscribe link for reminders.
        self.assertIn(f"/loyalty/unsubscribe/{self.alice.id}/reminder/", mail.body_html)

    def test_email_only_channel_and_no_email(self):
        self.company.loyalty_reminder_channel = "email"
        self.alice.email = False
        self._run(D(2026, 3, 28))
        reminders = self._reminders(self.alice)
        self.assertEqual(set(reminders.mapped("cancel_reason")), {"not_contactable"})
        self.assertFalse(self._activities(self.alice))
        self.assertFalse(self._mails(self.alice))

    def test_activity_only_channel(self):
        self.company.loyalty_reminder_channel = "activity"
        self._run(D(2026, 3, 28))
        self.assertEqual(len(self._activities(self.alice)), 1)
        self.assertFalse(self._mails(self.alice))

    def test_salesperson_of_the_last_order_then_the_company_default(self):
        other = self._new_user("olga_sales", "sales_team.group_sale_salesman")
        self.alice.user_id = False
        self.bob.user_id = False
        order = self._buy(self.alice, D(2026, 3, 1), (self.product, 1))
        order.user_id = other
        self.env["sale.order"].search([("partner_id", "=", self.alice.id)]).user_id = other
        self.company.loyalty_reminder_user_id = self.salesman
        self._buy(self.bob, D(2026, 3, 1), (self.vitamin, 1))
        self.env["sale.order"].search([("partner_id", "=", self.bob.id)]).user_id = False
        self._run(D(2026, 3, 28))
        self.assertEqual(self._activities(self.alice).user_id, other)
        self.assertEqual(self._activities(self.bob).user_id, self.salesman)

    def test_contact_tab_shows_the_basis(self):
        self._run(D(2026, 3, 28))
        predictions = self.alice.loyalty_repurchase_prediction_ids
        self.assertEqual(
            sorted(predictions.mapped("basis")), ["cycle 15 days x 2", "cycle 30 days x 1"]
        )
        self.assertEqual(set(predictions.mapped("status")), {"due"})

    def test_rights(self):
        self._run(D(2026, 3, 28))
        reminders = self._reminders(self.alice)
        salesman_reminders = self._as(self.salesman, reminders)
        self.assertEqual(salesman_reminders.mapped("state"), ["sent", "sent"])
        with self.assertRaises(AccessError):
            salesman_reminders.write({"state": "pending"})
        with self.assertRaises(AccessError):
            self.env["loyalty.repurchase.reminder"].with_user(self.salesman).create({
                "company_id": self.company.id, "partner_id": self.bob.id,
                "product_id": self.vitamin.id, "due_date": D(2026, 4, 1),
                "last_purchase_date": D(2026, 3, 1),
            })
        with self.assertRaises(AccessError):
            self._as(self.salesman, self.alice.loyalty_repurchase_prediction_ids).write(
                {"status": "upcoming"}
            )
        # The run is not callable over RPC.
        Reminder = self.env["loyalty.repurchase.reminder"]
        for name in ("_cron_send_repurchase_reminders", "_loyalty_run"):
            with self.assertRaises(AccessError):
                get_public_method(Reminder, name)
        # Another company's users see none of it.
        other_company = self.env["res.company"].create({"name": "Other Shop"})
        outsider = self._new_user("otto_sales", "sales_team.group_sale_salesman", other_company)
        self.assertFalse(
            self.env["loyalty.repurchase.reminder"].with_user(outsider).with_context(
                allowed_company_ids=other_company.ids
            ).search(
                [("partner_id", "=", self.alice.id)]
            )
        )
