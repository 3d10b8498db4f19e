from datetime import datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestConsent(LoyaltyCommon):
    """Effective consent = an address, not on Odoo's blacklist of the channel, not opted out of
    the purpose (latest journal line). Alice, Bob and Carol have e-mails; Alice and Carol have
    phone numbers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice.phone = "+84 90 312 4501"
        cls.carol.phone = "+84 93 567 1203"
        cls.members = cls.alice | cls.bob | cls.carol
        cls.Partner = cls.env["res.partner"]
        cls.salesman = cls._new_user("consent_salesman", "sales_team.group_sale_salesman")
        # Cashiers edit customers in the POS (contact creation rights).
        cls.cashier = cls._new_user(
            "consent_cashier", "point_of_sale.group_pos_user,base.group_partner_manager"
        )
        cls.plain_cashier = cls._new_user("consent_plain_cashier", "point_of_sale.group_pos_user")

    def _contactable(self, channel, purpose):
        return self.Partner._loyalty_contactable(self.members.ids, channel, purpose)

    def _opt(self, partner, channel, purpose, opt_out=True):
        return self.Partner._loyalty_record_consent(
            [(partner, channel, purpose, opt_out)], "staff"
        )

    def test_everyone_with_an_address_by_default(self):
        for purpose in ("reminder", "service", "gift", "marketing"):
            self.assertEqual(self._contactable("email", purpose), self.members)
            # Bob has no phone number: no SMS, no call.
            self.assertEqual(self._contactable("sms", purpose), self.alice | self.carol)
            self.assertEqual(self._contactable("call", purpose), self.alice | self.carol)
        self.assertTrue(self.alice.phone_sanitized)
        self.assertFalse(self.alice.loyalty_do_not_contact)

    def test_purpose_opt_out_and_opt_in_again(self):
        self._opt(self.carol, "email", "marketing")
        self.assertEqual(self._contactable("email", "marketing"), self.alice | self.bob)
        # Other purposes and channels are untouched.
        self.assertEqual(self._contactable("email", "gift"), self.members)
        self.assertEqual(self._contactable("sms", "marketing"), self.alice | self.carol)
        self.assertTrue(self.carol.loyalty_no_email_marketing)
        self.assertFalse(self.carol.loyalty_no_sms_marketing)
        self.assertEqual(self.carol.loyalty_do_not_contact, "E-mail: Promotions")

        # The latest line wins: Carol agrees again.
        self._opt(self.carol, "email", "marketing", opt_out=False)
        self.assertEqual(self._contactable("email", "marketing"), self.members)
        self.assertFalse(self.carol.loyalty_no_email_marketing)
        self.assertEqual(len(self.carol.loyalty_consent_ids), 2)

    def test_email_blacklist_blocks_every_email_purpose(self):
        # As mass mailing or an admin does it: Odoo's blacklist, not a list of the addon.
        self.env["mail.blacklist"]._add(self.bob.email)
        for purpose in ("reminder", "service", "gift", "marketing"):
            self.assertEqual(self._contactable("email", purpose), self.alice | self.carol)
        self.assertTrue(self.bob.loyalty_no_email)
        self.assertEqual(self.bob.loyalty_do_not_contact, "E-mail: all")
        # Odoo's own search on the blacklist still works.
        self.assertEqual(
            self.Partner.search([("id", "in", self.members.ids), ("is_blacklisted", "=", True)]),
            self.bob,
        )

    def test_phone_blacklist_blocks_sms_and_calls(self):
        self.env["phone.blacklist"]._add([self.alice.phone_sanitized])
        for purpose in ("reminder", "marketing"):
            self.assertEqual(self._contactable("sms", purpose), self.carol)
            self.assertEqual(self._contactable("call", purpose), self.carol)
            self.assertEqual(self._contactable("email", purpose), self.members)
        self.assertTrue(self.alice.loyalty_no_phone)
        self.assertEqual(self.alice.loyalty_do_not_contact, "SMS: all; Phone calls: all")

    def test_set_wise_in_one_query(self):
        many = self.Partner.create(
            [{"name": f"Member {i}", "email": f"member{i}@example.com"} for i in range(40)]
        )
        self._opt(many[3], "email", "gift")
        self.env["mail.blacklist"]._add(many[7].email)
        self.env.flush_all()
        with self.assertQueryCount(1):
            allowed = self.Partner._loyalty_contactable(many.ids, "email", "gift")
        self.assertEqual(allowed, many - many[3] - many[7])
        with self.assertQueryCount(1):
            self.Partner._loyalty_contactable(many[:2].ids, "email", "gift")

    def test_unknown_channel_or_purpose_refused(self):
        with self.assertRaisesRegex(UserError, "Unknown channel or purpose"):
            self.Partner._loyalty_contactable(self.alice.ids, "email", "newsletter")
        with self.assertRaisesRegex(UserError, "Unknown channel or purpose"):
            self.Partner._loyalty_contactable(self.alice.ids, "fax", "gift")

    def test_staff_edit_on_the_contact_form_is_journaled(self):
        alice = self._as(self.salesman, self.alice)
        alice.write({"loyalty_no_email_marketing": True, "loyalty_no_sms_reminder": True})
        lines = self.alice.loyalty_consent_ids.sorted("id")
        self.assertRecordValues(lines, [
            {"channel": "email", "purpose": "marketing", "opt_out": True, "source": "staff",
             "user_id": self.salesman.id},
            {"channel": "sms", "purpose": "reminder", "opt_out": True, "source": "staff",
             "user_id": self.salesman.id},
        ])
        self.assertEqual(self._contactable("email", "marketing"), self.bob | self.carol)
        self.assertEqual(self._contactable("sms", "reminder"), self.carol)
        # Writing the same value again records nothing.
        alice.write({"loyalty_no_email_marketing": True})
        self.assertEqual(len(self.alice.loyalty_consent_ids), 2)

    def test_no_email_at_all_is_the_blacklist_entry(self):
        bob = self._as(self.salesman, self.bob)
        bob.loyalty_no_email = True
        entry = self.env["mail.blacklist"].with_context(active_test=False).search(
            [("email", "=", "bob@example.com")]
        )
        self.assertTrue(entry.active)
        self.assertTrue(self.bob.is_blacklisted)
        self.assertRecordValues(self.bob.loyalty_consent_ids, [
            {"channel": "email", "purpose": "all", "opt_out": True, "source": "staff",
             "user_id": self.salesman.id},
        ])
        # Unticking archives Odoo's entry (no second list that could disagree).
        bob.loyalty_no_email = False
        self.assertFalse(entry.active)
        self.assertFalse(self.bob.is_blacklisted)
        self.assertEqual(self._contactable("email", "gift"), self.members)
        self.assertEqual(len(self.bob.loyalty_consent_ids), 2)

    def test_no_sms_or_calls_at_all_is_the_phone_blacklist_entry(self):
        self._as(self.cashier, self.carol).with_context(loyalty_consent_source="pos").write(
            {"loyalty_no_phone": True}
        )
        entry = self.env["phone.blacklist"].search([("number", "=", self.carol.phone_sanitized)])
        self.assertTrue(entry.active)
        self.assertRecordValues(self.carol.loyalty_consent_ids, [
            {"channel": "phone", "purpose": "all", "opt_out": True, "source": "pos",
             "user_id": self.cashier.id},
        ])
        self.assertEqual(self._contactable("sms", "gift"), self.alice)
        self.assertEqual(self._contactable("call", "gift"), self.alice)

    def test_user_without_rights_on_the_contact_is_refused(self):
        with self.assertRaises(AccessError):
            self._as(self.plain_cashier, self.carol).write({"loyalty_no_email_gift": True})
        with self.assertRaises(AccessError):
            self._as(self.plain_cashier, self.carol).write({"loyalty_no_phone": True})
        self.assertFalse(self.carol.loyalty_consent_ids)
        self.assertEqual(self._contactable("email", "gift"), self.members)

    def test_blocking_without_an_address_is_refused(self):
        with self.assertRaisesRegex(UserError, "no valid phone number"):
            self._as(self.salesman, self.bob).loyalty_no_phone = True

    def test_journal_cannot_be_forged_or_changed(self):
        self._opt(self.alice, "email", "gift")
        line = self.alice.loyalty_consent_ids
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            line.write({"opt_out": False})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            line.unlink()
        # Staff read the journal but write it only through the contact.
        self.assertEqual(self._as(self.salesman, line).source, "staff")
        with self.assertRaises(AccessError):
            self.env["loyalty.consent"].with_user(self.salesman).create({
                "partner_id": self.bob.id, "channel": "email", "purpose": "gift",
                "opt_out": True, "source": "unsubscribe",
            })
        # Nor can they pass an opt-out off as the customer's own click.
        with self.assertRaisesRegex(UserError, "staff, the Point of Sale or an import"):
            self._as(self.salesman, self.bob).with_context(
                loyalty_consent_source="unsubscribe"
            ).write({"loyalty_no_email_gift": True})
        self.assertFalse(self.bob.loyalty_consent_ids)

    def test_unsubscribe_token_is_per_contact_and_purpose(self):
        token = self.alice._loyalty_unsubscribe_token("gift")
        self.assertEqual(len(token), 64)
        self.assertEqual(token, self.alice._loyalty_unsubscribe_token("gift"))
        self.assertNotEqual(token, self.alice._loyalty_unsubscribe_token("marketing"))
        self.assertNotEqual(token, self.bob._loyalty_unsubscribe_token("gift"))
        self.assertTrue(self.alice._loyalty_unsubscribe_url("gift").endswith(
            f"/loyalty/unsubscribe/{self.alice.id}/gift/{token}"
        ))


@tagged("post_install", "-at_install")
class TestQuietHours(LoyaltyCommon):
    """Quiet hours 21:00-08:00 in the customer's time zone, else the company's, else UTC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {"loyalty_quiet_hours": True, "loyalty_quiet_start": 21.0, "loyalty_quiet_end": 8.0}
        )
        cls.company.partner_id.tz = "Europe/Paris"
        cls.alice.tz = "Asia/Ho_Chi_Minh"  # UTC+7
        cls.bob.tz = False

    def _after(self, partner, now):
        return partner._loyalty_send_after(self.company, now)[partner.id]

    def test_night_in_the_customer_time_zone(self):
        # 16:00 UTC = 23:00 in Ho Chi Minh City: the next morning 08:00 local = 01:00 UTC.
        self.assertEqual(
            self._after(self.alice, datetime(2026, 12, 1, 16, 0)), datetime(2026, 12, 2, 1, 0)
        )
        # 20:30 UTC = 03:30 local on 2 December: 08:00 the same (local) day.
        self.assertEqual(
            self._after(self.alice, datetime(2026, 12, 1, 20, 30)), datetime(2026, 12, 2, 1, 0)
        )
        # 03:00 UTC = 10:00 local: now.
        self.assertFalse(self._after(self.alice, datetime(2026, 12, 1, 3, 0)))
        # 13:59 UTC = 20:59 local: still allowed; 14:00 UTC = 21:00 local: quiet.
        self.assertFalse(self._after(self.alice, datetime(2026, 12, 1, 13, 59)))
        self.assertEqual(
            self._after(self.alice, datetime(2026, 12, 1, 14, 0)), datetime(2026, 12, 2, 1, 0)
        )

    def test_company_time_zone_without_the_customer_one(self):
        # Bob has no time zone: the company's (Paris, UTC+1 in winter). 05:00 UTC = 06:00 in
        # Paris: 08:00 Paris = 07:00 UTC.
        self.assertEqual(
            self._after(self.bob, datetime(2026, 12, 1, 5, 0)), datetime(2026, 12, 1, 7, 0)
        )
        # The same moment is 12:00 in Ho Chi Minh City: Alice may be written to.
        self.assertFalse(self._after(self.alice, datetime(2026, 12, 1, 5, 0)))

    def test_daytime_window_and_disabled(self):
        self.company.write({"loyalty_quiet_start": 12.0, "loyalty_quiet_end": 13.5})
        # 05:10 UTC = 12:10 local: until 13:30 local = 06:30 UTC.
        self.assertEqual(
            self._after(self.alice, datetime(2026, 12, 1, 5, 10)), datetime(2026, 12, 1, 6, 30)
        )
        self.company.loyalty_quiet_hours = False
        self.assertFalse(self._after(self.alice, datetime(2026, 12, 1, 16, 0)))

    def test_quiet_hours_must_be_times_of_day(self):
        with self._refused(ValidationError, "between 00:00 and 23:59"):
            self.company.loyalty_quiet_start = 25.0
