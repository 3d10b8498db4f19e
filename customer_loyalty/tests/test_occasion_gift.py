from datetime import date, datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.service.model import get_public_method
from odoo.tests import TransactionCase, freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from .common import LoyaltyCommon


class OccasionGiftCommon(LoyaltyCommon):
    """Birthday and anniversary gifts. The test company works in UTC unless a test says
    otherwise; members joined on 2020-01-10 and set their birth date before the anti-abuse
    field existed (empty ``birthdate_changed_date``) unless a test says otherwise.

    Gift rules: Member tier: birthday 100 points, anniversary 50 points; Silver tier: birthday
    coupon (20 % off, valid 30 days); Gold: no gift."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({
            "loyalty_gift_lead_days": 0, "loyalty_gift_catchup_days": 0,
            "loyalty_gift_feb29": "feb28", "loyalty_gift_birthdate_min_days": 30,
            "loyalty_gift_membership_min_days": 30,
        })
        cls.company.partner_id.tz = False
        cls.coupon_program = cls.env["loyalty.program"].create({
            "name": "Birthday 20% off",
            "program_type": "coupons",
            "company_id": cls.company.id,
            "trigger": "with_code",
            "applies_on": "current",
            "rule_ids": [Command.create({"reward_point_amount": 1})],
            "reward_ids": [Command.create(
                {"reward_type": "discount", "discount": 20, "required_points": 1}
            )],
        })
        cls.env["loyalty.tier.gift"].create([
            {"tier_id": cls.tier_member.id, "occasion": "birthday", "points": 100},
            {"tier_id": cls.tier_member.id, "occasion": "anniversary", "points": 50},
            {"tier_id": cls.tier_silver.id, "occasion": "birthday",
             "coupon_program_id": cls.coupon_program.id, "coupon_validity_days": 30},
        ])
        (cls.alice | cls.bob | cls.carol).write({"birthdate_date": date(1990, 3, 15), "tz": False})
        cls._changed(cls.alice | cls.bob | cls.carol, False)
        cls.cards = cls._enrol(cls.alice | cls.bob | cls.carol)
        cls.card_alice, cls.card_bob, cls.card_carol = (
            cls._card(cls.alice), cls._card(cls.bob), cls._card(cls.carol)
        )
        cls._set_joined(cls.cards, datetime(2020, 1, 10, 9, 0))
        # Only Alice by default: Bob and Carol take part when a test gives them a birth date.
        cls._birthdate(cls.bob | cls.carol, False)
        cls.Gift = cls.env["loyalty.member.gift"]

    @classmethod
    def _changed(cls, partners, day):
        """Say when the birth dates of ``partners`` were last set (``False``: before the addon,
        which counts as long ago): the field follows the birth date and cannot be written."""
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE res_partner SET birthdate_changed_date = %s WHERE id IN %s",
            [day or None, tuple(partners.ids)],
        )
        partners.invalidate_recordset(["birthdate_changed_date"])

    @classmethod
    def _birthdate(cls, partners, value, changed=False):
        """Give ``partners`` the birth date ``value``, set on ``changed`` (default: long ago)."""
        partners.birthdate_date = value
        cls._changed(partners, changed)

    @classmethod
    def _set_joined(cls, cards, when):
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE loyalty_card SET create_date = %s WHERE id IN %s", [when, tuple(cards.ids)]
        )
        cards.invalidate_recordset(["create_date"])

    def _run_result(self, when):
        """The daily run at ``when`` (UTC): what it gave and held back in the test company."""
        with freeze_time(when):
            result = self.Gift._cron_issue_occasion_gifts()
        return dict(
            result,
            gifts=result["gifts"].filtered(lambda gift: gift.company_id == self.company),
            skipped=[row for row in result["skipped"] if row.company_id == self.company.id],
        )

    def _run(self, when):
        """The daily run at ``when`` (UTC); the gifts it gave in the test company (the demo
        members of other companies have their birthdays too)."""
        with freeze_time(when):
            gifts = self.Gift._cron_issue_occasion_gifts()["gifts"]
        return gifts.filtered(lambda gift: gift.company_id == self.company)

    def _gifts(self, partner, occasion="birthday"):
        return self.Gift.search([("partner_id", "=", partner.id), ("occasion", "=", occasion)])


@tagged("post_install", "-at_install")
class TestOccasionGiftDates(OccasionGiftCommon):

    def test_on_the_day_once(self):
        self.assertFalse(self._run("2026-03-14 23:59:00"))
        gift = self._run("2026-03-15 08:00:00")
        self.assertEqual(gift.partner_id, self.alice)
        self.assertEqual((gift.occasion, gift.gift_key), ("birthday", "2026"))
        self.assertEqual(gift.occasion_date, date(2026, 3, 15))
        self.assertEqual(gift.history_id.issued, 100)
        self.assertBalance(self.card_alice, 100)
        # A second run the same day, or the next days: nothing more.
        self.assertFalse(self._run("2026-03-15 20:00:00"))
        self.assertFalse(self._run("2026-03-16 08:00:00"))
        self.assertBalance(self.card_alice, 100)
        # Next year: the 2027 gift.
        self.assertEqual(self._run("2027-03-15 08:00:00").gift_key, "2027")
        self.assertBalance(self.card_alice, 200)

    def test_n_days_before(self):
        self.company.loyalty_gift_lead_days = 5
        self.assertFalse(self._run("2026-03-09 12:00:00"))  # 6 days before
        gift = self._run("2026-03-10 12:00:00")             # 15 - 5 = 10 March
        self.assertEqual(gift.occasion_date, date(2026, 3, 15))
        self.assertFalse(self._run("2026-03-15 12:00:00"), "given 5 days before, not again")

    def test_lead_days_across_new_year(self):
        # Born on 2 January; issued 5 days before: on 28 December of the year before, with the
        # key of the year celebrated.
        self._birthdate(self.alice, date(1990, 1, 2))
        self.company.loyalty_gift_lead_days = 5
        self.assertFalse(self._run("2026-12-27 12:00:00"))
        gift = self._run("2026-12-28 12:00:00")
        self.assertEqual((gift.gift_key, gift.occasion_date), ("2027", date(2027, 1, 2)))
        self.assertFalse(self._run("2027-01-02 12:00:00"))

    def test_29_february(self):
        self._birthdate(self.alice, date(2000, 2, 29))
        # Non-leap year, default rule: 28 February.
        self.assertFalse(self._run("2027-02-27 12:00:00"))
        gift = self._run("2027-02-28 12:00:00")
        self.assertEqual((gift.gift_key, gift.occasion_date), ("2027", date(2027, 2, 28)))
        self.assertFalse(self._run("2027-03-01 12:00:00"))
        # Leap year: on the day itself, not the 28th.
        self.assertFalse(self._run("2028-02-28 12:00:00"))
        gift = self._run("2028-02-29 12:00:00")
        self.assertEqual((gift.gift_key, gift.occasion_date), ("2028", date(2028, 2, 29)))
        # The "1 March" rule in a non-leap year.
        self.company.loyalty_gift_feb29 = "mar1"
        self.assertFalse(self._run("2029-02-28 12:00:00"))
        gift = self._run("2029-03-01 12:00:00")
        self.assertEqual((gift.gift_key, gift.occasion_date), ("2029", date(2029, 3, 1)))
        # …and in a leap year the 29th still.
        self.assertFalse(self._run("2032-03-01 12:00:00"))
        self.assertEqual(self._run("2032-02-29 12:00:00").gift_key, "2032")

    def test_catch_up_within_the_window_only(self):
        self.company.loyalty_gift_catchup_days = 3
        self._birthdate(self.bob, date(1985, 3, 14))    # 4 days before the late run
        self._birthdate(self.carol, date(1985, 3, 12))  # 6 days before the late run
        # The server was down from the 12th to the 17th; it runs on the 18th.
        gifts = self._run("2026-03-18 06:00:00")
        self.assertEqual(gifts.partner_id, self.alice, "15 March is 3 days back: caught up")
        self.assertEqual(gifts.occasion_date, date(2026, 3, 15))
        # Bob's 14 March is 4 days back: never given, even by later runs.
        self.assertFalse(self._run("2026-03-19 06:00:00"))
        self.assertFalse(self._gifts(self.bob) | self._gifts(self.carol))
        # Had the run come on the 17th, Bob's gift (3 days back) would have been given.
        self.assertEqual(self._run("2027-03-17 06:00:00").partner_id, self.alice | self.bob)

    def test_time_zone_of_the_member_decides_today(self):
        # 17:30 UTC on 14 March is 00:30 on 15 March in Ho Chi Minh City (UTC+7).
        self.alice.tz = "Asia/Ho_Chi_Minh"
        self._birthdate(self.bob, date(1990, 3, 15))  # Bob has no time zone: the company's (UTC)
        self.assertFalse(self._run("2026-03-14 16:59:00"), "23:59 in Ho Chi Minh: not yet")
        gift = self._run("2026-03-14 17:30:00")
        self.assertEqual(gift.partner_id, self.alice)
        self.assertEqual(gift.occasion_date, date(2026, 3, 15))
        self.assertEqual(self._run("2026-03-15 00:00:00").partner_id, self.bob)

    def test_time_zone_of_the_shop_for_members_without_one(self):
        self.company.partner_id.tz = "Asia/Ho_Chi_Minh"
        self.alice.tz = False
        self.bob.write({"birthdate_date": date(1990, 3, 15), "tz": "Europe/Paris"})
        self._changed(self.bob, False)
        gift = self._run("2026-03-14 17:30:00")
        self.assertEqual(gift.partner_id, self.alice, "the shop's day: already the 15th")
        # 23:00 UTC on the 14th is 00:00 on the 15th in Paris (UTC+1 in March).
        self.assertEqual(self._run("2026-03-14 23:00:00").partner_id, self.bob)

    def test_anniversary(self):
        self._set_joined(self.card_alice, datetime(2024, 6, 10, 3, 0))
        self._birthdate(self.alice, False)
        self.assertFalse(self._run("2024-06-10 12:00:00"), "the enrolment day is no anniversary")
        self.assertFalse(self._run("2025-06-09 12:00:00"))
        gift = self._run("2025-06-10 12:00:00")
        self.assertEqual((gift.occasion, gift.gift_key), ("anniversary", "2025"))
        self.assertEqual(gift.occasion_date, date(2025, 6, 10))
        self.assertEqual(gift.history_id.issued, 50)
        self.assertEqual(gift.history_id.description, "Membership anniversary gift 2025")
        self.assertFalse(self._run("2025-06-10 18:00:00"))
        # Enrolled at 20:00 UTC on 9 June: 10 June in the member's Ho Chi Minh time.
        self._set_joined(self.card_bob, datetime(2023, 6, 9, 20, 0))
        self.bob.tz = "Asia/Ho_Chi_Minh"
        gifts = self._run("2026-06-09 17:30:00")
        self.assertEqual(gifts.partner_id, self.bob)
        self.assertEqual(gifts.occasion_date, date(2026, 6, 10))

    def test_per_tier_gift(self):
        self._birthdate(self.bob, date(1990, 3, 15))
        self._birthdate(self.carol, date(1990, 3, 15))
        self.card_bob.tier_id = self.tier_silver
        self.card_carol.tier_id = self.tier_gold
        gifts = self._run("2026-03-15 09:00:00")
        self.assertEqual(gifts.partner_id, self.alice | self.bob, "Gold has no birthday gift")
        alice_gift, bob_gift = self._gifts(self.alice), self._gifts(self.bob)
        self.assertEqual((alice_gift.points, alice_gift.coupon_id.id), (100, False))
        self.assertEqual(bob_gift.points, 0)
        self.assertEqual(bob_gift.tier_id, self.tier_silver)
        self.assertEqual(bob_gift.coupon_id.program_id, self.coupon_program)
        self.assertEqual(bob_gift.coupon_id.partner_id, self.bob)
        self.assertEqual(bob_gift.coupon_expiration_date, date(2026, 4, 14))
        self.assertBalance(self.card_bob, 0)
        # The contact shows the open coupon (the POS member panel reads these fields).
        self.bob.invalidate_recordset()
        with freeze_time("2026-03-20"):
            self.assertEqual(self.bob.loyalty_gift_coupon_code, bob_gift.coupon_code)
            self.assertEqual(self.bob.loyalty_gift_coupon_expiry, date(2026, 4, 14))
            self.assertIn("20%", self.bob.loyalty_gift_coupon_reward)
            self.assertFalse(self.alice.loyalty_gift_coupon_code, "points only: no coupon")

    def test_birthday_coupon_used_in_sales(self):
        self._birthdate(self.bob, date(1990, 3, 15))
        self.card_bob.tier_id = self.tier_silver
        gift = self._run("2026-03-15 09:00:00").filtered(lambda g: g.partner_id == self.bob)
        with freeze_time("2026-03-20"):
            order = self.env["sale.order"].create({
                "partner_id": self.bob.id,
                "company_id": self.company.id,
                "order_line": [Command.create({
                    "product_id": self.product.id, "product_uom_qty": 1, "price_unit": 250,
                    "tax_id": [Command.clear()],
                })],
            })
            claimable = order._try_apply_code(gift.coupon_code)
            self.assertNotIn("error", claimable)
            order._apply_program_reward(claimable[gift.coupon_id][0], gift.coupon_id)
            self.assertAlmostEqual(order.amount_untaxed, 200.0)  # 250 - 20 %
            order.action_confirm()
            gift.invalidate_recordset(["state"])
            self.assertEqual(gift.state, "used")
            self.bob.invalidate_recordset()
            self.assertFalse(self.bob.loyalty_gift_coupon_code, "a used coupon is no longer shown")


@tagged("post_install", "-at_install")
class TestOccasionGiftRules(OccasionGiftCommon):

    def test_birth_date_changed_recently(self):
        # Set on 1 March: 14 days before the birthday, less than the 30 required.
        self._changed(self.alice, date(2026, 3, 1))
        self.company.loyalty_gift_catchup_days = 10
        result = self._run_result("2026-03-15 09:00:00")
        self.assertFalse(result["gifts"])
        self.assertEqual([(r.partner_id, r.reason) for r in result["skipped"]],
                         [(self.alice.id, "birthdate_recent")])
        skip = self.env["loyalty.gift.skip"].search([("partner_id", "=", self.alice.id)])
        self.assertEqual((skip.reason, skip.gift_key, skip.occasion_date),
                         ("birthdate_recent", "2026", date(2026, 3, 15)))
        # Run again the next day: still one line, checked again.
        self.assertFalse(self._run("2026-03-16 09:00:00"))
        skip = self.env["loyalty.gift.skip"].search([("partner_id", "=", self.alice.id)])
        self.assertEqual((len(skip), skip.checked_date), (1, date(2026, 3, 16)))
        # Set 30 days before: given (the 15 March gift is still within the 10 days window on
        # 31 March), and no longer listed as held back.
        gift = self._run("2026-03-31 09:00:00")
        self.assertFalse(gift, "16 days late: outside the window")
        self._changed(self.alice, date(2026, 2, 13))  # 30 days before 15 March
        self.assertEqual(self._run("2026-03-16 09:00:00").gift_key, "2026")
        self.assertFalse(self.env["loyalty.gift.skip"].search([("partner_id", "=", self.alice.id)]))

    def test_joined_recently(self):
        self._set_joined(self.card_alice, datetime(2026, 2, 20, 9, 0))  # 23 days before
        result = self._run_result("2026-03-15 09:00:00")
        self.assertFalse(result["gifts"])
        self.assertEqual([r.reason for r in result["skipped"]], ["joined_recent"])
        self._set_joined(self.card_alice, datetime(2026, 2, 13, 9, 0))  # exactly 30 days
        self.assertEqual(self._run("2026-03-15 10:00:00").partner_id, self.alice)

    def test_no_birth_date_skipped_and_listed(self):
        result = self._run_result("2026-03-15 09:00:00")
        self.assertEqual(result["gifts"].partner_id, self.alice)
        # Bob and Carol (and the members of other companies without one).
        self._birthdate(self.bob, date(1990, 7, 1))
        with freeze_time("2026-03-15 09:00:00"):
            self.assertEqual(
                self.Gift._cron_issue_occasion_gifts()["no_birthdate"], result["no_birthdate"] - 1
            )
        self._birthdate(self.bob, False)
        action = self.env.ref("customer_loyalty.action_loyalty_members_without_birthdate")
        listed = self.env["loyalty.card"].search(
            [*safe_eval(action.domain), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(listed, self.card_bob | self.card_carol)

    def test_manual_issue_now_and_cron_give_once(self):
        manager = self._new_user("gift_manager", "customer_loyalty.group_loyalty_manager")
        self.company.loyalty_gift_catchup_days = 2
        with freeze_time("2026-03-16 09:00:00"):
            action = self.card_alice.with_user(manager).action_loyalty_issue_occasion_gifts()
            self.assertEqual(action["params"]["type"], "success")
            self.assertIn("Alice Nguyen", action["params"]["message"])
            with self.assertRaisesRegex(UserError, "No birthday or anniversary gift is due"):
                self.alice.with_user(manager).action_loyalty_issue_occasion_gifts()
        self.assertFalse(self._run("2026-03-16 10:00:00"))
        self.assertFalse(self._run("2026-03-17 10:00:00"))
        gift = self._gifts(self.alice)
        self.assertEqual(len(gift), 1)
        # "Issue now" queues the e-mail at once, once.
        self.assertEqual(gift.mail_state, "sent")
        self.assertEqual(self.Gift._cron_send_gift_mails(), 0)
        self.assertEqual(self.env["mail.mail"].search_count(
            [("model", "=", "loyalty.member.gift"), ("res_id", "=", gift.id)]), 1)
        self.assertBalance(self.card_alice, 100)

    def test_manual_issue_goes_through_the_rules(self):
        manager = self._new_user("gift_manager2", "customer_loyalty.group_loyalty_manager")
        self._changed(self.alice, date(2026, 3, 10))
        with freeze_time("2026-03-15 09:00:00"):
            action = self.card_alice.with_user(manager).action_loyalty_issue_occasion_gifts()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("Birth date set or changed recently", action["params"]["message"])
        self.assertFalse(self._gifts(self.alice))
        with freeze_time("2026-06-01 09:00:00"), \
                self.assertRaisesRegex(UserError, "No birthday or anniversary gift is due"):
            self.card_alice.with_user(manager).action_loyalty_issue_occasion_gifts()

    def test_staff_cannot_issue_gifts(self):
        salesman = self._new_user("gift_sales", "sales_team.group_sale_salesman")
        cashier = self._new_user("gift_cashier", "base.group_user,point_of_sale.group_pos_user")
        with freeze_time("2026-03-15 09:00:00"):
            for user in (salesman, cashier):
                with self.assertRaisesRegex(AccessError, "Only Loyalty Managers"):
                    self.card_alice.with_user(user).action_loyalty_issue_occasion_gifts()
                with self.assertRaisesRegex(AccessError, "Only Loyalty Managers"):
                    self.alice.with_user(user).action_loyalty_issue_occasion_gifts()
                for method in ("_cron_issue_occasion_gifts", "_loyalty_issue_occasion_gifts",
                               "_loyalty_give", "_loyalty_send_gift_mails"):
                    with self.assertRaises(AccessError):
                        get_public_method(self.Gift.with_user(user), method)
        self.assertFalse(self._gifts(self.alice))

    def test_settings_validated(self):
        with self._refused(Exception, "cannot be negative"):
            self.company.loyalty_gift_lead_days = -1
        with self._refused(Exception, "at most 60 days"):
            self.company.loyalty_gift_catchup_days = 90


@tagged("post_install", "-at_install")
class TestOccasionGiftMail(OccasionGiftCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("vi_VN")
        cls.template = cls.env.ref("customer_loyalty.mail_template_occasion_gift")
        # The catalogue translates the template; the test gives it a known Vietnamese subject.
        cls.template.with_context(lang="vi_VN").subject = (
            "Chúc mừng sinh nhật {{ object.partner_id.name }}!"
        )
        cls.bob.write({"birthdate_date": date(1990, 3, 15), "lang": "vi_VN"})
        cls._changed(cls.bob, False)
        cls.card_bob.tier_id = cls.tier_silver

    def _mails(self, gifts):
        return self.env["mail.mail"].search(
            [("model", "=", "loyalty.member.gift"), ("res_id", "in", gifts.ids)]
        )

    def test_mail_queued_once_in_the_members_language(self):
        mail_cron = self.env.ref("customer_loyalty.ir_cron_loyalty_occasion_gift_mails")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search([("cron_id", "=", mail_cron.id)])
        gifts = self._run("2026-03-15 09:00:00")
        self.assertEqual(len(Trigger.search([("cron_id", "=", mail_cron.id)]) - before), 1,
                         "the e-mails' cron is triggered")
        self.assertEqual(len(gifts), 2)
        self.assertEqual(set(gifts.mapped("mail_state")), {"pending"})
        self.assertFalse(self._mails(gifts))
        self.assertEqual(self.Gift._cron_send_gift_mails(), 2)
        alice_gift = gifts.filtered(lambda g: g.partner_id == self.alice)
        bob_gift = gifts - alice_gift
        self.assertEqual(set(gifts.mapped("mail_state")), {"sent"})
        alice_mail = self._mails(alice_gift)
        bob_mail = self._mails(bob_gift)
        self.assertEqual(len(alice_mail), 1)
        self.assertEqual(len(bob_mail), 1)
        self.assertEqual(alice_mail.subject, "Loyalty Test Shop: Happy birthday, Alice Nguyen!")
        self.assertEqual(bob_mail.subject, "Chúc mừng sinh nhật Bob Tran!")
        self.assertEqual(alice_mail.recipient_ids, self.alice)
        self.assertIn("100 Points", alice_mail.body_html)
        self.assertNotIn("QR code", alice_mail.body_html, "no coupon: no QR code")
        code = bob_gift.coupon_code
        self.assertIn(code, bob_mail.body_html)
        self.assertIn(f"/report/barcode/QR/{code}", bob_mail.body_html)
        self.assertIn("14/04/2026", bob_mail.body_html)  # the expiry, in Vietnamese format
        self.assertEqual(bob_mail.state, "outgoing", "queued for the mail queue")
        # Never twice: another run, or another run of the sender.
        self._run("2026-03-15 10:00:00")
        self.assertEqual(self.Gift._cron_send_gift_mails(), 0)
        self.assertEqual(len(self._mails(gifts)), 2)

    def test_opted_out_members_get_the_gift_without_mail(self):
        self.env["mail.blacklist"]._add(self.alice.email)
        self.bob.email = False
        gifts = self._run("2026-03-15 09:00:00")
        self.assertEqual(len(gifts), 2)
        self.assertEqual(set(gifts.mapped("mail_state")), {"opted_out"})
        self.assertEqual(self.Gift._cron_send_gift_mails(), 0)
        self.assertFalse(self._mails(gifts))
        self.assertBalance(self.card_alice, 100)
        self.assertTrue(gifts.filtered(lambda g: g.partner_id == self.bob).coupon_id)


@tagged("post_install", "-at_install")
class TestOccasionGiftDemo(TransactionCase):
    """The demo shop's gift rules and its member with a birthday this week."""

    def test_demo_member_with_a_birthday_coupon_this_week(self):
        company = self.env.ref("customer_loyalty.demo_company_hoa_mai")
        an = self.env.ref("customer_loyalty.demo_partner_an")
        gifts = self.env["loyalty.member.gift"].search(
            [("partner_id", "=", an.id), ("occasion", "=", "birthday")]
        )
        self.assertEqual(len(gifts), 1)
        self.assertEqual(gifts.state, "issued")
        self.assertGreater(gifts.coupon_id.points, 0, "the coupon is unused")
        # Her birthday is within the week to come (it was two days ahead at installation).
        today = date.today()
        upcoming = an.birthdate_date.replace(year=today.year)
        if upcoming < today - timedelta(days=7):
            upcoming = upcoming.replace(year=today.year + 1)
        self.assertLessEqual(abs((upcoming - today).days), 7)
        rules = self.env["loyalty.tier.gift"].search(
            [("company_id", "=", company.id), ("occasion", "!=", "welcome")]
        )
        self.assertEqual(
            sorted(rules.mapped("occasion")), ["anniversary"] * 4 + ["birthday"] * 4
        )
        self.assertTrue(all(rules.filtered(lambda r: r.occasion == "birthday").coupon_program_id))
