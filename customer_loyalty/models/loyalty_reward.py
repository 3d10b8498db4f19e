from odoo import api, fields, models


class LoyaltyReward(models.Model):
    _inherit = "loyalty.reward"

    tier_ids = fields.Many2many(
        "loyalty.tier",
        string="Reserved for Tiers",
        help="Only members of these tiers can claim this reward. Empty: every member.",
    )
    # The POS does not load tiers: it compares the member's tier id with these.
    pos_tier_ids = fields.Json(compute="_compute_pos_tier_ids")

    @api.depends("tier_ids")
    def _compute_pos_tier_ids(self):
        for reward in self:
            reward.pos_tier_ids = reward.sudo().tier_ids.ids

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [*super()._load_pos_data_fields(config_id), "pos_tier_ids"]
