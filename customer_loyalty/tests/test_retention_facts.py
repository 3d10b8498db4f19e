from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common_pos import PosPointsCommon


@tagged("post_install", "-at_install")
class TestRetentionFacts(PosPointsCommon):
    """The retention facts on a small known history, Sales and POS mixed (all amounts untaxed):

    ======  ==========  ======  =================================  =========  =======
    who     day         where   what                               net        counted
    ======  ==========  ======  =================================  =========  =======
    Alice   2026-01-10  Sales   S1: 200                            200        #1
    Bob     2026-01-20  POS     P1: 2 lamps (200), both returned   0          no
    Alice   2026-02-15  Sales   S2: 300, credit note of 100        200        #2 (36 d)
    Alice   2026-03-01  POS     P2: lamp + 2 pens = 120.50         120.50     #3 (14 d)
    Carol   2026-03-05  Sales   S3: 150, then S4 cancelled         150        #1
    -       2026-03-06  POS     P3: a pen, no customer             10.25      no
    Bob     2026-04-01  Sales   S5: 500                            500        #1
    Alice   2026-04-02  Sales   S6 in another company: 80          80         #1 there
    ======  ==========  ======  =================================  =========  =======
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Retention Other Shop"})
        cls.env.user.company_ids |= cls.other_company
        cls.Orders = cls.env["loyalty.retention.order"]
        cls.Lines = cls.env["loyalty.retention.line"]

    def _sale(self, when, partner, amount, company=None, confirm=True):
        company = company or self.company
        with freeze_time(when):
            order = self.env["sale.order"].with_company(company).create({
                "partner_id": partner.id, "company_id": company.id,
                "order_line": [Command.create({
                    "product_id": self.lamp.id, "product_uom_qty": 1, "price_unit": amount,
                    "tax_id": [Command.clear()],
                })],
            })
            if confirm:
                order.action_confirm()
        return order

    def _credit(self, when, order, amount):
        with freeze_time(when):
            invoice = order._create_invoices()
            invoice.action_post()
            wizard = self.env["account.move.reversal"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"reason": "Partly returned", "journal_id": invoice.journal_id.id})
            refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
            refund.invoice_line_ids.price_unit = amount
            refund.action_post()
        return refund

    def _pos(self, when, customer, lines):
        with freeze_time(when):
            return self._sell(customer, lines)

    def _data_set(self):
        s1 = self._sale("2026-01-10 09:00:00", self.alice, 200.0)
        p1 = self._pos("2026-01-20 10:00:00", self.bob, [(self.lamp, 2)])
        with freeze_time("2026-01-25 10:00:00"):
            self._sync(self._refund_data(p1, {p1.lines: 2}, customer=self.bob))
        s2 = self._sale("2026-02-15 09:00:00", self.alice, 300.0)
        self._credit("2026-02-20 09:00:00", s2, 100.0)
        p2 = self._pos("2026-03-01 10:00:00", self.alice, [(self.lamp, 1), (self.pen, 2)])
        s3 = self._sale("2026-03-05 09:00:00", self.carol, 150.0)
        s4 = self._sale("2026-03-05 10:00:00", self.carol, 999.0)
        s4._action_cancel()
        p3 = self._pos("2026-03-06 10:00:00", False, [(self.pen, 1)])
        s5 = self._sale("2026-04-01 09:00:00", self.bob, 500.0)
        s6 = self._sale("2026-04-02 09:00:00", self.alice, 80.0, company=self.other_company)
        self.env.flush_all()
        self.Orders._loyalty_refresh()
        return s1, p1, s2, p2, s3, s4, p3, s5, s6

    def test_orders(self):
        s1, p1, s2, p2, s3, s4, p3, s5, s6 = self._data_set()
        orders = self.Orders.search(
            [("company_id", "in", (self.company | self.other_company).ids)]
        )
        self.assertEqual(len(orders), 8, "S4 (cancelled) and P1's refund order have no row")
        by_order = {(o.sale_order_id or o.pos_order_id): o for o in orders}
        self.assertNotIn(s4, by_order)
        alice = self.alice.id
        expected = [
            # order, partner, gross, refunded, net, refunded in full, counted, number, previous
            (s1, alice, 200.0, 0.0, 200.0, False, True, 1, False),
            (p1, self.bob.id, 200.0, 200.0, 0.0, True, False, 0, False),
            (s2, alice, 300.0, 100.0, 200.0, False, True, 2, "2026-01-10"),
            (p2, alice, 120.5, 0.0, 120.5, False, True, 3, "2026-02-15"),
            (s3, self.carol.id, 150.0, 0.0, 150.0, False, True, 1, False),
            (p3, False, 10.25, 0.0, 10.25, False, False, 0, False),
            (s5, self.bob.id, 500.0, 0.0, 500.0, False, True, 1, False),
            (s6, alice, 80.0, 0.0, 80.0, False, True, 1, False),
        ]
        for order, partner, gross, refunded, net, full, counted, number, previous in expected:
            row = by_order[order]
            self.assertEqual(
                (row.partner_id.id, row.gross_revenue, row.refunded_revenue, row.revenue,
                 row.is_refunded, row.is_counted, row.customer_order_number,
                 row.previous_day and str(row.previous_day)),
                (partner, gross, refunded, net, full, counted, number, previous),
                order.name,
            )
        self.assertEqual(by_order[p2].origin, "pos")
        self.assertEqual(by_order[p2].config_id, self.config)
        self.assertEqual(by_order[s2].days_since_previous, 36, "10 January to 15 February")
        self.assertEqual(by_order[p2].days_since_previous, 14, "15 February to 1 March")
        self.assertEqual(str(by_order[p2].first_day), "2026-01-10")
        self.assertEqual(str(by_order[p2].cohort_month), "2026-01-01")
        self.assertEqual(str(by_order[s5].cohort_month), "2026-04-01", "P1 was returned")
        self.assertEqual(by_order[s6].company_id, self.other_company)
        # Alice and Bob were enrolled today (the set-up), after these orders: no tier then.
        self.assertFalse((by_order[s1] | by_order[s5] | by_order[s3]).tier_id)

    def test_lines(self):
        s1, p1, s2, p2, s3, s4, p3, s5, s6 = self._data_set()
        lines = self.Lines.search([("company_id", "=", self.company.id)])
        # S1, P1 + its 1 refund line, S2 + its credit-note line, P2's 2 lines, S3, P3, S5
        self.assertEqual(len(lines), 10)
        refunds = lines.filtered("is_refund")
        self.assertEqual(
            sorted((line.order_id.name, line.quantity, line.revenue) for line in refunds),
            sorted([(p1.name, -2.0, -200.0), (s2.name, -1.0, -100.0)]),
        )
        self.assertEqual(refunds.partner_id, self.alice | self.bob)
        self.assertEqual(
            sum(lines.filtered(lambda line: line.pos_order_id == p2).mapped("revenue")),
            120.5, "100 + 2 x 10.25",
        )
        self.assertEqual(set(lines.categ_id.ids), {self.lamp.categ_id.id})
        # Each line says whether its order counts: not P1 (refunded in full: its sale and its
        # refund line) nor P3 (no customer); S2, refunded in part, does.
        self.assertEqual(
            {line.order_id.name for line in lines if not line.order_is_counted},
            {p1.name, p3.name},
        )
        self.assertEqual(
            {line.order_id.name for line in lines if line.order_is_refunded}, {p1.name},
            "P3 has no customer but was not refunded",
        )
        self.assertEqual(len(lines.filtered(lambda line: line.pos_order_id == p1)), 2)
        self.assertTrue(all(
            line.order_is_counted for line in lines if line.sale_order_id == s2
        ))

    def test_company_rule_and_refresh_rights(self):
        self._data_set()
        salesman = self._new_user(
            "retention_salesman",
            "sales_team.group_sale_salesman,customer_loyalty.group_loyalty_user",
            company=self.company,
        )
        rows = self.Orders.with_user(salesman).search([])
        self.assertTrue(rows)
        self.assertEqual(rows.company_id, self.company, "nothing of the other company")
        with self.assertRaises(AccessError):
            self.Orders.with_user(salesman).action_loyalty_refresh()
        cashier_orders = self.Orders.with_user(self.cashier)
        with self.assertRaises(AccessError):
            cashier_orders.search([])

    def test_refresh_sees_new_orders(self):
        self._data_set()
        domain = [("partner_id", "=", self.carol.id), ("company_id", "=", self.company.id)]
        self.assertEqual(self.Orders.search_count(domain), 1)
        self._sale("2026-05-01 09:00:00", self.carol, 40.0)
        self.env.flush_all()
        self.assertEqual(self.Orders.search_count(domain), 1, "not before the refresh")
        self.Orders._loyalty_refresh()
        carol = self.Orders.search(domain, order="day")
        self.assertEqual(carol.mapped("customer_order_number"), [1, 2])
        self.assertEqual(carol[1].days_since_previous, 57, "5 March to 1 May")
        # Bob buys today, a member since the set-up: his order earns him Gold (500 + 1,500 >=
        # 1,000 in 12 months), but it was placed as a Member.
        self._sale(None, self.bob, 1500.0)
        self.assertEqual(self._card(self.bob).tier_id, self.tier_gold)
        self.env.flush_all()
        self.Orders._loyalty_refresh()
        bob = self.Orders.search(
            [("partner_id", "=", self.bob.id), ("company_id", "=", self.company.id)], order="day"
        )
        self.assertEqual(bob.mapped("tier_id"), self.tier_member)
        self.assertEqual(bob.mapped(lambda o: bool(o.tier_id)), [False, False, True])
