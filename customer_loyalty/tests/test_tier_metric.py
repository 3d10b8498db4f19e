from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.point_of_sale.tests.common import TestPoSCommon
from odoo.tests import tagged

from .common import MONEY_RULE, LedgerAssertions
from .common_points import PointsCommon


@tagged("post_install", "-at_install")
class TestTierMetricIncremental(LedgerAssertions, TestPoSCommon):
    """A confirmation adds its order to what is known of the member's spend (no query); what
    changes the past (cancellation, credit note, POS order or refund) makes the next update
    recompute it, and the daily review recomputes it from scratch.

    TestPoSCommon's company (USD, a chart of accounts, a POS); tiers on the 12-month spend:
    Member (0), Silver (1,000), Gold (5,000), and "Regular" on the number of orders (100, never
    reached here: it makes the engine keep that metric too). No taxes on the products."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.config = cls.basic_config
        cls.program = cls.company.loyalty_program_id
        cls.program.write({
            "points_validity_months": 0, "points_pending_days": 0, "pos_ok": True,
            "pos_config_ids": [Command.set(cls.config.ids)],
            "rule_ids": [Command.clear(), Command.create(MONEY_RULE)],
        })
        cls.company.loyalty_tier_ids.unlink()
        cls.tier_member, cls.tier_silver, cls.tier_gold, cls.tier_regular = cls.env[
            "loyalty.tier"
        ].create([
            {"name": "Member", "sequence": 10, "threshold": 0, "company_id": cls.company.id},
            {"name": "Silver", "sequence": 20, "threshold": 1000, "company_id": cls.company.id},
            {"name": "Gold", "sequence": 30, "threshold": 5000, "grace_days": 15,
             "company_id": cls.company.id},
            {"name": "Regular", "sequence": 40, "metric": "orders", "threshold": 100,
             "company_id": cls.company.id},
        ])
        cls.lamp = cls.env["product.product"].create({
            "name": "Metric Lamp", "type": "consu", "available_in_pos": True,
            "list_price": 100.0, "taxes_id": [Command.clear()],
        })
        cls.service = cls.env["product.product"].create({
            "name": "Metric Service", "type": "service", "list_price": 1.0,
            "invoice_policy": "order", "taxes_id": [Command.clear()],
        })
        cls.cashier = mail_new_test_user(
            cls.env, login="metric_pos_cashier", name="Metric Cashier",
            groups="base.group_user,point_of_sale.group_pos_user",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
        )
        cls.alice = cls.env["res.partner"].create({"name": "Alice Metric"})
        with freeze_time("2025-01-10 09:00:00"):
            cls.alice.with_company(cls.company).action_loyalty_enroll()
        cls.card = cls.company._loyalty_member_cards(cls.alice)

    def setUp(self):
        super().setUp()
        self.open_new_session()
        Card = type(self.env["loyalty.card"])
        self.metric_queries = patch.object(
            Card, "_loyalty_metric_rows", autospec=True, side_effect=Card._loyalty_metric_rows
        )

    # -- helpers ------------------------------------------------------------------------

    def _confirm(self, amount, when):
        order = self.env["sale.order"].create({
            "partner_id": self.alice.id,
            "order_line": [Command.create({
                "product_id": self.service.id, "product_uom_qty": 1, "price_unit": amount,
                "tax_id": [Command.clear()],
            })],
        })
        with freeze_time(when):
            order.action_confirm()
        return order

    def _pos(self, lines, when):
        """A POS order (``lines``: (product or refunded line, qty) pairs) synced by the cashier."""
        with freeze_time(when):
            data = self.create_ui_order_data(
                [
                    {"product": line.product_id, "quantity": qty, "refunded_orderline_id": line.id}
                    if line._name == "pos.order.line" else (line, qty)
                    for line, qty in lines
                ],
                customer=self.alice,
            )
            result = self.env["pos.order"].with_user(self.cashier).sync_from_ui([data])
        self.env.invalidate_all()
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    def _credit_note(self, order, when):
        with freeze_time(when):
            invoice = order._create_invoices()
            invoice.action_post()
            wizard = self.env["account.move.reversal"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"reason": "Returned", "journal_id": invoice.journal_id.id})
            refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
            refund.action_post()
        return refund

    def _known(self, metric="spend"):
        """The known value of ``metric`` (False when forgotten)."""
        self.card.invalidate_recordset(["tier_metric_cache"])
        entry = (self.card.sudo().tier_metric_cache or {}).get(f"{metric}:12")
        return entry and entry[0]

    def _recomputed(self, metric, when):
        with freeze_time(when):
            start = self.tier_member._window_start()
            return self.card._loyalty_metric_values(metric, start).get(self.card.id, 0.0)

    # -- tests --------------------------------------------------------------------------

    def test_confirmation_adds_its_order_without_a_query(self):
        self.assertEqual(self._known(), 0.0, "enrolment computed it")
        with self.metric_queries as rows:
            self._confirm(1000, "2025-01-10 10:00:00")
            self._confirm(250, "2025-01-10 10:01:00")
        self.assertEqual(rows.call_count, 0, "both orders added to what was known")
        self.assertEqual(self._known(), 1250.0)
        self.assertEqual(self._known("orders"), 2.0)
        self.assertEqual(self.card.tier_id, self.tier_silver)
        self.assertAlmostEqual(self._recomputed("spend", "2025-01-10 10:02:00"), 1250.0)

    def test_mixed_sequence_equals_a_full_recompute(self):
        """Hand figures, spend / orders:

        ==========  =======================================  ======  ======
        time        event                                    spend   orders
        ==========  =======================================  ======  ======
        10:00       order A 1,000 (Silver)                   1,000   1
        10:01       POS order: 3 lamps, 300                  1,300   2
        10:02       order B 700                              2,000   3
        10:03       order B cancelled                        1,300   2
        10:04       order C 500                              1,800   3
        10:05       credit note of all of order A            800     2
        10:06       POS refund of 1 lamp (-100, no order)    700     2
        10:07       order D 2,000                            2,700   3
        10:08       order E 2,400 (Gold)                     5,100   4
        ==========  =======================================  ======  ======
        """
        with self.metric_queries as rows:
            order_a = self._confirm(1000, "2025-01-10 10:00:00")
            self.assertEqual((self._known(), rows.call_count), (1000.0, 0))
            pos_order = self._pos([(self.lamp, 3)], "2025-01-10 10:01:00")
            self.assertEqual(self._known(), 1300.0, "the POS order is recounted in full")
            order_b = self._confirm(700, "2025-01-10 10:02:00")
            self.assertEqual(self._known(), 2000.0)
            with freeze_time("2025-01-10 10:03:00"):
                order_b._action_cancel()
            self.assertFalse(self._known(), "a cancellation forgets the known spend")
            self._confirm(500, "2025-01-10 10:04:00")
            self.assertEqual(self._known(), 1800.0)
            self._credit_note(order_a, "2025-01-10 10:05:00")
            self.assertFalse(self._known(), "a credit note forgets it")
            self._pos([(pos_order.lines, -1)], "2025-01-10 10:06:00")
            self.assertFalse(self._known(), "a POS refund forgets it")
            self._confirm(2000, "2025-01-10 10:07:00")
            self.assertEqual(self._known(), 2700.0)
            calls = rows.call_count
            self._confirm(2400, "2025-01-10 10:08:00")
            self.assertEqual(rows.call_count, calls, "order E was added, not queried")
        self.assertEqual((self._known(), self._known("orders")), (5100.0, 4.0))
        self.assertAlmostEqual(self._recomputed("spend", "2025-01-10 10:09:00"), 5100.0)
        self.assertAlmostEqual(self._recomputed("orders", "2025-01-10 10:09:00"), 4.0)
        self.assertEqual(self.card.tier_id, self.tier_gold)

        # The daily review recomputes from scratch and finds the same; a second run is a no-op.
        with freeze_time("2025-01-11 03:00:00"):
            self.assertEqual(self.env["loyalty.card"]._cron_update_tiers(), 0)
            self.assertEqual((self._known(), self._known("orders")), (5100.0, 4.0))
            cache = self.card.sudo().tier_metric_cache
            self.assertEqual(self.env["loyalty.card"]._cron_update_tiers(), 0)
            self.card.invalidate_recordset(["tier_metric_cache"])
            self.assertEqual(self.card.sudo().tier_metric_cache, cache)
        self.assertEqual(self.card.tier_id, self.tier_gold)

    def test_an_order_leaving_the_window_makes_it_recompute(self):
        self._confirm(1000, "2025-01-10 10:00:00")
        self.assertEqual(self._known(), 1000.0)
        # A year and a day later, without a review in between: the order of 2025-01-10 no
        # longer counts, whatever was known.
        self._confirm(100, "2026-01-11 10:00:00")
        self.assertEqual(self._known(), 100.0)
        self.assertAlmostEqual(self._recomputed("spend", "2026-01-11 10:01:00"), 100.0)

    def test_a_new_holder_forgets_the_former_holders_spend(self):
        self._confirm(1000, "2025-01-10 10:00:00")
        bob = self.env["res.partner"].create({"name": "Bob Metric"})
        self.card.partner_id = bob
        self.assertFalse(self._known())
        self.assertEqual(self._recomputed("spend", "2025-01-10 10:01:00"), 0.0)

    def test_the_known_spend_is_not_readable_over_rpc(self):
        self._confirm(1000, "2025-01-10 10:00:00")
        card = self.card.with_user(self.cashier)
        self.assertNotIn("tier_metric_cache", card.fields_get())


@tagged("post_install", "-at_install")
class TestTierCreditNotes(PointsCommon):
    """Credit notes lower the spend and the number of orders tiers are computed from (as POS
    refunds lower the spend). Tiers of LoyaltyCommon: Member 0, Silver 1,000, Gold 5,000 (15
    days of grace)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_invoicing()
        with freeze_time("2025-06-01 09:00:00"):
            cls.card = cls._enrol(cls.alice)

    def test_full_credit_note_downgrades_after_the_grace_period(self):
        order = self._confirm_order(self.alice, 6000, date="2025-06-01 10:00:00")
        self.assertEqual(self.card.tier_id, self.tier_gold)
        with freeze_time("2025-06-01 11:00:00"):
            self._credit_note(self._invoice(order))
        self.assertEqual(self.card.tier_id, self.tier_gold, "no downgrade outside the review")

        # The review: 6,000 - 6,000 = 0 spent, Member's level; Gold's 15 days of grace first.
        self._run_cron("2025-06-02 03:00:00")
        self.assertEqual(self.card.tier_id, self.tier_gold)
        self.assertEqual(str(self.card.tier_downgrade_date), "2025-06-17")
        self._run_cron("2025-06-17 03:00:00")
        self.assertEqual(self.card.tier_id, self.tier_member)
        self.assertEqual(self.alice.loyalty_tier_id, self.tier_member)

    def test_partial_credit_note_lowers_the_spend_by_its_amount(self):
        order = self._confirm_order(self.alice, 6000, date="2025-06-01 10:00:00")
        with freeze_time("2025-06-01 11:00:00"):
            refund = self._credit_note(self._invoice(order), post=False)
            refund.invoice_line_ids.price_unit = 1500
            refund.action_post()
        with freeze_time("2025-06-02 03:00:00"):
            start = self.tier_member._window_start()
            self.assertAlmostEqual(
                self.card._loyalty_metric_values("spend", start)[self.card.id], 4500.0
            )
            # Partly refunded, the order still counts as an order.
            self.assertEqual(self.card._loyalty_metric_values("orders", start)[self.card.id], 1)
        self._run_cron("2025-06-02 03:00:00")
        self.assertEqual(str(self.card.tier_downgrade_date), "2025-06-17")  # 4,500 < 5,000

    def test_fully_refunded_order_is_no_longer_an_order(self):
        (self.tier_silver | self.tier_gold).active = False
        regular = self.env["loyalty.tier"].create({
            "name": "Regular", "sequence": 20, "metric": "orders", "threshold": 2,
            "grace_days": 0,
        })
        first = self._confirm_order(self.alice, 100, date="2025-06-01 10:00:00")
        self._confirm_order(self.alice, 100, date="2025-06-01 10:05:00")
        self.assertEqual(self.card.tier_id, regular)
        with freeze_time("2025-06-01 11:00:00"):
            self._credit_note(self._invoice(first))
        self._run_cron("2025-06-02 03:00:00")
        self.assertEqual(self.card.tier_id, self.tier_member, "1 order left: below 2")
