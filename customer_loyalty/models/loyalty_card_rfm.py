from odoo import fields, models


class LoyaltyCard(models.Model):
    """The member's RFM segment on the Members list, to filter and group by."""

    _inherit = "loyalty.card"  # pylint: disable=consider-merging-classes-inherited

    # Related, not stored: the contact's company-dependent segment in the current company;
    # Odoo 18 searches and groups by it with a join.
    loyalty_rfm_segment = fields.Selection(
        related="partner_id.loyalty_rfm_segment", string="RFM Segment"
    )
    loyalty_rfm_score = fields.Char(related="partner_id.loyalty_rfm_score", string="RFM Score")
