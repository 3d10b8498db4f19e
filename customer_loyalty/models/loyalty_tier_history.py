from odoo import api, fields, models


class LoyaltyTierHistory(models.Model):
    """One change of a member's tier. Written by the tier engine only; never edited."""

    _name = "loyalty.tier.history"
    _description = "Membership Tier Change"
    _order = "date desc, id desc"

    card_id = fields.Many2one("loyalty.card", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(related="card_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="card_id.company_id", store=True, index=True)
    old_tier_id = fields.Many2one("loyalty.tier", string="From Tier", ondelete="restrict")
    new_tier_id = fields.Many2one("loyalty.tier", string="To Tier", ondelete="restrict")
    direction = fields.Selection(
        [("enrol", "Enrolment"), ("up", "Upgrade"), ("down", "Downgrade")],
        compute="_compute_direction",
        store=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    reason = fields.Selection(
        [("order", "Order"), ("cron", "Scheduled review"), ("manual", "Manual")],
        required=True,
    )
    sale_order_id = fields.Many2one("sale.order", string="Order", ondelete="set null")
    pos_order_id = fields.Many2one("pos.order", string="POS Order", ondelete="set null")
    user_id = fields.Many2one("res.users", string="By", default=lambda self: self.env.user)
    note = fields.Char()

    @api.depends("old_tier_id", "new_tier_id")
    def _compute_direction(self):
        for line in self:
            if not line.old_tier_id:
                line.direction = "enrol"
            elif line.new_tier_id._rank_key() > line.old_tier_id._rank_key():
                line.direction = "up"
            else:
                line.direction = "down"
