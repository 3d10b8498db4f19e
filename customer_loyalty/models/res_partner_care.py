from odoo import fields, models


class ResPartner(models.Model):
    """The after-sales care and welcome of the customer, for its smart button."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    loyalty_care_event_count = fields.Integer(
        compute="_compute_loyalty_care_event_count", groups="customer_loyalty.group_loyalty_user"
    )

    def _compute_loyalty_care_event_count(self):
        counts = dict(self.env["loyalty.care.event"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
        ))
        for partner in self:
            partner.loyalty_care_event_count = counts.get(partner, 0)

    def action_loyalty_view_care_events(self):
        self.ensure_one()
        return self.env["loyalty.care.event"]._loyalty_action_for([("partner_id", "=", self.id)])
