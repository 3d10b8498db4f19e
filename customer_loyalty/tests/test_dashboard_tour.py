from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestLoyaltyDashboardTour(HttpCase):
    """The administrator opens the Loyalty app: the dashboard is its first screen and shows the
    month's figures of a company of the test's own (Odoo's demo orders are in other companies);
    the "Champions" segment opens the contact list of exactly its contacts.

    This month: Zyx Alice buys twice (100 and 300), Zyx Bob once (200): 2 active customers,
    repurchase rate 50.0 %, 3 orders, AOV 200. Alice is a Champion, Bob is New."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        usd = cls.env.ref("base.USD")
        company = cls.env["res.company"].create(
            {"name": "Zyx Dashboard Shop", "currency_id": usd.id}
        )
        cls.company = company
        admin = cls.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(company.id)], "company_id": company.id})
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=company.ids))
        product = env["product.product"].create({
            "name": "Zyx Dashboard Product", "type": "service", "taxes_id": [Command.clear()],
        })
        Partner = env["res.partner"]
        cls.alice = Partner.create({"name": "Zyx Alice"})
        cls.bob = Partner.create({"name": "Zyx Bob"})
        (cls.alice | cls.bob).with_company(company).action_loyalty_enroll()
        for partner, amount in ((cls.alice, 100), (cls.alice, 300), (cls.bob, 200)):
            env["sale.order"].with_company(company).create({
                "partner_id": partner.id, "company_id": company.id,
                "order_line": [Command.create({
                    "product_id": product.id, "product_uom_qty": 1, "price_unit": amount,
                    "tax_id": [Command.clear()],
                })],
            }).action_confirm()
        env.flush_all()  # the facts are read from the tables
        env["loyalty.retention.order"]._loyalty_refresh()
        # The RFM segments as the daily cron would store them (the cron has tests of its own).
        cls.alice.with_company(company).sudo().loyalty_rfm_segment = "champions"
        cls.bob.with_company(company).sudo().loyalty_rfm_segment = "new"

    def test_dashboard_and_segment_list(self):
        # From another screen (the demo administrator's home is the dashboard itself).
        self.start_tour(
            "/odoo/action-customer_loyalty.action_loyalty_members",
            "CustomerLoyaltyDashboardTour", login="admin",
        )
