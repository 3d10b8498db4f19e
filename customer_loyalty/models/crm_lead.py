from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    loyalty_tier_id = fields.Many2one(
        "loyalty.tier", string="Customer Tier", compute="_compute_loyalty_tier_id"
    )
    loyalty_tier_color = fields.Integer(string="Tier Color", compute="_compute_loyalty_tier_id")

    @api.depends("partner_id", "company_id")
    @api.depends_context("company")
    def _compute_loyalty_tier_id(self):
        for lead in self:
            company = lead.company_id or self.env.company
            lead.loyalty_tier_id = lead.partner_id.with_company(company).sudo().loyalty_tier_id
            lead.loyalty_tier_color = lead.loyalty_tier_id.color
