from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .test_pos_combo import PosComboCommon


@tagged("post_install", "-at_install")
class TestComboReport(PosComboCommon):
    """The report of combo sales by tier, on a small data set (no taxes), dates in 2026:

    ======  =======  =========================================  ====  =======  ======
    date    channel  sale                                       qty   revenue  tier
    ======  =======  =========================================  ====  =======  ======
    01-10   Sales    Alice, 2 Plain Menus (1 credited 01-20)     1     300.00  Member
    01-10   POS      Bob, 1 Plain Menu                           1     300.00  Member
    02-01   -        Bob becomes Gold
    02-10   POS      Bob, 1 Gold Menu                            1     300.00  Gold
    02-12   POS      its refund                                 -1    -300.00  Gold
    02-15   POS      Bob, 1 Gold Menu at 250.00                  1     250.00  Gold
    02-20   POS      Carol (no member), 1 Plain Menu             1     300.00  (none)
    ======  =======  =========================================  ====  =======  ======

    Not counted: a quotation, the combos' items, another company's order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.loyalty_auto_enroll = False
        # The members joined on 2026-01-01.
        cls.env.cr.execute(
            "UPDATE loyalty_tier_history SET date = '2026-01-01 08:00:00' WHERE card_id IN %s",
            [tuple((cls.alice_card | cls.bob_card).ids)],
        )
        cls.env.invalidate_all()
        cls.Report = cls.env["loyalty.combo.sale.report"]

    def _so(self, partner, menu, qty, company=None):
        company = company or self.company
        order = self.env["sale.order"].with_company(company).create({
            "partner_id": partner.id, "company_id": company.id,
            "order_line": [Command.create({"product_id": menu.id, "product_uom_qty": qty})],
        })
        order.order_line = [
            Command.create({
                "product_id": item.product_id.id, "product_uom_qty": qty,
                "combo_item_id": item.id, "linked_line_id": order.order_line.id,
                "tax_id": [Command.clear()],
            })
            for item in (self.main | self.side).combo_item_ids
        ]
        return order

    def _pos(self, when, customer, menu, prices=(200.0, 100.0), qty=1, refund_of=None):
        data = self._combo_data(customer, menu, qty=qty, prices=prices, refund_of=refund_of)
        data["date_order"] = when
        with freeze_time(when):
            return self._sync(data)

    def _sell_data_set(self):
        with freeze_time("2026-01-10 09:00:00"):
            alice_order = self._so(self.alice, self.plain_menu, 2)
            alice_order.action_confirm()
        self.assertAlmostEqual(alice_order.amount_total, 600.0)
        with freeze_time("2026-01-20 09:00:00"):
            invoice = alice_order._create_invoices()
            invoice.action_post()
            wizard = self.env["account.move.reversal"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"reason": "One menu returned", "journal_id": invoice.journal_id.id})
            refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
            refund.invoice_line_ids.quantity = 1
            refund.action_post()
        self._pos("2026-01-10 10:00:00", self.bob, self.plain_menu)
        with freeze_time("2026-02-01 08:00:00"):
            self._set_tier(self.bob_card, self.tier_gold)
        gold_order = self._pos("2026-02-10 10:00:00", self.bob, self.gold_menu)
        self._pos("2026-02-12 10:00:00", self.bob, self.gold_menu, qty=-1, refund_of=gold_order)
        self._pos("2026-02-15 10:00:00", self.bob, self.gold_menu, prices=(150.0, 100.0))
        self._pos("2026-02-20 10:00:00", self.carol, self.plain_menu)
        self._so(self.carol, self.plain_menu, 5)  # a quotation
        return alice_order

    def test_figures_by_tier(self):
        alice_order = self._sell_data_set()
        self.env.flush_all()
        rows = self.Report.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(rows), 6, "one row per combo line, none per item")
        self.assertRecordValues(rows.sorted(lambda r: (r.date, r.id)), [
            {"origin": "sale", "partner_id": self.alice.id,
             "product_id": self.plain_menu.id, "tier_id": self.tier_member.id,
             "quantity": 1.0, "revenue": 300.0},
            {"origin": "pos", "partner_id": self.bob.id, "product_id": self.plain_menu.id,
             "tier_id": self.tier_member.id, "quantity": 1.0, "revenue": 300.0},
            {"origin": "pos", "partner_id": self.bob.id, "product_id": self.gold_menu.id,
             "tier_id": self.tier_gold.id, "quantity": 1.0, "revenue": 300.0},
            {"origin": "pos", "partner_id": self.bob.id, "product_id": self.gold_menu.id,
             "tier_id": self.tier_gold.id, "quantity": -1.0, "revenue": -300.0},
            {"origin": "pos", "partner_id": self.bob.id, "product_id": self.gold_menu.id,
             "tier_id": self.tier_gold.id, "quantity": 1.0, "revenue": 250.0},
            {"origin": "pos", "partner_id": self.carol.id, "product_id": self.plain_menu.id,
             "tier_id": False, "quantity": 1.0, "revenue": 300.0},
        ])
        self.assertEqual(rows.filtered(lambda r: r.origin == "sale").sale_order_id, alice_order)
        groups = self.Report._read_group(
            [("company_id", "=", self.company.id)], ["tier_id"], ["quantity:sum", "revenue:sum"]
        )
        self.assertEqual(
            {tier.name or None: (qty, revenue) for tier, qty, revenue in groups},
            {"Member": (2.0, 600.0), "Gold": (1.0, 250.0), None: (1.0, 300.0)},
        )

    def test_tier_before_the_orders_own_upgrade(self):
        """An order that upgrades its customer was bought at the tier held before it."""
        with freeze_time("2026-03-01 09:00:00"):
            order = self._so(self.alice, self.plain_menu, 4)  # 1,200 spent: Gold from 1,000
            order.action_confirm()
        self.assertEqual(self.alice_card.tier_id, self.tier_gold)
        self.assertTrue(self.alice_card.tier_history_ids.filtered(
            lambda h: h.sale_order_id == order and h.new_tier_id == self.tier_gold))
        self.env.flush_all()
        row = self.Report.search([("sale_order_id", "=", order.id)])
        self.assertRecordValues(row, [{"tier_id": self.tier_member.id, "quantity": 4.0,
                                       "revenue": 1200.0}])

    def test_company_rule(self):
        self._sell_data_set()
        other = self.env["res.company"].create({"name": "Other Combo Shop"})
        self.env.user.company_ids |= other
        other_order = self._so(self.carol, self.plain_menu, 1, company=other)
        other_order.with_company(other).action_confirm()
        self.env.flush_all()
        user = self._new_user(
            "combo_report_user", "base.group_user,customer_loyalty.group_loyalty_user"
        )
        seen = self._as(user, self.Report).search([])
        self.assertEqual(len(seen), 6)
        self.assertEqual(seen.company_id, self.company)
        everything = self.Report.with_context(
            allowed_company_ids=(self.company | other).ids
        ).search([])
        self.assertEqual(everything.filtered(lambda r: r.company_id == other).sale_order_id,
                         other_order)
        cashier_sees = self.env["ir.model.access"].with_user(self.cashier).check(
            "loyalty.combo.sale.report", "read", raise_exception=False
        )
        self.assertFalse(cashier_sees, "cashiers do not read the report")
