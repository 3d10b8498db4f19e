from datetime import date

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, freeze_time, tagged

DAY = "2026-05-05 10:00:00"


@tagged("post_install", "-at_install")
class TestOccasionGiftConcurrency(TransactionCase):
    """Two runs of the birthday gifts at the same moment (two crons, or the cron and a
    manager's "issue now") give one gift: the second waits on the gift's unique index, and
    once the first is committed it gives nothing, or fails and gives nothing (when its snapshot
    is older than the first's commit); its retry gives nothing.

    The test needs two real transactions: a member of the main company is committed (with the
    birthday rule of its tier, made if the tier has none) and deleted at the end."""

    def setUp(self):
        super().setUp()
        self.ids = {}
        self.addCleanup(self._delete_committed_data)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})
            company = env.ref("base.main_company")
            env = env(context=dict(env.context, allowed_company_ids=company.ids))
            partner = env["res.partner"].create({
                "name": "Gift Lock Test Member", "email": "gift.lock@example.com",
                "birthdate_date": date(1990, 5, 5), "tz": "UTC",
            })
            self.ids["partner"] = partner.id
            env.flush_all()
            # A birth date known for long (the field follows the birth date, set today here).
            cr.execute(
                "UPDATE res_partner SET birthdate_changed_date = NULL WHERE id = %s", [partner.id]
            )
            card = company._loyalty_enroll(partner)
            self.ids["card"] = card.id
            env.flush_all()
            cr.execute("UPDATE loyalty_card SET create_date = '2020-01-01' WHERE id = %s",
                       [card.id])
            rule = env["loyalty.tier.gift"].search(
                [("tier_id", "=", card.tier_id.id), ("occasion", "=", "birthday")]
            )
            if not rule:
                rule = env["loyalty.tier.gift"].create(
                    {"tier_id": card.tier_id.id, "occasion": "birthday", "points": 100}
                )
                self.ids["rule"] = rule.id
            self.ids["points"] = rule.points

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})

    def _issue(self, env):
        card = env["loyalty.card"].browse(self.ids["card"])
        with freeze_time(DAY):
            return env["loyalty.member.gift"]._loyalty_issue_occasion_gifts(cards=card)["gifts"]

    def _committed(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM loyalty_member_gift WHERE partner_id = %s",
                [self.ids["partner"]],
            )
            gifts = cr.fetchone()[0]
            cr.execute(
                "SELECT count(*), COALESCE(SUM(issued), 0) FROM loyalty_history "
                "WHERE card_id = %s AND entry_type = 'gift'",
                [self.ids["card"]],
            )
            return gifts, *cr.fetchone()

    def _delete_committed_data(self):
        if "partner" not in self.ids:
            return
        with self.registry.cursor() as cr:
            env = self._env(cr)
            partner_id = self.ids["partner"]
            # Gifts cannot be deleted through the ORM (on purpose); the coupons with them.
            cr.execute("DELETE FROM loyalty_member_gift WHERE partner_id = %s", [partner_id])
            cr.execute("DELETE FROM loyalty_gift_skip WHERE partner_id = %s", [partner_id])
            env["loyalty.card"].with_context(active_test=False).search(
                [("partner_id", "=", partner_id)]
            ).unlink()
            if "rule" in self.ids:
                env["loyalty.tier.gift"].browse(self.ids["rule"]).unlink()
            env["mail.message"].search(
                [("model", "=", "res.partner"), ("res_id", "=", partner_id)]
            ).unlink()
            env["res.partner"].browse(partner_id).unlink()

    def test_second_run_waits_then_gives_nothing(self):
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            gifts_a = self._issue(self._env(cr_a))
            self.assertEqual(len(gifts_a), 1)
            # B finds the same member due and waits on the unique index held by A.
            cr_b.execute("SET LOCAL lock_timeout = '1s'")
            with self.assertRaises(psycopg2.errors.LockNotAvailable):
                self._issue(self._env(cr_b))
            cr_b.rollback()
            cr_a.commit()
            # B's retry (a new transaction) sees A's gift.
            self.assertFalse(self._issue(self._env(cr_b)))
            cr_b.commit()
        finally:
            cr_a.close()
            cr_b.close()
        points = self.ids["points"]
        self.assertEqual(self._committed(), (1, 1 if points else 0, points))

    def test_run_with_an_older_snapshot_fails_and_gives_nothing(self):
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            cr_b.execute("SELECT 1")  # B's snapshot: before A's gift
            self.assertEqual(len(self._issue(self._env(cr_a))), 1)
            cr_a.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                self._issue(self._env(cr_b))
            cr_b.rollback()
            self.assertFalse(self._issue(self._env(cr_b)))
            cr_b.commit()
        finally:
            cr_a.close()
            cr_b.close()
        points = self.ids["points"]
        self.assertEqual(self._committed(), (1, 1 if points else 0, points))
