from odoo import fields, models


class LoyaltyReward(models.Model):
    _inherit = "loyalty.reward"

    tier_ids = fields.Many2many(
        "loyalty.tier",
        string="Reserved for Tiers",
        help="Only members of these tiers can claim this reward. Empty: every member.",
    )
