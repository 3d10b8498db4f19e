from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestPartnerTier(LoyaltyCommon):
    """The contact's tier (``res.partner.loyalty_tier_id``, per company) follows the member
    card. Alice spent 1,200: Silver."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.card = cls._enrol(cls.alice)
        cls._confirm_order(cls.alice, 1200)
        assert cls.card.tier_id == cls.tier_silver

    def _tier(self, partner):
        partner.invalidate_recordset()
        return partner.with_company(self.company).loyalty_tier_id

    def test_archived_card_clears_the_contacts_tier(self):
        self.assertEqual(self._tier(self.alice), self.tier_silver)
        self.card.action_archive()
        self.assertFalse(self._tier(self.alice))
        self.assertFalse(self.alice.with_company(self.company).loyalty_tier_name)
        self.assertFalse(self.alice.with_company(self.company).loyalty_is_member)
        self.card.action_unarchive()
        self.assertEqual(self._tier(self.alice), self.tier_silver)

    def test_card_given_to_another_holder(self):
        self.card.partner_id = self.carol
        self.assertFalse(self._tier(self.alice))
        self.assertEqual(self._tier(self.carol), self.tier_silver, "the card keeps its tier")
        self.assertEqual(self.carol.with_company(self.company).loyalty_tier_name, "Silver")

    def test_deleted_card_clears_the_contacts_tier(self):
        self.card.unlink()
        self.assertFalse(self._tier(self.alice))

    def test_other_companies_keep_their_tier(self):
        other = self.env["res.company"].create({"name": "Other Loyalty Shop"})
        other_card = self._enrol(self.alice, company=other)
        other_tier = other_card.tier_id
        self.assertTrue(other_tier)
        self.card.action_archive()
        self.assertFalse(self._tier(self.alice))
        self.alice.invalidate_recordset()
        self.assertEqual(self.alice.with_company(other).loyalty_tier_id, other_tier)


@tagged("post_install", "-at_install")
class TestPartnerListQueries(LoyaltyCommon):
    """The partner list and kanban show the tier badge of 20 members: it must not run the
    ledger's pending and expiry queries (only the form and the POS show expiring points)."""

    def test_tier_badge_reads_no_ledger(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Listed member {i:02d}"} for i in range(20)]
        )
        self._enrol(partners)
        self.env.flush_all()
        self.env.invalidate_all()
        with patch.object(Cursor, "execute", autospec=True, side_effect=Cursor.execute) as run:
            rows = partners.with_company(self.company).read(
                ["loyalty_tier_id", "loyalty_tier_color", "loyalty_tier_name", "loyalty_is_member"]
            )
        self.assertEqual({row["loyalty_tier_name"] for row in rows}, {"Member"})
        self.assertTrue(all(row["loyalty_is_member"] for row in rows))
        queries = [str(call.args[1]) for call in run.call_args_list]
        self.assertFalse([q for q in queries if "loyalty_history" in q])
        self.assertLessEqual(len(queries), 6, "a few queries for the 20 partners, not per row")

    def test_expiring_points_still_computed_for_the_form(self):
        card = self._enrol(self.alice)
        self.program.points_validity_months = 12
        self.program.points_expiry_warning_days = 400  # every point expires "soon"
        self._confirm_order(self.alice, 300)
        self.alice.invalidate_recordset()
        alice = self.alice.with_company(self.company)
        self.assertEqual(alice.loyalty_points_expiring, 300)
        self.assertEqual(alice.loyalty_points_expiring_date, card.points_expiring_date)
        self.assertTrue(alice.loyalty_points_expiring_date)


@tagged("post_install", "-at_install")
class TestLoyaltyIndexes(LoyaltyCommon):
    """What the crons and the refund flows filter on is indexed."""

    def _indexed(self, table):
        self.env.cr.execute(
            """
            SELECT array_agg(a.attname ORDER BY k.ord)
              FROM pg_index i
              JOIN pg_class t ON t.oid = i.indrelid
              CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
             WHERE t.relname = %s
             GROUP BY i.indexrelid
            """,
            [table],
        )
        return [tuple(row[0]) for row in self.env.cr.fetchall()]

    def test_indexes(self):
        card_indexes = self._indexed("loyalty_card")
        self.assertIn(("program_id",), card_indexes)
        self.assertIn(("tier_reviewed_date",), card_indexes)
        self.assertIn(("order_model", "order_id"), self._indexed("loyalty_history"))
