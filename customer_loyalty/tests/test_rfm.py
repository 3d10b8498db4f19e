from odoo import Command
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from ..models.res_partner_rfm import REFRESHED_AT_PARAM, rfm_segment
from .common_pos import PosPointsCommon


@tagged("post_install", "-at_install")
class TestRfm(PosPointsCommon):
    """RFM scores on a known history, Sales and POS mixed (amounts untaxed). Reference date
    2026-06-30, window 12 months: the orders of 2025-07-01 .. 2026-06-30 count.

    ====  ==========================================================  =====  ==  ======  =====
    who   counted orders in the window (day: net amount)              last   F   M       notes
    ====  ==========================================================  =====  ==  ======  =====
    C1    02-01: 500, 05-10: 500, 06-25: 500                          06-25  3   1500    Alice
    C2    01-15, 04-01, 06-01, 06-28: 300 each                        06-28  4   1200
    C3    06-29: POS lamp 100                                         06-29  1   100     single
    C4    05-01: 800, credit note of 600                              05-01  1   200
    C5    03-01: 200, 05-01: POS 2 lamps 200, one returned            05-01  2   300
    C6    2025-08-01 .. 2025-12-01: 5 orders of 600                   12-01  5   3000
    C7    2025-09-15: 50                                              09-15  1   50
    C8    2025-11-10: 150, 2026-01-10: 150                            01-10  2   300
    C9    03-15: 250 (06-15: POS lamp fully refunded: not counted)    03-15  1   250
    C10   2025-12-20, 02-20, 04-20: 400 each                          04-20  3   1200
    C11   2025-05-01: 1000, before the window                         -      -   -       lost
    C12   06-20: 999, cancelled                                       -      -   -       none
    ====  ==========================================================  =====  ==  ======  =====

    Scores: 1 + floor(5 × (rank − 1) / 10), rank ascending, ties sharing their first rank.
    - R ranks: C7 1, C6 2, C8 3, C9 4, C10 5, C4 = C5 6 (tie), C1 8, C2 9, C3 10
      → R: C7 1, C6 1, C8 2, C9 2, C10 3, C4 3, C5 3, C1 4, C2 5, C3 5.
    - F: 1 order (C3 C4 C7 C9) rank 1 → 1; 2 (C5 C8) rank 5 → 3; 3 (C1 C10) rank 7 → 4;
      4 (C2) rank 9 → 5; 5 (C6) rank 10 → 5 (ntile would have split the four 1-order
      customers between scores 1 and 2).
    - M ranks: C7 50 1, C3 100 2, C4 200 3, C9 250 4, C5 = C8 300 5, C2 = C10 1200 7,
      C1 1500 9, C6 3000 10 → M: C7 1, C3 1, C4 2, C9 2, C5 3, C8 3, C2 4, C10 4, C1 5, C6 5.
    - FM = (F + M + 1) // 2, segment from the grid (README).

    The other company (reference date 2026-06-30): C1 one order of 100 on 06-01, C6 two of 50 on
    06-10 and 06-15. n = 2: R C1 1, C6 1 + floor(5 × 1 / 2) = 3; F C1 1, C6 3; M tie → 1, 1.
    """

    EXPECTED = {
        # customer: (R, F, M, segment)
        "C1": (4, 4, 5, "loyal"),
        "C2": (5, 5, 4, "champions"),
        "C3": (5, 1, 1, "new"),
        "C4": (3, 1, 2, "need_attention"),
        "C5": (3, 3, 3, "need_attention"),
        "C6": (1, 5, 5, "cant_lose"),
        "C7": (1, 1, 1, "lost"),
        "C8": (2, 3, 3, "at_risk"),
        "C9": (2, 1, 2, "hibernating"),
        "C10": (3, 4, 4, "loyal"),
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "RFM Other Shop"})
        cls.env.user.company_ids |= cls.other_company
        cls.c = {"C1": cls.alice}
        for number in range(2, 13):
            cls.c[f"C{number}"] = cls.env["res.partner"].create({"name": f"RFM Customer {number}"})
        (cls.company | cls.other_company).write(
            {"loyalty_rfm_months": 12, "loyalty_rfm_reference_date": "2026-06-30"}
        )
        cls.Partner = cls.env["res.partner"]

    def _sale(self, when, partner, amount, company=None):
        company = company or self.company
        with freeze_time(when):
            order = self.env["sale.order"].with_company(company).create({
                "partner_id": partner.id, "company_id": company.id,
                "order_line": [Command.create({
                    "product_id": self.lamp.id, "product_uom_qty": 1, "price_unit": amount,
                    "tax_id": [Command.clear()],
                })],
            })
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

    def _pos_refund(self, when, order, quantity):
        with freeze_time(when):
            self._sync(self._refund_data(order, {order.lines: quantity}, customer=order.partner_id))

    def _data_set(self):
        c = self.c
        for day in ("2026-02-01", "2026-05-10", "2026-06-25"):
            self._sale(f"{day} 09:00:00", c["C1"], 500.0)
        for day in ("2026-01-15", "2026-04-01", "2026-06-01", "2026-06-28"):
            self._sale(f"{day} 09:00:00", c["C2"], 300.0)
        self._pos("2026-06-29 10:00:00", c["C3"], [(self.lamp, 1)])
        self._credit("2026-05-20 09:00:00", self._sale("2026-05-01 09:00:00", c["C4"], 800.0),
                     600.0)
        self._sale("2026-03-01 09:00:00", c["C5"], 200.0)
        two_lamps = self._pos("2026-05-01 10:00:00", c["C5"], [(self.lamp, 2)])
        self._pos_refund("2026-05-03 10:00:00", two_lamps, 1)
        for month in ("08", "09", "10", "11", "12"):
            self._sale(f"2025-{month}-01 09:00:00", c["C6"], 600.0)
        self._sale("2025-09-15 09:00:00", c["C7"], 50.0)
        self._sale("2025-11-10 09:00:00", c["C8"], 150.0)
        self._sale("2026-01-10 09:00:00", c["C8"], 150.0)
        self._sale("2026-03-15 09:00:00", c["C9"], 250.0)
        returned = self._pos("2026-06-15 10:00:00", c["C9"], [(self.lamp, 1)])
        self._pos_refund("2026-06-16 10:00:00", returned, 1)
        for day in ("2025-12-20", "2026-02-20", "2026-04-20"):
            self._sale(f"{day} 09:00:00", c["C10"], 400.0)
        self._sale("2025-05-01 09:00:00", c["C11"], 1000.0)
        self._sale("2026-06-20 09:00:00", c["C12"], 999.0)._action_cancel()
        self._pos("2026-06-20 11:00:00", False, [(self.pen, 1)])  # anonymous: no customer
        # the other company
        self._sale("2026-06-01 09:00:00", c["C1"], 100.0, company=self.other_company)
        self._sale("2026-06-10 09:00:00", c["C6"], 50.0, company=self.other_company)
        self._sale("2026-06-15 09:00:00", c["C6"], 50.0, company=self.other_company)
        self.env.flush_all()
        self.env["loyalty.retention.order"]._loyalty_refresh()

    def _scores(self, company):
        partners = self.Partner.browse([p.id for p in self.c.values()]).with_company(company)
        return {
            key: (p.loyalty_rfm_recency, p.loyalty_rfm_frequency, p.loyalty_rfm_monetary,
                  p.loyalty_rfm_segment)
            for key, p in zip(self.c, partners, strict=True)
        }

    def test_segment_grid(self):
        """The grid of the README, read at its corners and edges (FM rounds half up)."""
        self.assertEqual(rfm_segment(5, 5, 5), "champions")
        self.assertEqual(rfm_segment(5, 4, 3), "champions")  # FM (4 + 3) / 2 = 3.5 → 4
        self.assertEqual(rfm_segment(4, 5, 5), "loyal")
        self.assertEqual(rfm_segment(3, 4, 4), "loyal")
        self.assertEqual(rfm_segment(4, 2, 3), "potential_loyalist")
        self.assertEqual(rfm_segment(5, 1, 2), "potential_loyalist")  # FM 1.5 → 2
        self.assertEqual(rfm_segment(5, 1, 1), "new")
        self.assertEqual(rfm_segment(4, 1, 1), "promising")
        self.assertEqual(rfm_segment(3, 1, 1), "need_attention")
        self.assertEqual(rfm_segment(3, 3, 3), "need_attention")
        self.assertEqual(rfm_segment(2, 3, 4), "at_risk")
        self.assertEqual(rfm_segment(1, 4, 4), "at_risk")
        self.assertEqual(rfm_segment(2, 5, 5), "cant_lose")
        self.assertEqual(rfm_segment(1, 5, 4), "cant_lose")
        self.assertEqual(rfm_segment(2, 1, 1), "hibernating")
        self.assertEqual(rfm_segment(1, 2, 2), "hibernating")
        self.assertEqual(rfm_segment(1, 1, 1), "lost")

    def test_rfm_scores_and_segments(self):
        self._data_set()
        written = self.Partner._loyalty_rfm_compute(self.company | self.other_company)
        self.assertEqual(written, 11, "C1..C11 are scored (C1 and C6 in both companies)")
        scores = self._scores(self.company)
        for key, expected in self.EXPECTED.items():
            self.assertEqual(scores[key], expected, f"{key} in the first company")
        self.assertEqual(scores["C11"], (0, 0, 0, "lost"), "bought before the window only")
        self.assertEqual(scores["C12"], (0, 0, 0, False), "a cancelled order is no purchase")
        c1 = self.c["C1"].with_company(self.company)
        self.assertEqual(c1.loyalty_rfm_score, "445")
        self.assertEqual(str(c1.loyalty_rfm_date), "2026-06-30")
        self.assertFalse(self.c["C11"].with_company(self.company).loyalty_rfm_score)

        # each company ranks its own customers
        other = self._scores(self.other_company)
        self.assertEqual(other["C1"], (1, 1, 1, "lost"))
        self.assertEqual(other["C6"], (3, 3, 1, "need_attention"))
        self.assertEqual(other["C2"], (0, 0, 0, False))

        # a domain and a group-by read the current company's segment
        ids = [p.id for p in self.c.values()]
        Partner = self.Partner.with_company(self.company)
        self.assertEqual(
            Partner.search([("id", "in", ids), ("loyalty_rfm_segment", "=", "need_attention")]),
            self.c["C4"] | self.c["C5"],
        )
        groups = dict(Partner._read_group(
            [("id", "in", ids)], ["loyalty_rfm_segment"], ["__count"]
        ))
        self.assertEqual(groups, {
            "loyal": 2, "champions": 1, "new": 1, "need_attention": 2, "cant_lose": 1,
            "lost": 2, "at_risk": 1, "hibernating": 1, False: 1,
        })
        self.assertEqual(
            self.Partner.with_company(self.other_company).search(
                [("id", "in", ids), ("loyalty_rfm_segment", "=", "need_attention")]
            ),
            self.c["C6"],
        )
        # the members list groups by the member's segment (C1 is Alice, a member)
        cards = self.env["loyalty.card"].with_company(self.company).search(
            [("loyalty_rfm_segment", "=", "loyal"), ("partner_id", "in", ids)]
        )
        self.assertEqual(cards, self.alice_card)

        # the dashboard's counts: segment × the contact's tier (Alice reached Gold on 05-10)
        counts = self.Partner.with_company(self.company)._loyalty_rfm_segment_counts(
            {"company_ids": [self.company.id]}
        )
        self.assertEqual(counts["loyal"], {self.tier_gold.id: 1, False: 1})
        self.assertEqual(counts["need_attention"], {False: 2})
        self.assertEqual(counts["promising"], {})

        # idempotent: a second run writes nothing and changes nothing
        self.assertEqual(self.Partner._loyalty_rfm_compute(self.company | self.other_company), 0)
        self.assertEqual(self._scores(self.company), scores)
        self.assertEqual(self._scores(self.other_company), other)

    def test_rfm_window_moves(self):
        """Moving the first company's reference date back a year: only C11 has an order then
        (alone: 111, Lost); the others lose their scores there, and keep those of the other
        company."""
        self._data_set()
        self.Partner._loyalty_rfm_compute(self.company | self.other_company)
        self.company.loyalty_rfm_reference_date = "2025-06-30"
        self.Partner._loyalty_rfm_compute(self.company)
        scores = self._scores(self.company)
        self.assertEqual(scores["C11"], (1, 1, 1, "lost"))
        for key in self.EXPECTED:
            self.assertEqual(scores[key], (0, 0, 0, False), key)
        self.assertEqual(self._scores(self.other_company)["C6"], (3, 3, 1, "need_attention"))

    def test_cron_refreshes_stale_facts(self):
        """The cron refreshes facts not refreshed today before scoring."""
        self._sale("2026-06-20 09:00:00", self.c["C2"], 100.0)
        self.env["ir.config_parameter"].sudo().set_param(REFRESHED_AT_PARAM, "2020-01-01 00:00:00")
        self.Partner._cron_loyalty_rfm()
        self.assertEqual(self.c["C2"].with_company(self.company).loyalty_rfm_score, "111")
        # facts refreshed today are not refreshed again: a new order waits for the next refresh
        self._sale("2026-06-21 09:00:00", self.c["C3"], 100.0)
        self.env.flush_all()
        self.Partner._cron_loyalty_rfm()
        self.assertFalse(self.c["C3"].with_company(self.company).loyalty_rfm_segment)

    def test_rfm_rights(self):
        """A salesperson filters contacts by segment and reads the counts, and cannot write
        scores; a user without loyalty rights gets no segment counts."""
        self._sale("2026-06-20 09:00:00", self.c["C2"], 100.0)
        self.env.flush_all()
        self.env["loyalty.retention.order"]._loyalty_refresh()
        self.Partner._loyalty_rfm_compute(self.company)
        salesman = mail_new_test_user(
            self.env, login="rfm_salesman", groups="sales_team.group_sale_salesman",
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)],
        )
        found = self.Partner.with_user(salesman).search(
            [("loyalty_rfm_segment", "=", "lost"), ("id", "in", [self.c["C2"].id])]
        )
        self.assertEqual(found.ids, self.c["C2"].ids, "alone in the company: 111, Lost")
        self.assertEqual(
            self.Partner.with_user(salesman)._loyalty_rfm_segment_counts()["lost"], {False: 1}
        )
        clerk = mail_new_test_user(
            self.env, login="rfm_clerk", groups="base.group_user",
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            self.Partner.with_user(clerk)._loyalty_rfm_segment_counts()
        # only the RFM run writes scores: a salesperson's write (an import, an RPC call) of
        # them is dropped, the rest of the write goes through
        self.c["C2"].with_user(salesman).with_company(self.company).write(
            {"loyalty_rfm_segment": "champions", "loyalty_rfm_score": "555", "phone": "0903"}
        )
        c2 = self.c["C2"].with_company(self.company)
        c2.invalidate_recordset()
        self.assertEqual((c2.loyalty_rfm_segment, c2.loyalty_rfm_score, c2.phone),
                         ("lost", "111", "0903"))
        forged = self.Partner.with_user(salesman).create(
            {"name": "Forged", "loyalty_rfm_segment": "champions"}
        )
        self.assertFalse(forged.with_company(self.company).loyalty_rfm_segment)
