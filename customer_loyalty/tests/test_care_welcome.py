from odoo import fields
from odoo.tests import tagged

from .common_care import CareCommon


@tagged("post_install", "-at_install")
class TestCareWelcome(CareCommon):
    """A new member gets one welcome e-mail with their card; members entering a tier marked
    "Welcome call" get one call per tier."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The care steps of CareCommon stay out of the way: no order here before 2026.
        cls.company.loyalty_welcome_mail = True

    def _today(self, days=0):
        """Today (the cards and tier changes of the test are dated now), ``days`` later."""
        return str(fields.Date.add(self.env.cr.now().date(), days=days))

    def _welcome_mails(self, cards):
        return self.env["mail.mail"].search(
            [("model", "=", "loyalty.card"), ("res_id", "in", cards.ids)]
        )

    def test_welcome_email_once_per_member_with_the_card(self):
        cards = self._enrol(self.alice | self.bob)
        self.assertFalse(self._welcome_mails(cards), "nothing is rendered at enrolment")
        result = self._run(self._today())
        events = self._events(kind="welcome_email")
        self.assertEqual(result["done"], events)
        self.assertEqual(events.partner_id, self.alice | self.bob)
        self.assertEqual(events.card_id, cards)
        mails = self._welcome_mails(cards)
        self.assertEqual(len(mails), 2)
        alice_card = self._card(self.alice)
        alice_mail = mails.filtered(lambda m: m.res_id == alice_card.id)
        self.assertEqual(alice_mail.recipient_ids, self.alice)
        self.assertIn(alice_card.code, alice_mail.body_html, "the card's code and QR code")
        self.assertIn(f"/report/barcode/QR/{alice_card.code}", alice_mail.body_html)
        self.assertEqual(len(alice_mail.attachment_ids), 1, "the member card attached")
        self.assertIn(self.alice._loyalty_unsubscribe_url("service"), alice_mail.body_html)
        self.assertEqual(
            events.source_id, self.env.ref("customer_loyalty.utm_source_loyalty_welcome")
        )

        # A second run, and a new member: only the new member is welcomed.
        self._run(self._today())
        self.assertEqual(len(self._welcome_mails(cards)), 2)
        carol_card = self._enrol(self.carol)
        self._run(self._today(1))
        self.assertEqual(len(self._welcome_mails(cards | carol_card)), 3)
        self.assertEqual(len(self._events(kind="welcome_email")), 3)

    def test_welcome_email_respects_consent(self):
        self._opt_out(self.alice, "email")
        self.env["mail.blacklist"]._add(self.bob.email)
        cards = self._enrol(self.alice | self.bob | self.carol)
        self._run(self._today())
        events = self._events(kind="welcome_email")
        skipped = events.filtered(lambda e: e.state == "skipped")
        self.assertEqual(skipped.partner_id, self.alice | self.bob)
        self.assertEqual(set(skipped.mapped("skip_reason")), {"no_consent"})
        self.assertEqual(self._welcome_mails(cards).recipient_ids, self.carol)
        # Opting in later does not bring a welcome years late: the member was journaled.
        self._run(self._today(1))
        self.assertEqual(len(self._events(kind="welcome_email")), 3)

    def test_no_welcome_when_turned_off(self):
        self.company.loyalty_welcome_mail = False
        cards = self._enrol(self.alice)
        self._run(self._today())
        self.assertFalse(self._events(kind="welcome_email"))
        self.assertFalse(self._welcome_mails(cards))

    def test_welcome_moment_in_whole_seconds(self):
        """A tier change is dated in whole seconds (Odoo's ``Datetime.now``): the company's
        "Welcome Members From" moment is too, so that a member entering a tier in the second
        the company was created is not taken for one who entered it before (the welcome call
        test failed now and then for that)."""
        company = self.env["res.company"].create({"name": "Welcome Seconds Shop"})
        self.assertEqual(company.loyalty_welcome_date_from.microsecond, 0)
        self.assertLessEqual(company.loyalty_welcome_date_from, self.env.cr.now())

    def test_welcome_call_for_the_chosen_tiers_only(self):
        self.company.loyalty_welcome_mail = False
        self.tier_silver.write({"welcome_call": True, "welcome_user_id": self.manager.id})
        self.tier_gold.welcome_call = True
        self.carol.user_id = self.salesman
        self._enrol(self.alice | self.bob | self.carol)
        self._confirm_order(self.alice, 1200)  # Member -> Silver
        self._confirm_order(self.carol, 6000)  # Member -> Gold (Silver skipped)
        self._confirm_order(self.bob, 100)  # stays Member
        self._run(self._today())
        calls = self._events(kind="welcome_call")
        self.assertEqual(
            {(e.partner_id, e.tier_id) for e in calls},
            {(self.alice, self.tier_silver), (self.carol, self.tier_gold)},
        )
        self.assertEqual(calls.mapped("state"), ["done", "done"])
        by_partner = {event.partner_id: event.activity_id for event in calls}
        alice_call, carol_call = by_partner[self.alice], by_partner[self.carol]
        self.assertEqual((alice_call.res_model, alice_call.res_id), ("res.partner", self.alice.id))
        self.assertEqual(alice_call.user_id, self.manager, "the tier's account manager")
        self.assertEqual(carol_call.user_id, self.salesman, "the member's salesperson")
        self.assertEqual(alice_call.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertIn("Silver", alice_call.summary)
        # Once per member and tier.
        self._run(self._today(1))
        self.assertEqual(len(self._events(kind="welcome_call")), 2)
        self.assertEqual(len(self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.alice.id)]
        )), 1)

    def test_welcome_call_skipped_on_call_opt_out(self):
        self.company.loyalty_welcome_mail = False
        self.tier_silver.welcome_call = True
        self._opt_out(self.alice, "call")
        self._enrol(self.alice | self.bob)
        self._confirm_order(self.alice, 1200)
        self._confirm_order(self.bob, 1200)
        self._run(self._today())
        calls = self._events(kind="welcome_call")
        alice_call = calls.filtered(lambda e: e.partner_id == self.alice)
        bob_call = calls.filtered(lambda e: e.partner_id == self.bob)
        self.assertEqual((alice_call.state, alice_call.skip_reason), ("skipped", "no_consent"))
        self.assertFalse(alice_call.activity_id)
        self.assertEqual(bob_call.state, "done")
        self.assertTrue(bob_call.activity_id)
