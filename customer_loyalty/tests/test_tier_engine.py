from freezegun import freeze_time

from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestTierUpgrade(LoyaltyCommon):
    """Members move up as soon as a confirmed order makes them qualify."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice_card, cls.bob_card = cls._enrol(cls.alice | cls.bob).sorted(
            lambda c: c.partner_id == cls.bob
        )

    def _upgrade_mails(self, partner):
        return self.env["mail.mail"].search(
            [("model", "=", "loyalty.tier.history"), ("recipient_ids", "in", partner.ids)]
        )

    def test_upgrade_on_order_confirmation(self):
        self.assertEqual(self.alice_card.tier_id, self.tier_member)
        with freeze_time("2025-06-10 09:30:00"):
            order = self._confirm_order(self.alice, 1200)

        self.assertEqual(self.alice_card.tier_id, self.tier_silver)
        self.assertEqual(str(self.alice_card.tier_since), "2025-06-10 09:30:00")
        self.assertFalse(self.alice_card.tier_downgrade_date)
        self.assertEqual(self.alice.loyalty_tier_id, self.tier_silver)
        self.assertEqual(self.alice.loyalty_tier_color, 8)
        self.assertEqual(order.loyalty_tier_id, self.tier_silver)
        # Bob did not buy anything.
        self.assertEqual(self.bob_card.tier_id, self.tier_member)

        enrol, upgrade = self._history(self.alice)
        self.assertRecordValues(enrol, [{
            "old_tier_id": False, "new_tier_id": self.tier_member.id, "direction": "enrol",
            "reason": "manual", "note": "Enrolment",
        }])
        self.assertRecordValues(upgrade, [{
            "card_id": self.alice_card.id, "partner_id": self.alice.id,
            "company_id": self.company.id, "old_tier_id": self.tier_member.id,
            "new_tier_id": self.tier_silver.id, "direction": "up", "reason": "order",
            "sale_order_id": order.id,
        }])
        self.assertEqual(str(upgrade.date), "2025-06-10 09:30:00")
        self.assertEqual(self.alice.loyalty_tier_history_count, 2)
        self.assertEqual(self.alice_card.tier_history_ids, enrol | upgrade)

        # The change is noted on the contact's chatter.
        self.assertIn(
            "Membership tier changed from Member to Silver (Order).",
            self.alice.message_ids.mapped("preview"),
        )

    def _send_upgrade_mails(self):
        return self.env["loyalty.tier.history"]._cron_send_upgrade_mails()

    def test_upgrade_email_queued(self):
        cron = self.env.ref("customer_loyalty.ir_cron_loyalty_tier_upgrade_mails")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self._send_upgrade_mails()  # those of the demo data's upgrades, if any
        self.assertFalse(self._upgrade_mails(self.alice), "enrolment sends no upgrade e-mail")
        self.assertEqual(self._send_upgrade_mails(), 0)
        self._confirm_order(self.alice, 1200)
        upgrade = self._history(self.alice)[-1]

        # The confirmation only asks for the e-mail: the cron, triggered at once, renders it.
        self.assertTrue(upgrade.upgrade_mail_pending)
        self.assertFalse(self._upgrade_mails(self.alice))
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1
        )
        self.assertEqual(self._send_upgrade_mails(), 1)
        self.assertFalse(upgrade.upgrade_mail_pending)
        self.assertEqual(self._send_upgrade_mails(), 0, "a second run sends nothing")

        mail = self._upgrade_mails(self.alice)
        self.assertEqual(len(mail), 1)
        template = self.env.ref("customer_loyalty.mail_template_tier_upgrade")
        self.assertEqual(mail.res_id, upgrade.id)
        self.assertEqual(mail.subject, template._render_field("subject", upgrade.ids)[upgrade.id])
        self.assertEqual(mail.subject, "Loyalty Test Shop: welcome to Silver!")
        self.assertEqual(mail.recipient_ids, self.alice)
        self.assertEqual(mail.state, "outgoing")
        self.assertIn(self.alice_card.code, mail.body_html)
        self.assertIn("1.5", mail.body_html)  # Silver's points multiplier

    def test_no_upgrade_email_without_address(self):
        self.bob.email = False
        self._confirm_order(self.bob, 1200)
        self.assertEqual(self.bob_card.tier_id, self.tier_silver)
        self.assertFalse(self._history(self.bob)[-1].upgrade_mail_pending)
        self._send_upgrade_mails()
        self.assertFalse(
            self.env["mail.mail"].search([
                ("model", "=", "loyalty.tier.history"),
                ("res_id", "in", self._history(self.bob).ids),
            ])
        )

    def test_spend_adds_up_over_the_window(self):
        self._confirm_order(self.alice, 600)
        self.assertEqual(self.alice_card.tier_id, self.tier_member)
        self.assertEqual(len(self._history(self.alice)), 1, "no change, no history line")
        self._confirm_order(self.alice, 450)
        self.assertEqual(self.alice_card.tier_id, self.tier_silver)

    def test_quotations_and_cancelled_orders_do_not_count(self):
        quotation = self.env["sale.order"].create({
            "partner_id": self.alice.id,
            "order_line": [(0, 0, {"product_id": self.product.id, "price_unit": 9000})],
        })
        cancelled = self._confirm_order(self.alice, 800)
        cancelled._action_cancel()
        self._confirm_order(self.alice, 300)
        self.assertEqual(quotation.state, "draft")
        self.assertEqual(cancelled.state, "cancel")
        self.assertEqual(self.alice_card.tier_id, self.tier_member)

    def test_upgrade_skips_tiers(self):
        self._confirm_order(self.alice, 6000)
        self.assertEqual(self.alice_card.tier_id, self.tier_gold)
        changes = self._history(self.alice).filtered(lambda line: line.direction == "up")
        self.assertRecordValues(
            changes, [{"old_tier_id": self.tier_member.id, "new_tier_id": self.tier_gold.id}]
        )

    def test_spend_counted_in_company_currency(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create({
            "name": "2000-01-01", "rate": 2.0, "currency_id": eur.id, "company_id": self.company.id,
        })
        pricelist = self.env["product.pricelist"].create({
            "name": "Euro customers", "currency_id": eur.id, "company_id": self.company.id,
        })
        order = self._confirm_order(self.alice, 1500, pricelist=pricelist)
        self.assertEqual((order.currency_id, order.amount_total, order.currency_rate),
                         (eur, 1500.0, 2.0))
        # 1,500 EUR is 750 USD: not enough for Silver (1,000 USD).
        self.assertEqual(self.alice_card.tier_id, self.tier_member)
        self._confirm_order(self.alice, 600, pricelist=pricelist)  # 300 USD more
        self.assertEqual(self.alice_card.tier_id, self.tier_silver)

    def test_orders_count_metric(self):
        (self.tier_silver | self.tier_gold).active = False
        regular = self.env["loyalty.tier"].create({
            "name": "Regular", "sequence": 20, "metric": "orders", "threshold": 3,
        })
        self._confirm_order(self.alice, 10)
        self._confirm_order(self.alice, 10)
        self.assertEqual(self.alice_card.tier_id, self.tier_member)
        order = self._confirm_order(self.alice, 10)
        self.assertEqual(self.alice_card.tier_id, regular)
        self.assertEqual(self._history(self.alice)[-1].sale_order_id, order)

    def test_points_metric(self):
        (self.tier_silver | self.tier_gold).active = False
        collector = self.env["loyalty.tier"].create({
            "name": "Collector", "sequence": 20, "metric": "points", "threshold": 500,
        })
        self._confirm_order(self.alice, 400)
        self.assertEqual(self.alice_card.points, 400)
        self.assertEqual(self.alice_card.tier_id, self.tier_member)
        self._confirm_order(self.alice, 200)
        self.assertEqual(self.alice_card.points, 600)
        self.assertEqual(self.alice_card.tier_id, collector)

    def test_order_of_a_members_contact_upgrades_the_member(self):
        acme = self.env["res.partner"].create({"name": "Acme", "is_company": True})
        dan = self.env["res.partner"].create({"name": "Dan", "parent_id": acme.id})
        acme_card = self._enrol(acme)
        order = self._confirm_order(dan, 1200)
        self.assertEqual(acme_card.tier_id, self.tier_silver)
        self.assertEqual(self._history(acme)[-1].sale_order_id, order)

    def test_update_is_idempotent(self):
        self._confirm_order(self.alice, 1200)
        history = self._history(self.alice)
        cards = self.alice_card | self.bob_card
        self.assertFalse(cards._loyalty_update_tiers(reason="manual"))
        self.assertEqual(self._history(self.alice), history)
        self.assertEqual(cards.tier_id, self.tier_member | self.tier_silver)


@tagged("post_install", "-at_install")
class TestTierReview(LoyaltyCommon):
    """The daily review: downgrades after the grace period, once a day.

    Alice spent 1,200 on 2024-03-01 (Silver, 30 days of grace); Bob spent 6,000 on
    2024-03-01 (Gold, 15 days of grace) and 1,500 on 2024-09-01. Both orders of 2024-03-01 leave
    the 12-month window on 2025-03-02."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2024-03-01 10:00:00"):
            cls.alice_card, cls.bob_card = cls._enrol(cls.alice | cls.bob).sorted(
                lambda c: c.partner_id == cls.bob
            )
        cls._confirm_order(cls.alice, 1200, date="2024-03-01 12:00:00")
        cls._confirm_order(cls.bob, 6000, date="2024-03-01 12:00:00")
        cls._confirm_order(cls.bob, 1500, date="2024-09-01 12:00:00")
        assert cls.alice_card.tier_id == cls.tier_silver and cls.bob_card.tier_id == cls.tier_gold

    def test_grace_period_then_downgrade(self):
        # Still within the window: nothing to do.
        self._run_cron("2025-03-01 12:00:00")
        self.assertEqual(self.alice_card.tier_id, self.tier_silver)
        self.assertFalse(self.alice_card.tier_downgrade_date)

        # The order left the window: the grace period starts, the tier stays.
        history = self._history(self.alice)
        self._run_cron("2025-03-05 12:00:00")
        self.assertEqual(self.alice_card.tier_id, self.tier_silver)
        self.assertEqual(str(self.alice_card.tier_downgrade_date), "2025-04-04")
        self.assertEqual(str(self.alice.loyalty_tier_downgrade_date), "2025-04-04")
        self.assertEqual(self._history(self.alice), history)

        # Before the date: nothing changes.
        self._run_cron("2025-04-03 12:00:00")
        self.assertEqual(self.alice_card.tier_id, self.tier_silver)
        self.assertEqual(str(self.alice_card.tier_downgrade_date), "2025-04-04")
        self.assertEqual(self._history(self.alice), history)

        # On the date: downgraded.
        self._run_cron("2025-04-04 12:00:00")
        self.assertEqual(self.alice_card.tier_id, self.tier_member)
        self.assertFalse(self.alice_card.tier_downgrade_date)
        self.assertEqual(self.alice.loyalty_tier_id, self.tier_member)
        downgrade = self._history(self.alice) - history
        self.assertRecordValues(downgrade, [{
            "old_tier_id": self.tier_silver.id, "new_tier_id": self.tier_member.id,
            "direction": "down", "reason": "cron", "sale_order_id": False,
        }])
        self.assertEqual(str(downgrade.date), "2025-04-04 12:00:00")
        self.assertIn(
            "Membership tier changed from Silver to Member (Scheduled review).",
            self.alice.message_ids.mapped("preview"),
        )
        self.assertFalse(downgrade.upgrade_mail_pending)
        self.env["loyalty.tier.history"]._cron_send_upgrade_mails()
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "loyalty.tier.history"), ("res_id", "=", downgrade.id)]
            ),
            "no e-mail on a downgrade",
        )

    def test_downgrade_after_the_date_was_missed(self):
        self._run_cron("2025-03-05 12:00:00")
        self._run_cron("2025-05-20 12:00:00")  # the cron did not run on 2025-04-04
        self.assertEqual(self.alice_card.tier_id, self.tier_member)

    def test_downgrade_to_the_tier_still_qualified_for(self):
        # Bob's 1,500 of 2024-09-01 still count: Gold -> Silver after Gold's 15 days of grace.
        self._run_cron("2025-03-05 12:00:00")
        self.assertEqual(str(self.bob_card.tier_downgrade_date), "2025-03-20")
        self._run_cron("2025-03-19 12:00:00")
        self.assertEqual(self.bob_card.tier_id, self.tier_gold)
        self._run_cron("2025-03-20 12:00:00")
        self.assertEqual(self.bob_card.tier_id, self.tier_silver)
        self.assertRecordValues(self._history(self.bob)[-1], [{
            "old_tier_id": self.tier_gold.id, "new_tier_id": self.tier_silver.id,
            "direction": "down", "reason": "cron",
        }])
        self.assertEqual(self.bob.loyalty_tier_id, self.tier_silver)
        # Silver is deserved until 2025-09-01: no new grace period.
        self._run_cron("2025-03-21 12:00:00")
        self.assertEqual(self.bob_card.tier_id, self.tier_silver)
        self.assertFalse(self.bob_card.tier_downgrade_date)

    def test_no_grace_period(self):
        self.tier_silver.grace_days = 0
        self._run_cron("2025-03-05 12:00:00")
        self.assertEqual(self.alice_card.tier_id, self.tier_member)
        self.assertFalse(self.alice_card.tier_downgrade_date)

    def test_qualifying_again_cancels_the_downgrade(self):
        self._run_cron("2025-03-05 12:00:00")
        self.assertTrue(self.alice_card.tier_downgrade_date)
        history = self._history(self.alice)

        self._confirm_order(self.alice, 1000, date="2025-03-10 12:00:00")
        self.assertEqual(self.alice_card.tier_id, self.tier_silver)
        self.assertFalse(self.alice_card.tier_downgrade_date)
        self.assertEqual(self._history(self.alice), history, "keeping a tier is not a change")

        self._run_cron("2025-04-04 12:00:00")
        self.assertEqual(self.alice_card.tier_id, self.tier_silver)
        self.assertFalse(self.alice_card.tier_downgrade_date)

    def test_order_confirmation_never_downgrades(self):
        # Out of the window, a small order neither downgrades nor starts the grace period.
        self._confirm_order(self.alice, 50, date="2025-03-05 12:00:00")
        self.assertEqual(self.alice_card.tier_id, self.tier_silver)
        self.assertFalse(self.alice_card.tier_downgrade_date)

    def test_cron_twice_the_same_day(self):
        # Day the grace period starts.
        self._run_cron("2025-03-05 12:00:00")
        due_dates = (self.alice_card.tier_downgrade_date, self.bob_card.tier_downgrade_date)
        self.assertEqual(self._run_cron("2025-03-05 18:00:00"), 0)
        self.assertEqual(
            (self.alice_card.tier_downgrade_date, self.bob_card.tier_downgrade_date), due_dates
        )

        # Day of the downgrade.
        self.assertGreaterEqual(self._run_cron("2025-04-04 12:00:00"), 2)
        history = self._history(self.alice) | self._history(self.bob)
        tiers = (self.alice_card.tier_id, self.bob_card.tier_id)
        self.assertEqual(tiers, (self.tier_member, self.tier_silver))
        self.assertEqual(self._run_cron("2025-04-04 23:00:00"), 0)
        self.assertEqual(self._history(self.alice) | self._history(self.bob), history)
        self.assertEqual((self.alice_card.tier_id, self.bob_card.tier_id), tiers)
        self.assertEqual(str(self.alice_card.tier_reviewed_date), "2025-04-04")

    def test_cron_upgrades_members_too(self):
        # A tier made easier: the daily review moves the members who now qualify.
        with freeze_time("2024-06-01 12:00:00"):
            self.tier_gold.threshold = 1100
        self._run_cron("2024-06-01 12:00:00")
        self.assertEqual(self.alice_card.tier_id, self.tier_gold)
        self.assertRecordValues(self._history(self.alice)[-1], [{
            "old_tier_id": self.tier_silver.id, "new_tier_id": self.tier_gold.id,
            "direction": "up", "reason": "cron",
        }])
