from odoo import fields, models


class LoyaltyTier(models.Model):
    """Members entering this tier (or enrolled in it) get a welcome call."""

    _inherit = "loyalty.tier"  # pylint: disable=consider-merging-classes-inherited

    welcome_call = fields.Boolean(
        help="Members entering this tier (or enrolled in it) get a \"Welcome call\" activity "
        "for their salesperson, once per member and tier.",
    )
    welcome_user_id = fields.Many2one(
        "res.users", string="Account Manager", domain=[("share", "=", False)],
        help="Gets the welcome calls of this tier; empty: the member's salesperson.",
    )
