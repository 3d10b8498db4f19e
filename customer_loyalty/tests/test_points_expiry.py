from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common_points import PointsCommon


@tagged("post_install", "-at_install")
class TestPointsExpiry(PointsCommon):
    """Points expire 12 months after they were earned, oldest first (FIFO): the daily cron
    writes one expiry line per card for what is left of the batches due, and members are
    e-mailed once before each expiry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program.write({"points_validity_months": 12, "points_expiry_warning_days": 14})

    def _history_of_alice(self):
        """150 points on 10 Jan 2024, 200 on 10 Jun 2024, then 100 spent (and 20 earned) on
        1 Sep 2024: the 100 spent come out of the January batch."""
        self._earn(self.alice, 150, date="2024-01-10 10:00:00")
        self._earn(self.alice, 200, date="2024-06-10 10:00:00")
        self._redeem(self.alice, 20, self.reward_voucher, date="2024-09-01 10:00:00")
        self.assertBalance(self.alice_card, 270)
        self.assertEqual(
            self._lines(self.alice_card).mapped("expiry_date"),
            [date(2025, 1, 10), date(2025, 6, 10), date(2025, 9, 1)],
        )

    def _expire(self, when):
        with freeze_time(when):
            self.env["loyalty.card"]._cron_expire_points()
        self.assertLedgerConsistent(self.alice_card)
        return self._lines(self.alice_card, entry_type="expiry")

    def _warn(self, when):
        with freeze_time(when):
            return self.env["loyalty.card"]._cron_warn_expiring_points()

    def _expiring(self, card, when):
        with freeze_time(when):
            card.invalidate_recordset(["points_expiring", "points_expiring_date"])
            return card.points_expiring, card.points_expiring_date

    def _warnings(self, card):
        return self.env["mail.mail"].search(
            [("model", "=", "loyalty.card"), ("res_id", "=", card.id)]
        )

    def test_fifo_expiry(self):
        self._history_of_alice()
        card = self.alice_card
        self.assertEqual(self._expiring(card, "2024-12-20"), (0.0, False))
        self.assertEqual(self._expiring(card, "2025-01-01"), (50.0, date(2025, 1, 10)))

        self.assertFalse(self._expire("2025-01-09"), "nothing is due yet")
        expired = self._expire("2025-01-10 00:30:00")
        # Of the January batch (150), 100 were spent in September: 50 are left to expire.
        self.assertRecordValues(expired, [{
            "entry_type": "expiry", "issued": 0.0, "used": 50.0, "balance_after": 220.0,
            "description": "Points expired", "order_id": 0,
        }])
        self.assertBalance(card, 220)
        self.assertEqual(self._expire("2025-01-10 18:00:00"), expired, "second run: nothing")
        self.assertEqual(self._expire("2025-01-11"), expired)

        # Another 100 spent in March come out of the June batch, which has 100 left in June.
        self._redeem(self.alice, 10, self.reward_voucher, date="2025-03-01")
        self.assertBalance(card, 130)
        self.assertEqual(self._expiring(card, "2025-06-01"), (100.0, date(2025, 6, 10)))
        expired = self._expire("2025-06-10")
        self.assertEqual(expired.mapped("used"), [50.0, 100.0])
        self.assertBalance(card, 30)
        # The cron did not run for a while: the next run catches up.
        expired = self._expire("2025-09-05")
        self.assertEqual(expired.mapped("used"), [50.0, 100.0, 20.0])
        self.assertBalance(card, 10)
        self.assertEqual(self._expiring(card, "2026-02-20"), (10.0, date(2026, 3, 1)))
        self.assertEqual(self._expire("2026-03-01").mapped("used"), [50.0, 100.0, 20.0, 10.0])
        self.assertBalance(card, 0)
        self.assertEqual(self._expire("2027-01-01").mapped("used"), [50.0, 100.0, 20.0, 10.0])
        self.assertEqual(len(self._lines(card)), 8)

    def test_spent_points_do_not_expire(self):
        """Everything earned was spent before the expiry: nothing to expire."""
        self._earn(self.alice, 100, date="2024-01-10")
        self._redeem(self.alice, 10, self.reward_voucher, date="2024-02-01")
        self.assertBalance(self.alice_card, 10)
        self.assertFalse(self._expire("2025-01-10"))
        self.assertEqual(self._expiring(self.alice_card, "2025-01-10"), (0.0, False))
        self.assertEqual(self._expire("2025-02-01").used, 10.0)
        self.assertBalance(self.alice_card, 0)

    def test_cancelled_order_leaves_nothing_to_expire(self):
        earning = self._earn(self.alice, 100, date="2024-01-10")
        with freeze_time("2024-02-01"):
            self._cancel(earning)
        self.assertBalance(self.alice_card, 0)
        self.assertFalse(self._expire("2025-01-10"))
        self.assertBalance(self.alice_card, 0)

    def test_cancelling_a_newer_order_keeps_the_older_expiry(self):
        """What a cancellation takes back comes out of that order's points, not the oldest:
        cancelling a June order leaves January's points to expire in January."""
        self._earn(self.alice, 100, date="2024-01-10")
        june = self._earn(self.alice, 200, date="2024-06-10")
        with freeze_time("2024-07-01"):
            self._cancel(june)
        self.assertBalance(self.alice_card, 100)
        self.assertEqual(self._expire("2025-01-10").used, 100.0)
        self.assertBalance(self.alice_card, 0)

    def test_cancelling_after_expiry_takes_back_nothing_expired(self):
        """An order cancelled after its points expired does not have them taken back a second
        time from the points of other orders."""
        earning = self._earn(self.alice, 100, date="2024-01-10")
        self._earn(self.alice, 50, date="2024-03-01")
        self.assertEqual(self._expire("2025-01-10").used, 100.0)
        self.assertBalance(self.alice_card, 50)
        with freeze_time("2025-01-15"):
            self._cancel(earning)
        self.assertBalance(self.alice_card, 50)

    def test_warning_once_per_expiry(self):
        self._history_of_alice()
        card = self.alice_card
        self.assertFalse(self._warn("2024-12-20"), "nothing expires within 14 days")
        self.assertFalse(self._warnings(card))

        self.assertEqual(self._warn("2024-12-28"), card)
        mail = self._warnings(card)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.alice)
        self.assertEqual(mail.subject, "Loyalty Test Shop: some of your points expire soon")
        self.assertIn("50 Points", mail.body_html)
        self.assertIn("01/10/2025", mail.body_html)
        self.assertEqual(card.points_expiry_warned_until, date(2025, 1, 11))

        self.assertFalse(self._warn("2024-12-28"), "second run the same day: no e-mail")
        self.assertFalse(self._warn("2024-12-29"), "already warned of this expiry")
        self.assertEqual(len(self._warnings(card)), 1)
        self.assertFalse(self._warnings(self.bob_card), "Bob has nothing expiring")

        # The next batch (200 points on 10 June) gets its own e-mail, once.
        self._expire("2025-01-10")
        self.assertFalse(self._warn("2025-05-20"))
        self.assertEqual(self._warn("2025-05-30"), card)
        self.assertFalse(self._warn("2025-05-31"))
        mails = self._warnings(card)
        self.assertEqual(len(mails), 2)
        self.assertIn("200 Points", mails.sorted("id")[-1].body_html)
