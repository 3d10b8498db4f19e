from odoo import api, models

from .loyalty_card import loyalty_points_flow


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # sale_loyalty moves the card's points itself when a reward line of a confirmed order is
    # added or changed, and records it in the ledger (see sale.order._update_loyalty_history).
    @api.model_create_multi
    def create(self, vals_list):
        with loyalty_points_flow():
            return super().create(vals_list)

    def write(self, vals):
        if "points_cost" not in vals:
            return super().write(vals)
        with loyalty_points_flow():
            return super().write(vals)
