"""Products reserved for tiers (a combo for Gold members) on sales orders: a warning when the
line is added, a refusal at confirmation, as the POS refuses them (``pos_order_combo_tier.py``)."""

# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import _, api, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        self._loyalty_check_tier_products()
        return super().action_confirm()

    def _loyalty_product_refusals(self):
        """``[(line, reason)]``: the lines of products reserved for other tiers than the
        customer's. Combo items are judged by their combo (a reserved combo may hold products
        sold to everyone)."""
        self.ensure_one()
        reserved = self.env["product.template"]._loyalty_tier_restricted_template_ids()
        if not reserved:  # (cached) no product is reserved for a tier: nothing to read
            return []
        lines = self.order_line.filtered(
            lambda line: line.product_id and not line.combo_item_id and not line.display_type
        )
        restricted = lines.filtered(
            lambda line: line.product_id.product_tmpl_id.id in reserved
            and line.product_id.product_tmpl_id.sudo().loyalty_tier_ids
        )
        if not restricted:
            return []
        tier = self._loyalty_member_card().sudo().tier_id
        refusals = []
        for line in restricted:
            reason = line.product_id.product_tmpl_id._loyalty_tier_refusal(tier)
            if reason:
                refusals.append((line, reason))
        return refusals

    def _loyalty_check_tier_products(self):
        """Refuse to confirm a quotation holding a product reserved for other tiers than the
        customer's (the customer or the tier may have changed since the line was added)."""
        for order in self.filtered(lambda o: o.state in ("draft", "sent")):
            refusals = order._loyalty_product_refusals()
            if refusals:
                raise UserError(
                    _(
                        "%(reason)s %(customer)s cannot buy it on %(order)s: remove it from the "
                        "order, or choose a customer of that tier.",
                        reason=" ".join(reason for _line, reason in refusals),
                        customer=order.partner_id.display_name,
                        order=order.display_name,
                    )
                )


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.onchange("product_id")
    def _onchange_product_id_loyalty_tier(self):
        """Warn as soon as a product reserved for other tiers is added (the order cannot be
        confirmed with it)."""
        if not self.product_id or self.combo_item_id or not self.order_id:
            return None
        order = self.order_id
        tier = order.company_id._loyalty_member_cards(order.partner_id)[:1].sudo().tier_id
        reason = self.product_id.product_tmpl_id._loyalty_tier_refusal(tier)
        if not reason:
            return None
        return {
            "warning": {
                "title": _("Reserved for members"),
                "message": _(
                    "%(reason)s %(customer)s cannot buy it: this order cannot be confirmed "
                    "with it.",
                    reason=reason,
                    customer=order.partner_id.display_name or _("This customer"),
                ),
            }
        }

    @api.depends("linked_line_id.pricelist_item_id")
    def _compute_discount(self):
        """A combo's fixed price (a member price) is what the customer pays: its items share
        it, and their own pricelist rules (the tier's 10 % off everything) do not lower it
        again. A combo priced by a percentage rule keeps Odoo's way (its items show the
        discount)."""
        res = super()._compute_discount()
        for line in self.filtered(lambda line: line.combo_item_id and line.linked_line_id):
            combo_rule = line.linked_line_id.pricelist_item_id
            if combo_rule and not combo_rule._show_discount():
                line.discount = 0.0
        return res
