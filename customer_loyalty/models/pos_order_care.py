from odoo import fields, models


class PosOrder(models.Model):
    """The after-sales care of the order, for its smart button."""

    _inherit = "pos.order"  # pylint: disable=consider-merging-classes-inherited

    loyalty_care_event_ids = fields.One2many(
        "loyalty.care.event", "pos_order_id", string="Care Events",
        groups="customer_loyalty.group_loyalty_user",
    )
    loyalty_care_event_count = fields.Integer(
        compute="_compute_loyalty_care_event_count", groups="customer_loyalty.group_loyalty_user"
    )

    def _compute_loyalty_care_event_count(self):
        counts = dict(self.env["loyalty.care.event"]._read_group(
            [("pos_order_id", "in", self.ids)], ["pos_order_id"], ["__count"]
        ))
        for order in self:
            order.loyalty_care_event_count = counts.get(order, 0)

    def action_loyalty_view_care_events(self):
        self.ensure_one()
        return self.env["loyalty.care.event"]._loyalty_action_for([("pos_order_id", "=", self.id)])
