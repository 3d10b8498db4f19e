from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common_points import PointsCommon


@tagged("post_install", "-at_install")
class TestLedgerMerge(PointsCommon):
    """Odoo's contact merge (``base.partner.merge.automatic.wizard``) moves the merged members'
    points through the ledger: their balances add up on the surviving card, each ledger still
    equals its balance, and points keep their expiry dates."""

    def _merge(self, partners, dst):
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        wizard._merge(partners.ids, dst)

    def test_merge_two_members_moves_the_points_through_the_ledger(self):
        self._earn(self.alice, 120)
        self._earn(self.bob, 30)
        self._merge(self.alice | self.bob, self.alice)
        self.assertFalse(self.bob.exists(), "Bob was merged into Alice")
        self.assertTrue(self.alice_card.active)
        self.assertFalse(self.bob_card.active)
        self.assertEqual(self.bob_card.merged_into_id, self.alice_card)
        self.assertRecordValues(self._lines(self.alice_card), [
            {"entry_type": "order", "issued": 120, "used": 0, "balance_after": 120,
             "merged_card_id": False},
            {"entry_type": "merge", "issued": 30, "used": 0, "balance_after": 150,
             "merged_card_id": self.bob_card.id},
        ])
        self.assertBalance(self.alice_card, 150)
        self.assertRecordValues(self._lines(self.bob_card), [
            {"entry_type": "order", "issued": 30, "used": 0, "balance_after": 30,
             "merged_card_id": False},
            {"entry_type": "merge", "issued": 0, "used": 30, "balance_after": 0,
             "merged_card_id": self.alice_card.id},
        ])
        self.assertBalance(self.bob_card, 0)
        # The surviving contact has one member card.
        self.assertEqual(self.company._loyalty_member_cards(self.alice), self.alice_card)

    def test_merged_spend_upgrades_the_surviving_member(self):
        self._earn(self.alice, 600)
        self._earn(self.bob, 500)  # Silver from 1,000 in 12 months: neither alone
        self.assertEqual(self.alice_card.tier_id, self.tier_member)
        self._merge(self.alice | self.bob, self.alice)
        self.assertEqual(self.alice_card.tier_id, self.tier_silver)
        upgrade = self.alice_card.tier_history_ids.filtered(
            lambda line: line.new_tier_id == self.tier_silver
        )
        self.assertEqual(upgrade.note, "Contacts merged")

    def test_merge_into_a_contact_without_card_keeps_the_card(self):
        self._earn(self.bob, 30)
        self._merge(self.bob | self.carol, self.carol)
        self.assertEqual(self.bob_card.partner_id, self.carol)
        self.assertTrue(self.bob_card.active)
        self.assertBalance(self.bob_card, 30)
        self.assertEqual(len(self._lines(self.bob_card)), 1, "nothing to move")

    def test_merged_points_keep_their_expiry_dates(self):
        self.program.points_validity_months = 12
        self._earn(self.alice, 100, date="2026-01-10")
        self._earn(self.bob, 40, date="2026-03-05")
        self._earn(self.bob, 60, date="2026-06-20")
        self._redeem(self.bob, 200, self.reward_voucher, date="2026-07-01")  # -100, +200
        # Bob's FIFO: the 40 and the 60 were spent by the voucher; 200 expire on 2027-07-01.
        with freeze_time("2026-08-01"):
            self._merge(self.alice | self.bob, self.alice)
        moved = self._lines(self.alice_card, entry_type="merge")
        self.assertRecordValues(moved, [
            {"issued": 200, "expiry_date": date(2027, 7, 1), "merged_card_id": self.bob_card.id},
        ])
        self.assertBalance(self.alice_card, 300)
        # On 2027-01-10 Alice's own 100 expire, on 2027-07-01 Bob's 200.
        with freeze_time("2027-01-10"):
            self.env["loyalty.card"]._cron_expire_points()
        self.assertBalance(self.alice_card, 200)
        with freeze_time("2027-07-01"):
            self.env["loyalty.card"]._cron_expire_points()
        self.assertBalance(self.alice_card, 0)

    def test_merge_of_a_member_in_debt(self):
        # Bob spent points, then the order that earned them was cancelled: he owes 80.
        earning = self._earn(self.bob, 120)
        self._redeem(self.bob, 20, self.reward_voucher)  # -100, +20
        self._cancel(earning)  # -120
        self.assertBalance(self.bob_card, -80)
        self._earn(self.alice, 50)
        self._merge(self.alice | self.bob, self.alice)
        self.assertBalance(self.alice_card, -30)
        self.assertBalance(self.bob_card, 0)
