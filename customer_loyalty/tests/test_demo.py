from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    """The demo a newcomer gets from `make run` (the suite's database is installed with demo
    data): a Vietnamese shop in VND whose members are spread over the four tiers and can be
    served at its POS counter."""

    def setUp(self):
        super().setUp()
        self.company = self.env.ref(
            "customer_loyalty.demo_company_hoa_mai", raise_if_not_found=False
        )
        if not self.company:
            self.skipTest("installed without demo data")

    def test_shop_sells_in_dong(self):
        self.assertEqual(self.company.currency_id, self.env.ref("base.VND"))
        self.assertEqual(self.company.account_fiscal_country_id, self.env.ref("base.vn"))

    def test_members_across_the_tiers(self):
        cards = self.company._loyalty_member_cards(self.env["res.partner"].search([]))
        self.assertEqual(len(cards), 20)
        per_tier = {tier.name: len(cards.filtered(lambda c, t=tier: c.tier_id == t))
                    for tier in self.company.loyalty_tier_ids}
        self.assertEqual(per_tier, {"Member": 10, "Silver": 5, "Gold": 3, "VIP": 2})
        self.assertTrue(all(self.company.loyalty_tier_ids.mapped("description")))
        for card in cards:
            ledger = sum(card.history_ids.mapped("issued")) - sum(card.history_ids.mapped("used"))
            self.assertAlmostEqual(card.points, ledger, places=2)
            self.assertGreater(card.points, 0)

    def test_pos_counter(self):
        config = self.env.ref("customer_loyalty.demo_pos_config_hoa_mai")
        self.assertEqual(config.company_id, self.company)
        self.assertEqual(config.currency_id, self.env.ref("base.VND"))
        self.assertTrue(config.payment_method_ids.filtered("is_cash_count"))
        self.assertIn(self.company.loyalty_program_id, config._get_program_ids())
