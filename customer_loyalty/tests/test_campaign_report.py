from datetime import datetime

from odoo import Command
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common_pos import PosPointsCommon


@tagged("post_install", "-at_install")
class TestCampaignReport(PosPointsCommon):
    """Campaign Results on a small known data set, in the POS test company (A) and a second
    company (B); products without taxes (a lamp at 100, a pen at 10.25), window 10 days:

    - Alice's birthday gift, A, 1 March 10:00: POS order on 3 March of 2 lamps (200), 1 lamp
      refunded on 5 March, then a sales order on 4 March: the first is the POS order, 100 net,
      2 days after;
    - Bob's reminder, A, 1 March 10:00: a sales order of 2 March cancelled, one of 20 March
      (past 11 March): not converted;
    - Carol's reminder, B, 1 March 10:00: a sales order in A on 3 March (another company), one
      in B on 6 March of 3 lamps (300): converted, 300, 5 days after;
    - Alice's anniversary gift, A, 1 April 10:00: a POS lamp on 2 April refunded in full the same
      day (nothing net), a sales order on 5 April of 3 pens at 10 (30): converted, 30.

    4 contacts, 3 converted (75 %), revenue 430 (A: 130 on 3 contacts, B: 300 on 1).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Campaign Shop B"})
        cls.env.user.company_ids |= cls.company_b
        cls.company.loyalty_campaign_window_days = 10
        cls.company_b.loyalty_campaign_window_days = 10

    def _sale(self, company, partner, when, lines, confirm=True):
        """A sales order of ``partner`` in ``company`` dated ``when`` (its confirmation or
        creation time), with ``(product, qty, price)`` lines; cancelled if not ``confirm``."""
        with freeze_time(when):
            order = self.env["sale.order"].with_company(company).create({
                "partner_id": partner.id, "company_id": company.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty,
                                    "price_unit": price, "tax_id": [Command.clear()]})
                    for product, qty, price in lines
                ],
            })
            if confirm:
                order.action_confirm()
            else:
                order.date_order = when
                order.action_cancel()
        return order

    def _pos(self, customer, when, lines):
        with freeze_time(when):
            return self._sell(customer, lines)

    def _refund(self, order, when, quantities):
        with freeze_time(when):
            return self._sync(self._refund_data(order, quantities, customer=order.partner_id))

    def _gift(self, occasion, key, when):
        gift = self.env["loyalty.member.gift"].sudo()._loyalty_give([{
            "partner_id": self.alice.id, "card_id": self.alice_card.id,
            "company_id": self.company.id, "occasion": occasion, "gift_key": key,
            "tier_id": self.tier_member.id, "points": 0,
        }])
        self.assertEqual(len(gift), 1)
        # Given at a known time (the journal stamps the statement's time).
        self.env.cr.execute("UPDATE loyalty_member_gift SET create_date = %s WHERE id = %s",
                            [when, gift.id])
        return gift

    def _reminder(self, company, partner, when):
        reminder = self.env["loyalty.repurchase.reminder"].sudo().create({
            "company_id": company.id, "partner_id": partner.id, "product_id": self.lamp.id,
            "last_purchase_date": "2026-01-30", "due_date": "2026-03-01", "state": "sent",
            "sent_at": when,
        })
        reminder.lead_id = reminder
        return reminder

    def _data_set(self):
        self._gift("birthday", "2026", "2026-03-01 10:00:00")
        pos_order = self._pos(self.alice, "2026-03-03 09:00:00", [(self.lamp, 2)])
        self._refund(pos_order, "2026-03-05 09:00:00", {pos_order.lines: 1})
        self._sale(self.company, self.alice, "2026-03-04 09:00:00", [(self.pen, 1, 50.0)])

        self._reminder(self.company, self.bob, "2026-03-01 10:00:00")
        self._sale(self.company, self.bob, "2026-03-02 09:00:00", [(self.lamp, 1, 100.0)],
                   confirm=False)
        self._sale(self.company, self.bob, "2026-03-20 09:00:00", [(self.lamp, 2, 100.0)])

        self._reminder(self.company_b, self.carol, "2026-03-01 10:00:00")
        self._sale(self.company, self.carol, "2026-03-03 09:00:00", [(self.lamp, 1, 100.0)])
        carol_b = self._sale(self.company_b, self.carol, "2026-03-06 09:00:00",
                             [(self.lamp, 3, 100.0)])

        self._gift("anniversary", "2026", "2026-04-01 10:00:00")
        refunded = self._pos(self.alice, "2026-04-02 09:00:00", [(self.lamp, 1)])
        self._refund(refunded, "2026-04-02 15:00:00", {refunded.lines: 1})
        alice_april = self._sale(self.company, self.alice, "2026-04-05 09:00:00",
                                 [(self.pen, 3, 10.0)])
        self.env["loyalty.retention.order"]._loyalty_refresh()
        return pos_order, carol_b, alice_april

    def _rows(self, user=None):
        Report = self.env["loyalty.campaign.report"]
        if user:
            Report = Report.with_user(user)
        return Report.search([("partner_id", "in", (self.alice | self.bob | self.carol).ids)],
                             order="event_date, partner_id")

    def test_each_contact_and_its_first_order(self):
        pos_order, carol_b, alice_april = self._data_set()
        rows = self._rows()
        self.assertEqual(
            [(r.event_type, r.partner_id, r.company_id, r.origin or False, r.converted,
              r.revenue, r.days_to_order) for r in rows],
            [
                ("birthday", self.alice, self.company, "pos", 1, 100.0, 2),
                ("reminder", self.bob, self.company, False, 0, 0.0, 0),
                ("reminder", self.carol, self.company_b, "sale", 1, 300.0, 5),
                ("anniversary", self.alice, self.company, "sale", 1, 30.0, 4),
            ],
        )
        self.assertEqual(rows[0].pos_order_id, pos_order)
        self.assertEqual(rows[2].sale_order_id, carol_b)
        self.assertEqual(rows[3].sale_order_id, alice_april)
        self.assertEqual(rows[0].tier_id, self.tier_member)
        self.assertEqual(rows[0].window_end, datetime(2026, 3, 11, 10, 0))

    def test_measures_per_contact_type_and_company(self):
        self._data_set()
        Report = self.env["loyalty.campaign.report"]
        domain = [("partner_id", "in", (self.alice | self.bob | self.carol).ids)]
        totals = Report._read_group(
            domain, [], ["contacts:sum", "converted:sum", "conversion_rate:avg", "revenue:sum"]
        )
        self.assertEqual(totals, [(4, 3, 75.0, 430.0)])
        by_company = {
            company: (contacts, revenue) for company, contacts, revenue in Report._read_group(
                domain, ["company_id"], ["contacts:sum", "revenue:sum"])
        }
        self.assertEqual(by_company, {self.company: (3, 130.0), self.company_b: (1, 300.0)})
        by_type = {
            event_type: (contacts, converted, rate) for event_type, contacts, converted, rate
            in Report._read_group(domain, ["event_type"],
                                  ["contacts:sum", "converted:sum", "conversion_rate:avg"])
        }
        self.assertEqual(by_type, {"birthday": (1, 1, 100.0), "anniversary": (1, 1, 100.0),
                                   "reminder": (2, 1, 50.0)})

    def test_default_window_is_the_reminder_conversion_window(self):
        # 0: the conversion window, 20 days: Bob's order of 20 March (2 lamps) now counts.
        self.company.write({"loyalty_campaign_window_days": 0,
                            "loyalty_reminder_conversion_days": 20})
        self._data_set()
        bob = self._rows().filtered(lambda r: r.partner_id == self.bob)
        self.assertEqual((bob.converted, bob.origin, bob.revenue), (1, "sale", 200.0))

    def test_access_per_group_and_company(self):
        self._data_set()
        user = mail_new_test_user(
            self.env, login="campaign_loyalty_user", name="Campaign Loyalty User",
            groups="base.group_user,customer_loyalty.group_loyalty_user",
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)],
        )
        self.env.invalidate_all()
        # Company A's user sees A's three contacts, not Carol's in B.
        self.assertEqual(self._rows(user).mapped("event_type"),
                         ["birthday", "reminder", "anniversary"])
        with self.assertRaises(AccessError):
            self._rows(self.cashier).read(["revenue"])

    def test_care_and_welcome_events(self):
        """The care journal's done events are contacts too: Bob's welcome e-mail of 1 May 10:00
        is followed by a POS lamp on 4 May (100, 3 days after); Carol's care step of 1 May,
        planned but not done, is no contact."""
        Care = self.env["loyalty.care.event"].sudo()
        Care.create({
            "kind": "welcome_email", "company_id": self.company.id, "partner_id": self.bob.id,
            "card_id": self.bob_card.id, "due_date": "2026-05-01", "state": "done",
            "contacted_at": "2026-05-01 10:00:00",
        })
        Care.create({
            "kind": "welcome_email", "company_id": self.company.id, "partner_id": self.carol.id,
            "due_date": "2026-05-01", "state": "pending",
        })
        lamp_order = self._pos(self.bob, "2026-05-04 09:00:00", [(self.lamp, 1)])
        self.env["loyalty.retention.order"]._loyalty_refresh()
        rows = self._rows()
        self.assertEqual(
            [(r.event_type, r.partner_id, r.pos_order_id, r.revenue, r.days_to_order)
             for r in rows],
            [("welcome_email", self.bob, lamp_order, 100.0, 3)],
        )
