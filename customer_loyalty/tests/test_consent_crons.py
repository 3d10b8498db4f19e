import ast
from datetime import date, datetime
from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from .common import LoyaltyCommon
from .common_points import PointsCommon
from .test_occasion_gift import OccasionGiftCommon


class ConsentCronMixin:
    """Opt-outs recorded as the unsubscribe link records them."""

    def _opt_out(self, partner, purpose, channel="email"):
        self.env["res.partner"]._loyalty_record_consent(
            [(partner, channel, purpose, True)], "unsubscribe"
        )

    def _opt_in(self, partner, purpose, channel="email"):
        self.env["res.partner"]._loyalty_record_consent(
            [(partner, channel, purpose, False)], "staff"
        )

    def _mails(self, model, records):
        return self.env["mail.mail"].search(
            [("model", "=", model), ("res_id", "in", records.ids)]
        )


@tagged("post_install", "-at_install")
class TestConsentTierUpgradeMails(ConsentCronMixin, LoyaltyCommon):
    """Tier changes are "membership and care" e-mails."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.loyalty_quiet_hours = False
        cls._enrol(cls.alice | cls.bob | cls.carol)
        cls.env["loyalty.tier.history"]._cron_send_upgrade_mails()  # the demo's, if any

    def test_opted_out_and_blacklisted_members_are_skipped(self):
        self._opt_out(self.carol, "service")
        self._opt_out(self.alice, "marketing")  # another purpose: no effect here
        self.env["mail.blacklist"]._add(self.bob.email)
        for partner in self.alice | self.bob | self.carol:
            self._confirm_order(partner, 1200)
        upgrades = self.env["loyalty.tier.history"].search([
            ("partner_id", "in", (self.alice | self.bob | self.carol).ids),
            ("direction", "=", "up"),
        ])
        self.assertEqual(len(upgrades), 3)

        handled = self.env["loyalty.tier.history"]._cron_send_upgrade_mails()
        self.assertEqual(handled, 3, "three upgrades handled, done markers cleared")
        self.assertFalse(any(upgrades.mapped("upgrade_mail_pending")))
        mails = self._mails("loyalty.tier.history", upgrades)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.alice)
        # The footer links to Alice's own "membership and care" unsubscribe page.
        self.assertIn(self.alice._loyalty_unsubscribe_url("service"), mails.body_html)
        self.assertIn("Unsubscribe from these e-mails", mails.body_html)
        headers = ast.literal_eval(mails.headers)
        self.assertEqual(
            headers["List-Unsubscribe"],
            f"<{self.alice._loyalty_unsubscribe_url('service')}/oneclick>",
        )
        self.assertEqual(headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")

    def test_member_card_sent_by_staff_has_the_link(self):
        card = self._card(self.alice)
        action = card.action_loyalty_send_card()
        # Queued rather than sent at once (then deleted), to read what goes out.
        self.env["mail.compose.message"].with_context(
            **action["context"], mail_notify_force_send=False
        ).create({}).action_send_mail()
        mail = self._mails("loyalty.card", card)
        self.assertEqual(len(mail), 1)
        self.assertIn(self.alice._loyalty_unsubscribe_url("service"), mail.body_html)


@tagged("post_install", "-at_install")
class TestConsentExpiryWarnings(ConsentCronMixin, PointsCommon):
    """Points expiry warnings are "reminder" e-mails."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.loyalty_quiet_hours = False
        cls.program.write({"points_validity_months": 12, "points_expiry_warning_days": 14})

    def _warn(self, when):
        with freeze_time(when):
            return self.env["loyalty.card"]._cron_warn_expiring_points()

    def test_opted_out_member_is_not_warned_until_they_opt_in(self):
        # 150 points each on 10 January 2024, expiring on 10 January 2025.
        self._earn(self.alice, 150, date="2024-01-10 10:00:00")
        self._earn(self.bob, 150, date="2024-01-10 10:00:00")
        self._opt_out(self.bob, "reminder")
        self._opt_out(self.alice, "gift")  # another purpose

        self.assertEqual(self._warn("2024-12-28"), self.alice_card)
        self.assertEqual(self._mails("loyalty.card", self.alice_card).recipient_ids, self.alice)
        self.assertIn(
            self.alice._loyalty_unsubscribe_url("reminder"),
            self._mails("loyalty.card", self.alice_card).body_html,
        )
        self.assertFalse(self._mails("loyalty.card", self.bob_card))
        self.assertEqual(self.alice_card.points_expiry_warned_until, date(2025, 1, 11))
        self.assertFalse(self.bob_card.points_expiry_warned_until, "not marked as warned")

        # Bob agrees again before the expiry: the next run warns him, once.
        self._opt_in(self.bob, "reminder")
        self.assertEqual(self._warn("2024-12-29"), self.bob_card)
        self.assertEqual(len(self._mails("loyalty.card", self.bob_card)), 1)
        self.assertEqual(len(self._mails("loyalty.card", self.alice_card)), 1)

    def test_blacklisted_member_gets_no_warning(self):
        self._earn(self.alice, 150, date="2024-01-10 10:00:00")
        self._earn(self.bob, 150, date="2024-01-10 10:00:00")
        self.env["mail.blacklist"]._add(self.alice.email)
        self.assertEqual(self._warn("2024-12-28"), self.bob_card)
        self.assertFalse(self._mails("loyalty.card", self.alice_card))


@tagged("post_install", "-at_install")
class TestConsentGiftMails(ConsentCronMixin, OccasionGiftCommon):
    """Birthday and anniversary gifts are "gifts and birthdays" e-mails: a member who opted out
    gets the gift (points, coupon) without the e-mail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.loyalty_quiet_hours = False
        cls._birthdate(cls.bob | cls.carol, date(1990, 3, 15))

    def test_each_member_by_their_consent(self):
        self._opt_out(self.carol, "gift")
        self._opt_out(self.alice, "marketing")  # another purpose: still her birthday e-mail
        self.env["mail.blacklist"]._add(self.bob.email)
        gifts = self._run("2026-03-15 09:00:00")
        self.assertEqual(len(gifts), 3)
        state = {gift.partner_id: gift.mail_state for gift in gifts}
        self.assertEqual(
            state, {self.alice: "pending", self.bob: "opted_out", self.carol: "opted_out"}
        )
        with freeze_time("2026-03-15 09:00:00"):
            self.assertEqual(self.Gift._cron_send_gift_mails(), 1)
        mails = self._mails("loyalty.member.gift", gifts)
        self.assertEqual(mails.recipient_ids, self.alice)
        self.assertIn(self.alice._loyalty_unsubscribe_url("gift"), mails.body_html)
        # Everyone got the gift: 100 points each.
        for card in self.card_alice | self.card_bob | self.card_carol:
            self.assertBalance(card, 100)

    def test_opt_out_between_the_gift_and_its_email(self):
        gifts = self._run("2026-03-15 09:00:00")
        self.assertEqual(set(gifts.mapped("mail_state")), {"pending"})
        self._opt_out(self.bob, "gift")
        with freeze_time("2026-03-15 09:05:00"):
            self.assertEqual(self.Gift._cron_send_gift_mails(), 2)
        state = {gift.partner_id: gift.mail_state for gift in gifts}
        self.assertEqual(
            state, {self.alice: "sent", self.bob: "opted_out", self.carol: "sent"}
        )
        self.assertEqual(
            self._mails("loyalty.member.gift", gifts).recipient_ids, self.alice | self.carol
        )


@tagged("post_install", "-at_install")
class TestConsentQuietHoursInCrons(ConsentCronMixin, OccasionGiftCommon):
    """A gift e-mail created at 23:00 in the member's time zone waits for 08:00 there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"loyalty_quiet_hours": True, "loyalty_quiet_start": 21.0, "loyalty_quiet_end": 8.0}
        )
        cls._birthdate(cls.bob, date(1990, 3, 15))
        cls.alice.tz = "Asia/Ho_Chi_Minh"  # UTC+7
        cls.bob.tz = "Europe/London"  # UTC+0 in March

    def test_scheduled_at_the_end_of_the_night(self):
        gifts = self._run("2026-03-15 09:00:00")
        self.assertEqual(len(gifts), 2)
        # 16:00 UTC: 23:00 in Ho Chi Minh City, 16:00 in London.
        with freeze_time("2026-03-15 16:00:00"):
            self.assertEqual(self.Gift._cron_send_gift_mails(), 2)
        mail_alice = self._mails("loyalty.member.gift", gifts.filtered(
            lambda g: g.partner_id == self.alice))
        mail_bob = self._mails("loyalty.member.gift", gifts.filtered(
            lambda g: g.partner_id == self.bob))
        # 16 March 08:00 in Ho Chi Minh City = 16 March 01:00 UTC.
        self.assertEqual(mail_alice.scheduled_date, datetime(2026, 3, 16, 1, 0))
        self.assertFalse(mail_bob.scheduled_date, "daytime in London: sent at once")
        # Odoo's mail queue leaves it alone until then.
        sent = []
        MailMail = type(self.env["mail.mail"])

        def send(mails, *args, **kwargs):
            sent.extend(mails.ids)

        with patch.object(MailMail, "send", send):
            with freeze_time("2026-03-15 16:30:00"):
                self.env["mail.mail"].process_email_queue(ids=(mail_alice | mail_bob).ids)
            self.assertEqual(sent, mail_bob.ids)
            with freeze_time("2026-03-16 01:00:00"):
                self.env["mail.mail"].process_email_queue(ids=mail_alice.ids)
            self.assertEqual(sent, mail_bob.ids + mail_alice.ids)
