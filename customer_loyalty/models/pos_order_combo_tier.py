"""Products reserved for tiers in the Point of Sale, enforced by the server at sync as in Sales
(``sale_order_combo_tier.py``): the browser refuses them already (``combo_tier.js``)."""

# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import _, models
from odoo.exceptions import UserError


class PosOrder(models.Model):
    _inherit = "pos.order"

    def _process_saved_order(self, draft):
        if not draft and self.state == "draft":
            self._loyalty_check_tier_products()
        return super()._process_saved_order(draft)

    def _loyalty_check_tier_products(self):
        """Refuse (the POS keeps the order to sync again) an order selling a product reserved
        for other tiers than the customer's, as the tier-only promotions are refused. Returned
        items are not checked (they were allowed when they were sold), nor combo items (their
        combo is)."""
        reserved = self.env["product.template"]._loyalty_tier_restricted_template_ids()
        for order in self:
            lines = order.lines.filtered(
                lambda line: not line.refunded_orderline_id and not line.combo_parent_id
                and line.qty > 0
            )
            templates = lines.product_id.product_tmpl_id.filtered(
                lambda t: t.id in reserved and t.sudo().loyalty_tier_ids
            )
            if not templates:
                continue
            tier = order._loyalty_customer_tier()
            reasons = [r for r in (t._loyalty_tier_refusal(tier) for t in templates) if r]
            if reasons:
                raise UserError(
                    _(
                        "%(reason)s %(customer)s cannot buy it: remove it from the order, or "
                        "choose a customer of that tier.",
                        reason=" ".join(reasons),
                        customer=order.partner_id.display_name or _("an anonymous customer"),
                    )
                )
