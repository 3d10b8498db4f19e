from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestTierAnalytics(LoyaltyCommon):
    """Tiers Member (0), Silver (1,000), Gold (5,000 spent in 12 months). Alice and Bob enrol
    on 2026-01-01 (Member):

    ==========  =====  ==========================================  ====================
    day         who    what                                        tier at the order
    ==========  =====  ==========================================  ====================
    2026-01-10  Alice  600                                         Member
    2026-01-20  Bob    5,000: upgraded to Gold                     Member
    2026-02-01  Carol  300 (not a member)                          -
    2026-02-10  Alice  600: 1,200 spent, upgraded to Silver        Member
    2026-03-01  Bob    700, cancelled                              -
    2026-03-10  Alice  500                                         Silver
    2026-04-05  Bob    moved down to Silver by hand                -
    ==========  =====  ==========================================  ====================

    The other company (its default tiers, Silver from 200): Alice enrols there on 2026-01-01
    and spends 300 on 2026-02-01 (upgraded to Silver; Member at the order).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create(
            {"name": "Tier Other Shop", "currency_id": cls.usd.id}
        )
        cls.env.user.company_ids |= cls.other_company
        cls.other_member, cls.other_silver = cls.other_company.loyalty_tier_ids.sorted(
            lambda tier: tier._rank_key()
        )[:2]
        with freeze_time("2026-01-01 08:00:00"):
            cls.alice_card, cls.bob_card = cls._enrol(cls.alice | cls.bob).sorted(
                lambda card: card.partner_id != cls.alice
            )
            cls._enrol(cls.alice, company=cls.other_company)
        cls.Figures = cls.env["loyalty.tier.figures"]

    def _data_set(self):
        self._confirm_order(self.alice, 600.0, date="2026-01-10 09:00:00")
        self._confirm_order(self.bob, 5000.0, date="2026-01-20 09:00:00")
        self._confirm_order(self.carol, 300.0, date="2026-02-01 09:00:00")
        self._confirm_order(self.alice, 600.0, date="2026-02-10 09:00:00")
        self._confirm_order(self.bob, 700.0, date="2026-03-01 09:00:00")._action_cancel()
        self._confirm_order(self.alice, 500.0, date="2026-03-10 09:00:00")
        with freeze_time("2026-04-05 09:00:00"):
            self.bob_card._loyalty_apply_tier_changes(
                [(self.bob_card, self.tier_gold, self.tier_silver)], reason="manual"
            )
        self._confirm_order(
            self.alice, 300.0, date="2026-02-01 10:00:00", company=self.other_company
        )
        self.assertEqual(self.alice_card.tier_id, self.tier_silver)
        self.assertEqual(self.bob_card.tier_id, self.tier_silver)
        self.env.flush_all()
        self.env["loyalty.retention.order"]._loyalty_refresh()

    def _by_tier(self, rows):
        return {row["tier_id"]: row for row in rows}

    def test_tier_figures(self):
        self._data_set()
        rows = self.Figures._loyalty_tier_figures({
            "company_ids": [self.company.id], "date_from": "2026-01-01",
            "date_to": "2026-03-31",
        })
        self.assertEqual([row["tier_id"] for row in rows],
                         (self.tier_member | self.tier_silver | self.tier_gold).ids)
        by_tier = self._by_tier(rows)
        member, silver, gold = (by_tier[t.id] for t in
                                (self.tier_member, self.tier_silver, self.tier_gold))
        # today: Alice and Bob in Silver
        self.assertEqual((member["members"], silver["members"], gold["members"]), (0, 2, 0))
        # the first quarter: Bob up into Gold, Alice up into Silver; Bob's fall is in April
        self.assertEqual((member["upgrades"], silver["upgrades"], gold["upgrades"]), (0, 1, 1))
        self.assertEqual((member["downgrades"], silver["downgrades"], gold["downgrades"]),
                         (0, 0, 0))
        # spend while in the tier: Member: Alice 600 + 600, Bob 5,000; Silver: Alice 500
        self.assertEqual(
            (member["customers"], member["orders"], member["revenue"], member["avg_spend"]),
            (2, 3, 6200.0, 3100.0),
        )
        self.assertAlmostEqual(member["aov"], 6200.0 / 3)
        self.assertEqual(
            (silver["customers"], silver["orders"], silver["revenue"], silver["avg_spend"]),
            (1, 1, 500.0, 500.0),
        )
        self.assertEqual((gold["customers"], gold["revenue"], gold["avg_spend"]), (0, 0.0, None))

        # up to April: Bob's downgrade leaves Gold
        april = self._by_tier(self.Figures._loyalty_tier_figures(
            {"company_ids": [self.company.id], "date_from": "2026-04-01",
             "date_to": "2026-04-30"}
        ))
        self.assertEqual(april[self.tier_gold.id]["downgrades"], 1)
        self.assertEqual(april[self.tier_silver.id]["downgrades"], 0)
        self.assertEqual(april[self.tier_silver.id]["upgrades"], 0)

        # a tier filter keeps that tier only
        only_silver = self.Figures._loyalty_tier_figures(
            {"company_ids": [self.company.id], "tier_ids": [self.tier_silver.id]}
        )
        self.assertEqual([row["tier_id"] for row in only_silver], self.tier_silver.ids)

        # the other company has its own tiers and figures
        other = self._by_tier(self.Figures._loyalty_tier_figures(
            {"company_ids": [self.other_company.id], "date_from": "2026-01-01",
             "date_to": "2026-03-31"}
        ))
        self.assertNotIn(self.tier_member.id, other)
        self.assertEqual(
            (other[self.other_member.id]["revenue"], other[self.other_member.id]["customers"]),
            (300.0, 1),
        )
        self.assertEqual(other[self.other_silver.id]["upgrades"], 1)
        self.assertEqual(other[self.other_silver.id]["members"], 1)

    def test_tier_periods(self):
        self._data_set()
        rows = self.Figures._loyalty_tier_periods(
            {"company_ids": [self.company.id], "date_from": "2026-01-01",
             "date_to": "2026-04-30"}, "month",
        )
        figures = {
            (row["period"], row["tier_id"]): (row["members"], row["upgrades"], row["downgrades"])
            for row in rows if any((row["members"], row["upgrades"], row["downgrades"]))
        }
        member, silver, gold = self.tier_member.id, self.tier_silver.id, self.tier_gold.id
        self.assertEqual(figures, {
            # end of January: Alice Member, Bob Gold (upgraded on the 20th)
            (date(2026, 1, 1), member): (1, 0, 0),
            (date(2026, 1, 1), gold): (1, 1, 0),
            # end of February and March: Alice Silver (the 10th), Bob Gold
            (date(2026, 2, 1), silver): (1, 1, 0),
            (date(2026, 2, 1), gold): (1, 0, 0),
            (date(2026, 3, 1), silver): (1, 0, 0),
            (date(2026, 3, 1), gold): (1, 0, 0),
            # end of April: both Silver, Bob down from Gold
            (date(2026, 4, 1), silver): (2, 0, 0),
            (date(2026, 4, 1), gold): (0, 0, 1),
        })
        quarters = self.Figures._loyalty_tier_periods(
            {"company_ids": [self.company.id], "date_from": "2026-01-01",
             "date_to": "2026-06-30"}, "quarter",
        )
        by_key = {(row["period"], row["tier_id"]): row for row in quarters}
        self.assertEqual(by_key[(date(2026, 1, 1), gold)]["members"], 1)
        self.assertEqual(by_key[(date(2026, 1, 1), silver)]["upgrades"], 1)
        self.assertEqual(by_key[(date(2026, 4, 1), silver)]["members"], 2)

    def test_tier_figures_rights(self):
        clerk = self._new_user("tier_analytics_clerk", "base.group_user")
        with self.assertRaises(AccessError):
            self.Figures.with_user(clerk)._loyalty_tier_figures({})
        with self.assertRaises(AccessError):
            self.Figures.with_user(clerk)._loyalty_tier_periods({}, "month")
