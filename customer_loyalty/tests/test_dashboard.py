from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import LoyaltyCommon

MARCH = {"period": "month", "date": "2026-03-15"}


@tagged("post_install", "-at_install")
class TestLoyaltyDashboard(LoyaltyCommon):
    """The dashboard's figures on a small data set computed by hand.

    Company "Loyalty Test Shop" (USD, 1 point per unit, a point worth 0.05 when redeemed):

    ======  ==========  ======  ==========  ===========================================
    who     day         amount  salesperson  note
    ======  ==========  ======  ==========  ===========================================
    Alice   2026-02-10  100                 her first order (February)
    Alice   2026-03-05  200
    Alice   2026-03-20  300                 a Vitamins line
    Bob     2026-03-08  400     Sam         his first order
    Carol   2026-03-12  700                 cancelled: not a purchase
    Carol   2026-03-13  900                 a quotation never confirmed
    Dave    2026-03-10  150                 in the second company
    ======  ==========  ======  ==========  ===========================================

    March: customers Alice and Bob (2), Alice returning (2 orders): repurchase rate 50 %,
    3 orders (1.5 per customer), revenue 900 (AOV 300), returning revenue 500 (Alice's).
    February: Alice alone, 1 order of 100. Cards: Alice's created on 3 February, Bob's on 8 March
    (one new member in each month); Dave's in the other company.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company2 = cls.env["res.company"].create(
            {"name": "Loyalty Other Shop", "currency_id": cls.usd.id}
        )
        cls.env = cls.env(context=dict(
            cls.env.context, allowed_company_ids=[cls.company.id, cls.company2.id]
        ))
        cls.company = cls.company.with_env(cls.env)
        cls.company2 = cls.company2.with_env(cls.env)
        cls.dave = cls.env["res.partner"].create({"name": "Dave Pham"})
        cls.vitamins = cls.env["product.category"].create({"name": "Vitamins"})
        cls.vitamin = cls.env["product.product"].create({
            "name": "Vitamin Pack", "type": "service", "list_price": 300.0,
            "categ_id": cls.vitamins.id, "taxes_id": [Command.clear()],
        })
        cls.sam = cls._new_user("sam_dash", "sales_team.group_sale_salesman")
        # Enrolled before their orders (the tier at the time of an order is the tier history's).
        with freeze_time("2026-02-03 08:00:00"):
            cls.alice_card = cls._enrol(cls.alice)
        with freeze_time("2026-03-08 08:00:00"):
            cls.bob_card = cls._enrol(cls.bob)
        with freeze_time("2026-03-10 08:00:00"):
            cls.dave_card = cls._enrol(cls.dave, company=cls.company2)
        cls._order(cls.alice, "2026-02-10", 100)
        cls._order(cls.alice, "2026-03-05", 200)
        cls._order(cls.alice, "2026-03-20", 300, product=cls.vitamin)
        cls._order(cls.bob, "2026-03-08", 400, user=cls.sam)
        cls._order(cls.carol, "2026-03-12", 700)._action_cancel()
        cls._order(cls.carol, "2026-03-13", 900, confirm=False)
        cls._order(cls.dave, "2026-03-10", 150, company=cls.company2)
        cls.env.flush_all()
        # The cards' creation dates (the database's clock, which freeze_time does not stop).
        for card, day in ((cls.alice_card, "2026-02-03"), (cls.bob_card, "2026-03-08"),
                          (cls.dave_card, "2026-03-10")):
            cls.env.cr.execute(
                "UPDATE loyalty_card SET create_date = %s WHERE id = %s", (day, card.id)
            )
        cls.env.invalidate_all()
        cls.env["loyalty.retention.order"]._loyalty_refresh()
        cls.Dashboard = cls.env["loyalty.dashboard"]

    @classmethod
    def _order(cls, partner, day, amount, product=None, user=None, company=None, confirm=True):
        company = company or cls.company
        order = cls.env["sale.order"].with_company(company).create({
            "partner_id": partner.id,
            "company_id": company.id,
            "user_id": (user or cls.env.user).id,
            "order_line": [Command.create({
                "product_id": (product or cls.product).id, "product_uom_qty": 1,
                "price_unit": amount, "tax_id": [Command.clear()],
            })],
        })
        if confirm:
            with freeze_time(f"{day} 09:00:00"):
                order.action_confirm()
        return order

    def _cards(self, filters, user=None):
        dashboard = self.Dashboard
        if user:
            # The web client's companies: the user's.
            dashboard = dashboard.with_user(user).with_context(
                allowed_company_ids=user.company_ids.ids
            )
        data = dashboard.get_dashboard_data(filters)
        return {card["key"]: card for card in data["cards"]}, data

    def test_headline_figures_of_march_against_february(self):
        cards, data = self._cards({**MARCH, "company_ids": [self.company.id]})
        self.assertEqual(
            (data["filters"]["date_from"], data["filters"]["date_to"],
             data["filters"]["prev_from"], data["filters"]["prev_to"]),
            ("2026-03-01", "2026-03-31", "2026-02-01", "2026-02-28"),
        )
        expected = {
            # key: (March, February, trend %)
            "active_customers": (2, 1, 100.0),
            "repurchase_rate": (50.0, 0.0, False),  # no trend from zero
            "orders_per_customer": (1.5, 1.0, 50.0),
            "aov": (300.0, 100.0, 200.0),
            "returning_revenue": (500.0, 0.0, False),
            "new_members": (1, 1, 0.0),
        }
        for key, (value, previous, trend) in expected.items():
            with self.subTest(card=key):
                self.assertEqual(
                    (cards[key]["value"], cards[key]["previous"], cards[key]["trend"]),
                    (value, previous, trend),
                )
        # Alice 600 points, Bob 400 (1 per unit, Member tier x1), a point is worth 0.05.
        self.assertEqual((self.alice_card.points, self.bob_card.points), (600, 400))
        self.assertAlmostEqual(cards["points_liability"]["value"], 50.0)
        self.assertEqual(cards["nps"]["kind"], "placeholder", "no NPS answer in the period")

    def test_nps_card(self):
        """March: 4 NPS answers, 10, 9 (promoters), 7 (passive), 3 (detractor): (2 - 1) / 4 =
        25.0; February: 2 answers, 6 and 10: (1 - 1) / 2 = 0.0. A CSAT answer, an unanswered
        request and another company's answer do not count."""
        Request = self.env["loyalty.feedback.request"].sudo()
        other = self.env["res.company"].create({"name": "NPS Other Shop"})

        documents = iter(range(900001, 900100))  # each request its own document

        def answer(company, scale, score, day, state="answered"):
            Request.create({
                "company_id": company.id, "partner_id": self.alice.id, "scale": scale,
                "trigger": "sale", "res_model": "res.partner", "res_id": next(documents),
                "state": state, "score": score, "answer_date": f"{day} 10:00:00",
            })

        for score in (10, 9, 7, 3):
            answer(self.company, "nps", score, "2026-03-10")
        answer(self.company, "nps", 6, "2026-02-10")
        answer(self.company, "nps", 10, "2026-02-11")
        answer(self.company, "csat", 1, "2026-03-10")
        answer(self.company, "nps", 0, "2026-03-12", state="sent")
        answer(other, "nps", 0, "2026-03-10")
        cards, _data = self._cards({**MARCH, "company_ids": [self.company.id]})
        self.assertEqual(
            (cards["nps"]["kind"], cards["nps"]["value"], cards["nps"]["previous"]),
            ("float", 25.0, 0.0),
        )

    def test_monthly_graphs(self):
        _cards, data = self._cards({**MARCH, "company_ids": [self.company.id]})
        months = data["monthly"]
        self.assertEqual(len(months), 12)
        self.assertEqual((months[0]["month"], months[-1]["month"]), ("2025-04-01", "2026-03-01"))
        by_month = {m["month"]: m for m in months}
        # February: Alice's first order; March: Bob's first (400), Alice's 2nd and 3rd (500).
        self.assertEqual(
            [(by_month[m]["new_revenue"], by_month[m]["repeat_revenue"],
              by_month[m]["repurchase_rate"]) for m in ("2026-02-01", "2026-03-01")],
            [(100.0, 0.0, 0.0), (400.0, 500.0, 50.0)],
        )
        self.assertEqual(sum(m["customers"] for m in months), 3, "Alice twice, Bob once")

    def test_filters(self):
        company = {**MARCH, "company_ids": [self.company.id]}
        cards, _data = self._cards({**company, "categ_ids": [self.vitamins.id]})
        # Alice's Vitamins line alone.
        self.assertEqual(
            (cards["active_customers"]["value"], cards["aov"]["value"]), (1, 300.0)
        )
        # With a tier too (the category's lines joined to their orders' tier): the same.
        cards, _data = self._cards(
            {**company, "categ_ids": [self.vitamins.id], "tier_ids": [self.tier_member.id]}
        )
        self.assertEqual(
            (cards["active_customers"]["value"], cards["aov"]["value"]), (1, 300.0)
        )
        # "All" holds every category but Vitamins (a root of its own): Alice's 200, Bob's 400.
        all_categ = self.env.ref("product.product_category_all")
        cards, _data = self._cards({**company, "categ_ids": [all_categ.id]})
        self.assertEqual(
            (cards["active_customers"]["value"], cards["repurchase_rate"]["value"],
             cards["aov"]["value"]), (2, 0.0, 300.0)
        )
        cards, _data = self._cards({**company, "user_ids": [self.sam.id]})
        self.assertEqual(
            (cards["active_customers"]["value"], cards["aov"]["value"]), (1, 400.0), "Bob's"
        )
        cards, _data = self._cards({**company, "tier_ids": [self.tier_gold.id]})
        self.assertEqual(cards["active_customers"]["value"], 0, "nobody was Gold")
        self.assertEqual(cards["new_members"]["value"], 0)
        cards, _data = self._cards({**company, "tier_ids": [self.tier_member.id]})
        self.assertEqual(cards["active_customers"]["value"], 2)
        # A custom period: 5 to 8 March against the 4 days before (1 to 4 March: nothing).
        cards, data = self._cards({**company, "period": "custom", "date_from": "2026-03-05",
                                   "date_to": "2026-03-08"})
        self.assertEqual((data["filters"]["prev_from"], data["filters"]["prev_to"]),
                         ("2026-03-01", "2026-03-04"))
        self.assertEqual((cards["active_customers"]["value"], cards["aov"]["value"],
                          cards["active_customers"]["previous"]), (2, 300.0, 0))
        # Both companies: Dave's order and card count too.
        both = {**MARCH, "company_ids": [self.company.id, self.company2.id]}
        cards, data = self._cards(both)
        self.assertEqual(
            (cards["active_customers"]["value"], cards["new_members"]["value"],
             cards["aov"]["value"]), (3, 2, 262.5), "(200 + 300 + 400 + 150) / 4"
        )
        self.assertFalse(data["mixed_currencies"])
        # In two currencies, no amount is summed.
        self.company2.currency_id = self.env.ref("base.EUR")
        cards, data = self._cards(both)
        self.assertTrue(data["mixed_currencies"])
        self.assertEqual(
            (cards["active_customers"]["value"], cards["aov"]["value"],
             cards["returning_revenue"]["value"], cards["points_liability"]["value"]),
            (3, False, False, False),
        )

    def test_periods_cut_through_a_customers_orders(self):
        """Without a shop, tier, salesperson or category filter the figures come from each
        order's previous and next order (one pass); with one, from the orders grouped by
        customer. Both give the hand-computed figures of periods that cut through Alice's
        orders (10 Feb 100, 5 Mar 200, 20 Mar 300) and Bob's (8 Mar 400), and of a month graph
        whose last month ends with the period."""
        Dashboard = self.Dashboard
        # period: (current, previous), each (customers, repeaters, orders, revenue, returning)
        cases = {
            ("2026-03-05", "2026-03-20"): ((2, 1, 3, 900.0, 500.0), (0, 0, 0, 0.0, 0.0)),
            # the previous period: 17 Feb to 4 Mar
            ("2026-03-06", "2026-03-19"): ((1, 0, 1, 400.0, 0.0), (1, 0, 1, 200.0, 0.0)),
            # the previous period: 21 Feb to 5 Mar, Alice's order of 5 March alone
            ("2026-02-10", "2026-03-05"): ((1, 1, 2, 300.0, 300.0), (0, 0, 0, 0.0, 0.0)),
        }
        # the month graph's March, from the 1st to the period's last day: (customers,
        # repurchase rate, new revenue, repeat revenue)
        march_graph = {
            ("2026-03-05", "2026-03-20"): (2, 50.0, 400.0, 500.0),
            ("2026-03-06", "2026-03-19"): (2, 0.0, 400.0, 200.0),
            ("2026-02-10", "2026-03-05"): (1, 0.0, 0.0, 200.0),
        }
        grouped = patch.object(
            type(Dashboard), "_loyalty_dashboard_whole_sequence", return_value=False
        )
        for path in ("sequence", "grouped"):
            for (day_from, day_to), expected in cases.items():
                filters = Dashboard._loyalty_dashboard_filters({
                    "period": "custom", "date_from": day_from, "date_to": day_to,
                    "company_ids": [self.company.id],
                })
                self.assertEqual(
                    Dashboard._loyalty_dashboard_whole_sequence(filters, ""), True
                )
                with self.subTest(path=path, period=(day_from, day_to)):
                    if path == "grouped":
                        with grouped:
                            headline = Dashboard._loyalty_dashboard_headline(filters)
                            months = Dashboard._loyalty_dashboard_monthly(filters)
                    else:
                        headline = Dashboard._loyalty_dashboard_headline(filters)
                        months = Dashboard._loyalty_dashboard_monthly(filters)
                    self.assertEqual(
                        tuple(
                            tuple(headline[key][figure] for figure in (
                                "customers", "repeaters", "orders", "revenue",
                                "returning_revenue",
                            ))
                            for key in ("current", "previous")
                        ),
                        expected,
                    )
                    march = months[-1]
                    self.assertEqual(march["month"], "2026-03-01")
                    self.assertEqual(
                        (march["customers"], march["repurchase_rate"], march["new_revenue"],
                         march["repeat_revenue"]),
                        march_graph[day_from, day_to],
                    )
        # A salesperson's filter groups by customer.
        filters = Dashboard._loyalty_dashboard_filters({**MARCH, "user_ids": [self.sam.id]})
        self.assertFalse(Dashboard._loyalty_dashboard_whole_sequence(filters, ""))

    def test_segments_by_tier_open_their_contacts(self):
        # The RFM segments as the daily cron stores them (company-dependent; it has its tests).
        for partner, segment, company in (
            (self.alice, "at_risk", self.company), (self.bob, "champions", self.company),
            (self.carol, "lost", self.company), (self.dave, "champions", self.company2),
        ):
            partner.with_company(company).sudo().loyalty_rfm_segment = segment
        self.assertEqual(self.alice.with_company(self.company).loyalty_tier_id, self.tier_member)
        _cards, data = self._cards(MARCH)  # the current company: the first
        grid = data["segments"]
        self.assertEqual(grid["company"], self.company.name)
        self.assertEqual([t["id"] for t in grid["tiers"]],
                         [*(self.tier_member | self.tier_silver | self.tier_gold).ids, False])
        cells = {
            (row["key"], tier["id"]): cell["count"]
            for row in grid["rows"] for tier, cell in zip(grid["tiers"], row["cells"], strict=True)
            if cell["count"]
        }
        # Dave is a Champion of the other company only; Carol, no member, has no tier.
        self.assertEqual(cells, {("at_risk", self.tier_member.id): 1,
                                 ("champions", self.tier_member.id): 1, ("lost", False): 1})
        self.assertEqual(len(grid["rows"]), 10, "every segment, even empty")
        # The contact list a cell opens (the client's domain): "At risk" members of the tier.
        Partner = self.env["res.partner"].with_company(self.company)
        self.assertEqual(Partner.search([("loyalty_rfm_segment", "=", "at_risk"),
                                         ("loyalty_tier_id", "=", self.tier_member.id)]),
                         self.alice)
        self.assertEqual(Partner.search([("loyalty_rfm_segment", "=", "lost"),
                                         ("loyalty_tier_id", "=", False)]), self.carol)
        # The tier filter keeps its column only.
        _cards, data = self._cards({**MARCH, "tier_ids": [self.tier_gold.id]})
        self.assertEqual([t["id"] for t in data["segments"]["tiers"]], self.tier_gold.ids)
        self.assertFalse(any(row["total"] for row in data["segments"]["rows"]))

    def test_segment_list_schedules_activities(self):
        """The list a segment opens offers Schedule Activity for the selected contacts."""
        action = self.env.ref("customer_loyalty.action_loyalty_partner_schedule_activity")
        self.assertEqual(action.binding_model_id.model, "res.partner")
        # What the list's action does with two contacts selected.
        wizard = self.env[action.res_model].with_context(
            active_model="res.partner", active_ids=(self.alice | self.bob).ids
        ).create({
            "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
            "summary": "Win back",
        })
        wizard.action_schedule_activities()
        for partner in self.alice | self.bob:
            self.assertEqual(partner.activity_ids.mapped("summary"), ["Win back"])
        self.assertFalse(self.carol.activity_ids)

    def test_bad_filters_are_refused(self):
        for filters in (
            {"period": "week"},
            {"period": "custom", "date_from": "2026-03-09", "date_to": "2026-03-01"},
            {"period": "custom", "date_from": "2026-03-01"},
            {"period": "month", "date": "not a date"},
            {"period": "month", "config_ids": ["1); DROP TABLE res_partner; --"]},
            {"period": "month", "tier_ids": 3},
        ):
            with self.subTest(filters=filters), self.assertRaises(UserError):
                self.Dashboard.get_dashboard_data(filters)

    def test_rights_and_companies(self):
        plain = self._new_user("plain_dash", "base.group_user")
        with self.assertRaises(AccessError):
            self._cards(MARCH, user=plain)
        loyalty_user = self._new_user("loyalty_dash", "customer_loyalty.group_loyalty_user")
        with self.assertRaises(AccessError):
            self.Dashboard.with_user(loyalty_user).with_context(
                allowed_company_ids=self.company.ids
            ).action_loyalty_refresh(MARCH)
        # A user of the first company asks for the second one's figures: nothing of them.
        cards, data = self._cards({**MARCH, "company_ids": [self.company2.id]}, user=loyalty_user)
        self.assertEqual(data["filters"]["company_ids"], [])
        self.assertEqual(
            (cards["active_customers"]["value"], cards["new_members"]["value"],
             cards["points_liability"]["value"]), (0, 0, 0.0)
        )
        self.assertEqual(data["segments"]["rows"], [])
        self.assertNotIn(self.company2.id, [c["id"] for c in data["options"]["companies"]])
        # The same user sees the first company's figures.
        cards, _data = self._cards(MARCH, user=loyalty_user)
        self.assertEqual(cards["active_customers"]["value"], 2)
        # A manager refreshes.
        manager = self._new_user("manager_dash", "customer_loyalty.group_loyalty_manager")
        cards = {c["key"]: c for c in self.Dashboard.with_user(manager).with_context(
            allowed_company_ids=self.company.ids).action_loyalty_refresh(MARCH)["cards"]}
        self.assertEqual(cards["active_customers"]["value"], 2)
