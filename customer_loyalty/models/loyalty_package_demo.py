from datetime import timedelta

from odoo import Command, api, fields, models


class LoyaltyPackage(models.Model):
    _inherit = "loyalty.package"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _loyalty_demo_packages(self):
        """Demo data: the demo orders' packages, sold, used and frozen relative to today."""
        today = fields.Date.context_today(self)
        company = self.env.ref("customer_loyalty.demo_company_hoa_mai")
        Package = self.sudo().with_company(company)
        orders = {
            "an": self.env.ref("customer_loyalty.demo_sale_order_an_package"),
            "ngoc": self.env.ref("customer_loyalty.demo_sale_order_ngoc_package"),
        }
        sold = {"an": today - timedelta(days=40), "ngoc": today - timedelta(days=100)}
        for key, order in orders.items():
            if order.state == "draft":
                order.with_company(company).action_confirm()
            line = order.order_line[:1]
            Package._loyalty_package_issue([{
                "partner": order.partner_id, "product": line.product_id, "company": company,
                "currency": order.currency_id, "amount": line.price_subtotal,
                "date": sold[key], "origin": order.name, "sale_line": line, "rank": 0,
            }])
        haircut_pack = Package.search([("sale_line_id", "=", orders["an"].order_line[:1].id)])
        gym_pack = Package.search([("sale_line_id", "=", orders["ngoc"].order_line[:1].id)])
        if haircut_pack.uses_used or gym_pack.uses_used:
            return  # done at the installation: a module update runs this again
        # Three haircuts taken on the package, on orders of their own.
        haircut = self.env.ref("customer_loyalty.demo_product_cat_toc")
        for days_ago in (30, 20, 10):
            self._loyalty_demo_use(haircut_pack, haircut, today - timedelta(days=days_ago))
        # Ngọc's first gym visit, then a visit of the family member she named.
        visit = self.env.ref("customer_loyalty.demo_product_gym_visit")
        member = self.env.ref("customer_loyalty.demo_partner_duc")
        gym_pack.member_ids = [Command.link(member.id)]
        self._loyalty_demo_use(gym_pack, visit, today - timedelta(days=90))
        self._loyalty_demo_use(gym_pack, visit, today - timedelta(days=60), partner=member)
        if not gym_pack.freeze_ids:
            gym_pack._loyalty_package_freeze(
                today, today + timedelta(days=20), self.env._("Travelling abroad")
            )

    def _loyalty_demo_use(self, package, product, date, partner=None):
        company = package.company_id
        partner = partner or package.partner_id
        order = self.env["sale.order"].sudo().with_company(company).create({
            "partner_id": partner.id,
            "company_id": company.id,
            "user_id": self.env.ref("base.user_admin").id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
        })
        self.sudo()._loyalty_package_consume([{
            "package": package, "partner": partner, "product": product,
            "quantity": 1, "company": company, "date": date, "origin": order.name,
            "sale_line": order.order_line,
        }])
        return order
