from odoo import api, fields, models


class LoyaltyCustomerTierMixin(models.AbstractModel):
    """The membership tier of a document's customer (``partner_id``) in the document's company,
    shown next to the customer on sales orders and CRM leads."""

    _name = "loyalty.customer.tier.mixin"
    _description = "Customer's Membership Tier"

    loyalty_tier_id = fields.Many2one(
        "loyalty.tier", string="Customer Tier", compute="_compute_loyalty_tier_id"
    )
    loyalty_tier_color = fields.Integer(string="Tier Color", compute="_compute_loyalty_tier_id")
    loyalty_tier_perks_html = fields.Html(
        string="Tier Perks", compute="_compute_loyalty_tier_perks_html", sanitize=False
    )

    @api.depends("partner_id", "company_id")
    @api.depends_context("company")
    def _compute_loyalty_tier_id(self):
        for record in self:
            company = record.company_id or self.env.company
            # sudo: salespeople see the tier without access to the member cards.
            record.loyalty_tier_id = record.partner_id.with_company(company).sudo().loyalty_tier_id
            record.loyalty_tier_color = record.loyalty_tier_id.color

    @api.depends("loyalty_tier_id")
    @api.depends_context("lang")
    def _compute_loyalty_tier_perks_html(self):
        for record in self:
            tier = record.loyalty_tier_id.sudo()
            record.loyalty_tier_perks_html = tier._loyalty_perks_html() if tier else False
