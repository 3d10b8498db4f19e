from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _loyalty_refunded_orders(self):
        refunds = self.filtered(lambda m: m.move_type == "out_refund")
        return refunds.line_ids.sale_line_ids.order_id

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._loyalty_refunded_orders()._loyalty_sync_refunds()
        return posted

    def button_draft(self):
        orders = self._loyalty_refunded_orders()
        res = super().button_draft()
        orders._loyalty_sync_refunds()
        return res

    def button_cancel(self):
        orders = self._loyalty_refunded_orders()
        res = super().button_cancel()
        orders._loyalty_sync_refunds()
        return res
