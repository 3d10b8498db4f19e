from odoo import _, api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    loyalty_tier_id = fields.Many2one(
        "loyalty.tier", string="Customer Tier", compute="_compute_loyalty_tier_id"
    )
    loyalty_tier_color = fields.Integer(string="Tier Color", compute="_compute_loyalty_tier_id")

    @api.depends("partner_id", "company_id")
    @api.depends_context("company")
    def _compute_loyalty_tier_id(self):
        for order in self:
            company = order.company_id or self.env.company
            order.loyalty_tier_id = order.partner_id.with_company(company).sudo().loyalty_tier_id
            order.loyalty_tier_color = order.loyalty_tier_id.color

    def _loyalty_membership_orders(self):
        """Orders whose customer holds (or may get) a card of the company's membership program."""
        return self.filtered(lambda o: o.company_id.loyalty_program_id and o.partner_id)

    def _program_check_compute_points(self, programs):
        """The membership program only gives points to members: a customer who is not
        enrolled gets none (automatic enrolment, when enabled, happens at confirmation)."""
        result = super()._program_check_compute_points(programs)
        membership = self.company_id.loyalty_program_id
        if membership in programs and not self.company_id._loyalty_member_cards(self.partner_id):
            result[membership] = {
                "error": _("%(customer)s is not a member of %(program)s.",
                           customer=self.partner_id.display_name, program=membership.name)
            }
        return result

    def action_confirm(self):
        orders = self._loyalty_membership_orders()
        for company in orders.company_id.filtered("loyalty_auto_enroll"):
            partners = orders.filtered(lambda o, co=company: o.company_id == co).partner_id
            new = partners - company._loyalty_member_cards(partners).partner_id
            if new:
                self.env["loyalty.card"].sudo().with_company(company).with_context(
                    loyalty_tier_reason="order"
                ).create([
                    {"program_id": company.loyalty_program_id.id, "partner_id": p.id, "points": 0}
                    for p in new
                ])
        res = super().action_confirm()
        orders._loyalty_update_member_tiers()
        return res

    def _loyalty_update_member_tiers(self):
        """Upgrade the members of these (just confirmed) orders at once; downgrades wait for
        the daily review."""
        for order in self.filtered(lambda o: o.state == "sale"):
            cards = order.company_id._loyalty_member_cards(order.partner_id)
            cards._loyalty_update_tiers(reason="order", order=order, allow_downgrade=False)
