from odoo import Command
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestMultiCompany(LoyaltyCommon):
    """Each company runs its own programme: program, tiers, members' tiers and history.

    Company A is the common company (Member 0 / Silver 1,000 / Gold 5,000); company B keeps the
    default ladder (Member 0 / Silver 200 / Gold 800 / VIP 2,000)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create(
            {"name": "Second Shop", "currency_id": cls.usd.id}
        )
        cls.member_b, cls.silver_b, cls.gold_b, cls.vip_b = cls.company_b.loyalty_tier_ids.sorted(
            lambda t: t._rank_key()
        )
        cls.user_a = mail_new_test_user(
            cls.env, login="loyalty_manager_a", groups="customer_loyalty.group_loyalty_manager",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
        )

    def test_new_company_gets_program_and_tiers(self):
        program = self.company_b.loyalty_program_id
        self.assertTrue(program)
        self.assertNotEqual(program, self.program)
        self.assertRecordValues(program, [{
            "program_type": "loyalty", "company_id": self.company_b.id,
            "is_membership_program": True,
        }])
        self.assertEqual(program.rule_ids.mapped("reward_point_amount"), [1.0])
        tiers = self.company_b.loyalty_tier_ids.sorted(lambda t: t._rank_key())
        self.assertEqual(tiers.mapped("name"), ["Member", "Silver", "Gold", "VIP"])
        self.assertEqual(tiers.mapped("threshold"), [0, 200, 800, 2000])
        self.assertEqual(tiers.company_id, self.company_b)
        # Company A's ladder is untouched.
        self.assertEqual(
            self.company.loyalty_tier_ids, self.tier_member | self.tier_silver | self.tier_gold
        )

        # Safe to run again: nothing is duplicated.
        self.company_b._loyalty_install_membership()
        self.assertEqual(self.company_b.loyalty_program_id, program)
        self.assertEqual(self.company_b.loyalty_tier_ids, tiers)

    def test_zero_decimal_currency_company(self):
        vnd = self.env.ref("base.VND")
        vnd.active = True
        company = self.env["res.company"].create({"name": "Cửa hàng", "currency_id": vnd.id})
        tiers = company.loyalty_tier_ids.sorted(lambda t: t._rank_key())
        self.assertEqual(tiers.mapped("threshold"), [0, 5_000_000, 20_000_000, 50_000_000])
        self.assertEqual(
            company.loyalty_program_id.rule_ids.mapped("reward_point_amount"), [0.001]
        )

    def test_user_sees_own_company_tiers_and_history_only(self):
        self._enrol(self.alice)
        self._enrol(self.alice, company=self.company_b)
        self._confirm_order(self.alice, 300, company=self.company_b)
        self.env.invalidate_all()

        env_a = self.env(user=self.user_a)
        self.assertEqual(
            env_a["loyalty.tier"].search([]), self.tier_member | self.tier_silver | self.tier_gold
        )
        history = env_a["loyalty.tier.history"].search([("partner_id", "=", self.alice.id)])
        self.assertEqual(history.company_id, self.company)
        self.assertEqual(history.mapped("direction"), ["enrol"])
        self.assertEqual(
            env_a["loyalty.card"].search([("partner_id", "=", self.alice.id)]).company_id,
            self.company,
        )
        with self.assertRaises(AccessError):
            env_a["loyalty.tier"].browse(self.vip_b.id).read(["name"])
        # The same lines exist: company B sees its own.
        history_b = self.env["loyalty.tier.history"].search(
            [("partner_id", "=", self.alice.id), ("company_id", "=", self.company_b.id)]
        )
        self.assertEqual(history_b.mapped("direction"), ["up", "enrol"])

    def test_other_company_tiers_and_orders_do_not_count(self):
        card_a = self._enrol(self.alice)
        card_b = self._enrol(self.alice, company=self.company_b)

        # 300 is Silver in company B, not in company A.
        self._confirm_order(self.alice, 300)
        self.assertEqual(card_a.tier_id, self.tier_member)
        self.assertEqual(card_b.tier_id, self.member_b)

        # An order in B moves the B card only.
        self._confirm_order(self.alice, 4800, company=self.company_b)
        self.assertEqual(card_b.tier_id, self.vip_b)
        self.assertEqual(card_a.tier_id, self.tier_member, "B's sales do not count in A")
        self.assertEqual(self._history(self.alice).filtered(
            lambda line: line.company_id == self.company).mapped("direction"), ["enrol"])

        # 300 + 900 in A: Silver, not Gold (which 300 + 900 + 4,800 would be).
        self._confirm_order(self.alice, 900)
        self.env["loyalty.card"]._cron_update_tiers()
        self.assertEqual(card_a.tier_id, self.tier_silver)
        self.assertEqual(card_b.tier_id, self.vip_b)
        self.assertEqual(self.alice.with_company(self.company).loyalty_tier_id, self.tier_silver)
        self.assertEqual(self.alice.with_company(self.company_b).loyalty_tier_id, self.vip_b)

    def test_partners_searched_and_grouped_by_tier_per_company(self):
        self._enrol(self.alice | self.bob)
        self._enrol(self.alice | self.carol, company=self.company_b)
        self._confirm_order(self.alice, 1200)
        self._confirm_order(self.alice, 2500, company=self.company_b)
        partners = self.alice | self.bob | self.carol
        Partner = self.env["res.partner"]

        def groups(company):
            return dict(
                Partner.with_company(company)._read_group(
                    [("id", "in", partners.ids)], ["loyalty_tier_id"], ["__count"]
                )
            )

        empty = self.env["loyalty.tier"]
        self.assertEqual(groups(self.company), {self.tier_silver: 1, self.tier_member: 1, empty: 1})
        self.assertEqual(groups(self.company_b), {self.vip_b: 1, self.member_b: 1, empty: 1})
        self.assertEqual(
            Partner.with_company(self.company).search(
                [("id", "in", partners.ids), ("loyalty_tier_id", "=", self.tier_silver.id)]
            ),
            self.alice,
        )
        self.assertEqual(
            Partner.with_company(self.company_b).search(
                [("id", "in", partners.ids), ("loyalty_tier_id", "=", self.member_b.id)]
            ),
            self.carol,
        )
        self.assertEqual(
            Partner.with_company(self.company).search(
                [("id", "in", partners.ids), ("loyalty_tier_id", "=", False)]
            ),
            self.carol,
        )

    def test_orders_and_leads_show_the_customer_tier(self):
        self._enrol(self.alice)
        self._enrol(self.alice, company=self.company_b)
        self._confirm_order(self.alice, 1200)
        self._confirm_order(self.alice, 2500, company=self.company_b)

        SaleOrder, Lead = self.env["sale.order"], self.env["crm.lead"]
        for company, tier in ((self.company, self.tier_silver), (self.company_b, self.vip_b)):
            with self.subTest(company=company.name):
                quotation = SaleOrder.with_company(company).create(
                    {"partner_id": self.alice.id, "company_id": company.id}
                )
                self.assertEqual(quotation.loyalty_tier_id, tier)
                self.assertEqual(quotation.loyalty_tier_color, tier.color)
                lead = Lead.with_company(company).create(
                    {"name": "Alice again", "partner_id": self.alice.id, "company_id": company.id}
                )
                self.assertEqual(lead.loyalty_tier_id, tier)
                self.assertEqual(lead.loyalty_tier_color, tier.color)

        prospect = Lead.create({"name": "Carol?", "partner_id": self.carol.id})
        self.assertFalse(prospect.loyalty_tier_id)
