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

    def test_pos_counter_sells_the_shops_products_only(self):
        config = self.env.ref("customer_loyalty.demo_pos_config_hoa_mai")
        categories = (self.env.ref("customer_loyalty.demo_pos_categ_services")
                      | self.env.ref("customer_loyalty.demo_pos_categ_packages")
                      | self.env.ref("customer_loyalty.demo_pos_categ_goods"))
        self.assertTrue(config.limit_categories)
        self.assertEqual(config.iface_available_categ_ids, categories)
        products = self.env["product.product"].search(config._get_available_product_domain())
        self.assertEqual(len(products), 14)
        self.assertEqual(set(products.mapped("default_code")), {
            "HM-DV01", "HM-DV02", "HM-DV03", "HM-DV04", "HM-DV05", "HM-LT01", "HM-LT02",
            "HM-GYM12", "HM-SP01", "HM-SP02", "HM-CB01",
            # The prepaid packages' demo: a gym visit and the two packages.
            "HM-GYM01", "HM-PKG10CT", "HM-PKGGYM12",
        })
        # Odoo's demo furniture is still in the database, but not at this counter.
        desk = self.env.ref("product.desk_organizer", raise_if_not_found=False)
        if desk:
            self.assertNotIn(desk, products)
        self.assertEqual(products.company_id, self.company)

    def test_vietnamese_vat_included_in_prices(self):
        vat8 = self.env.ref("customer_loyalty.demo_tax_vat8")
        vat10 = self.env.ref("customer_loyalty.demo_tax_vat10")
        self.assertEqual((vat8.amount, vat10.amount), (8, 10))
        self.assertEqual((vat8 | vat10).company_id, self.company)
        self.assertTrue(vat8.price_include and vat10.price_include)
        self.assertEqual(self.company.account_sale_tax_id, vat10)
        massage = self.env.ref("customer_loyalty.demo_product_massage")
        serum = self.env.ref("customer_loyalty.demo_product_serum")
        self.assertEqual(massage.taxes_id, vat8)
        self.assertEqual(serum.taxes_id, vat10)
        # 450,000 ₫ taxes included: 416,667 ₫ + 33,333 ₫ of VAT (450,000 / 1.08, rounded).
        taxes = vat8.compute_all(450000, currency=self.company.currency_id)
        self.assertEqual((taxes["total_excluded"], taxes["total_included"]), (416667, 450000))
        # The counter charges the price on the label.
        self.assertEqual(
            massage.with_company(self.company).taxes_id.compute_all(
                massage.lst_price, currency=self.company.currency_id)["total_included"],
            450000,
        )

    def test_members_speak_vietnamese(self):
        vietnamese = self.env["res.lang"]._lang_get("vi_VN")
        self.assertTrue(vietnamese.active)
        cards = self.company._loyalty_member_cards(self.env["res.partner"].search([]))
        self.assertEqual(set(cards.partner_id.mapped("lang")), {"vi_VN"})
        # Odoo's own translations are loaded: the Sales menu reads "Bán hàng".
        menu = self.env.ref("sale.sale_menu_root").with_context(lang="vi_VN")
        self.assertEqual(menu.name, "Bán hàng")
        self.assertEqual(self.env.ref("base.user_admin").lang, "en_US")

    def test_demo_users(self):
        admin = self.env.ref("base.user_admin")
        # The admin lands on the Loyalty dashboard (not in Discuss).
        self.assertEqual(admin.action_id.id,
                         self.env.ref("customer_loyalty.action_loyalty_dashboard").id)
        member = self.env.ref("customer_loyalty.demo_user_member")
        self.assertEqual(member.login, "member")
        self.assertTrue(member.has_group("base.group_portal"))
        self.assertFalse(member.has_group("base.group_user"))
        self.assertEqual(member.partner_id.with_company(self.company).loyalty_tier_id.name, "Gold")
        sales = self.env.ref("customer_loyalty.demo_user_sales")
        self.assertTrue(sales.has_group("sales_team.group_sale_salesman"))
        self.assertTrue(sales.has_group("customer_loyalty.group_loyalty_user"))
        self.assertFalse(sales.has_group("customer_loyalty.group_loyalty_manager"))
        cashier = self.env.ref("customer_loyalty.demo_user_cashier")
        self.assertTrue(cashier.has_group("point_of_sale.group_pos_user"))
        self.assertFalse(cashier.has_group("customer_loyalty.group_loyalty_user"))
        for user in (member, sales, cashier):
            self.assertEqual(user.company_id, self.company)
            # The README's passwords work.
            user.with_user(user)._check_credentials(
                {"type": "password", "password": user.login}, {"interactive": False}
            )

    def test_combo_offer_for_gold_and_vip(self):
        """Combo thư giãn: 540,000 ₫ (VAT included) for Gold and VIP members only, 480,000 ₫
        for VIP members (a fixed price of the VIP pricelist)."""
        menu = self.env.ref("customer_loyalty.demo_product_combo_relax")
        tiers = self.company.loyalty_tier_ids
        self.assertEqual(menu.type, "combo")
        self.assertEqual(menu.list_price, 540000.0)
        self.assertEqual(
            menu.product_tmpl_id.loyalty_tier_ids, tiers.filtered(lambda t: t.sequence >= 30)
        )
        vip = tiers.filtered(lambda t: t.name == "VIP")
        self.assertRecordValues(menu.product_tmpl_id.loyalty_member_price_ids, [
            {"loyalty_tier_id": vip.id, "fixed_price": 480000.0},
        ])
        self.assertEqual(vip.pricelist_id._get_product_price(menu, 1), 480000.0)
        silver = tiers.filtered(lambda t: t.name == "Silver")
        self.assertTrue(menu.product_tmpl_id._loyalty_tier_refusal(silver))
        self.assertFalse(menu.product_tmpl_id._loyalty_tier_refusal(vip))

    def test_demo_member_opted_out_of_promotions(self):
        bich = self.env.ref("customer_loyalty.demo_partner_bich")
        Partner = self.env["res.partner"]
        self.assertFalse(Partner._loyalty_contactable(bich.ids, "email", "marketing"))
        self.assertFalse(Partner._loyalty_contactable(bich.ids, "sms", "marketing"))
        self.assertEqual(Partner._loyalty_contactable(bich.ids, "email", "gift"), bich)
        self.assertEqual(bich.loyalty_do_not_contact, "E-mail: Promotions; SMS: Promotions")

    def test_analytics_computed_at_install(self):
        """The demo's orders are in the retention facts and its customers have RFM segments
        right after install (the dashboard shows them before the first night's crons)."""
        Orders = self.env["loyalty.retention.order"]
        sales = self.env["sale.order"].search_count(
            [("company_id", "=", self.company.id), ("state", "=", "sale")]
        )
        pos = self.env["pos.order"].search_count([
            ("company_id", "=", self.company.id), ("state", "in", ("paid", "done", "invoiced")),
            ("lines.refunded_orderline_id", "=", False),
        ])
        self.assertGreater(sales, 0)
        self.assertEqual(
            Orders.search_count([("company_id", "=", self.company.id)]), sales + pos,
            "one row per confirmed sales order and paid POS order of the shop",
        )
        Partner = self.env["res.partner"].with_company(self.company)
        self.assertTrue(Partner.search_count([("loyalty_rfm_segment", "!=", False)]))
