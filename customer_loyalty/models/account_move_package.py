from odoo import Command, models
from odoo.exceptions import UserError
from odoo.tools import float_compare


class AccountMove(models.Model):
    """Credit notes of invoiced packages: a credit note line of ``n`` units of a package line
    cancels ``n`` of the packages that line sold (those with the most uses left first) and
    refunds at most what they are still worth (``loyalty.package._loyalty_refund_value``: the
    sold price × uses left / uses sold). The reversal wizard proposes that amount."""

    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    def _reverse_moves(self, default_values_list=None, cancel=False):
        reversals = super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)
        if not cancel:
            reversals.filtered(lambda move: move.state == "draft")._loyalty_package_propose()
        return reversals

    def _loyalty_package_lines(self):
        """``[(credit note line, sale line, packages it would cancel)]``; the packages are the
        sale line's active ones, most uses left first, one per unit refunded."""
        result = []
        for move in self.filtered(lambda move: move.move_type == "out_refund"):
            for line in move.invoice_line_ids.filtered(lambda line: line.display_type == "product"):
                for sale_line in line.sale_line_ids.filtered(
                    lambda sale_line: sale_line.loyalty_package_sold_ids
                ):
                    packages = sale_line.loyalty_package_sold_ids.sudo().filtered(
                        lambda package: package.state == "active"
                    ).sorted(lambda package: (-package.uses_left, package.id))
                    result.append((line, sale_line, packages))
        return result

    def _loyalty_package_propose(self):
        for line, _sale_line, packages in self._loyalty_package_lines():
            chosen = packages[: int(line.quantity)]
            if not chosen:
                continue
            value = sum(chosen._loyalty_refund_value().values())
            price = value / len(chosen)
            # The rule values the untaxed price: a price including its taxes includes them.
            included = line.tax_ids.filtered("price_include")
            if included:
                price = included.compute_all(
                    price, line.currency_id, 1.0, handle_price_include=False
                )["total_included"]
            line.move_id.write({
                "invoice_line_ids": [Command.update(line.id, {
                    "quantity": len(chosen), "price_unit": price, "discount": 0.0,
                })],
            })

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._loyalty_package_refund()
        return posted

    def _loyalty_package_refund(self):
        """Cancel the packages these posted credit notes refund, once per credit note."""
        done = {
            (line.package_id.id, line.origin)
            for line in self.env["loyalty.package.line"].sudo().search([
                ("entry_type", "=", "cancelled"), ("origin", "in", self.mapped("name")),
            ])
        }
        for line, sale_line, packages in self._loyalty_package_lines():
            move = line.move_id
            if any(
                (package.id, move.name) in done for package in sale_line.loyalty_package_sold_ids
            ):
                continue
            quantity = line.quantity
            if quantity != int(quantity):
                raise UserError(
                    self.env._(
                        "A credit note refunds whole packages: %(quantity)s × “%(product)s” "
                        "cannot be refunded.",
                        quantity=quantity,
                        product=line.product_id.display_name,
                    )
                )
            if len(packages) < quantity:
                raise UserError(
                    self.env._(
                        "%(order)s sold %(sold)s × “%(product)s” and %(left)s can still be "
                        "refunded (the others were refunded, cancelled, used up or expired): "
                        "lower the quantity of the credit note.",
                        order=sale_line.order_id.name,
                        sold=len(sale_line.loyalty_package_sold_ids),
                        product=line.product_id.display_name,
                        left=len(packages),
                    )
                )
            chosen = packages[: int(quantity)]
            value = sum(chosen._loyalty_refund_value().values())
            currency = move.currency_id
            if float_compare(
                line.price_subtotal, value, precision_rounding=currency.rounding
            ) > 0:
                raise UserError(
                    self.env._(
                        "The credit note refunds %(refund)s for “%(product)s”; what is left of "
                        "%(packages)s is worth %(value)s (the sold price × uses left / uses "
                        "sold). Lower the credit note's price.",
                        refund=currency.format(line.price_subtotal),
                        product=line.product_id.display_name,
                        packages=", ".join(chosen.mapped("name")),
                        value=currency.format(value),
                    )
                )
            chosen._loyalty_package_cancel(
                self.env._("Refunded by %s", move.name), origin=move.name
            )
