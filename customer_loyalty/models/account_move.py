from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _loyalty_refunded_orders(self):
        refunds = self.filtered(lambda m: m.move_type == "out_refund")
        return refunds.line_ids.sale_line_ids.order_id

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        orders = posted._loyalty_refunded_orders()
        orders._loyalty_sync_refunds()
        # A credit note lowers the spend tiers are computed from (see loyalty_tier_engine).
        self.env["loyalty.card"]._loyalty_tier_metric_forget(orders)
        return posted

    def button_draft(self):
        orders = self._loyalty_refunded_orders()
        res = super().button_draft()
        orders._loyalty_sync_refunds()
        self.env["loyalty.card"]._loyalty_tier_metric_forget(orders)
        return res

    def button_cancel(self):
        orders = self._loyalty_refunded_orders()
        res = super().button_cancel()
        orders._loyalty_sync_refunds()
        self.env["loyalty.card"]._loyalty_tier_metric_forget(orders)
        return res
