"""Prepaid packages on POS orders, written by the server when the order is synced
(``sync_from_ui``), by the same engine and rules as sales orders (loyalty_package_usage.py):

- a paid order sells its package lines: one package per unit, at the line's untaxed price;
- a line paid with a package (``loyalty_package_id``, priced at zero) takes one use per unit,
  re-checked under the package's lock, whatever the POS says;
- a refund of a line paid with a package gives its uses back; a refund of a package sold in
  the POS cancels the unused uses of as many of its packages as units refunded, and may not
  pay back more than their refund value (``loyalty.package._loyalty_refund_value``).

An order synced twice is processed once: Odoo ignores an order already paid, and the engine
writes once per order line.
"""

# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

PAID_STATES = ("paid", "done", "invoiced")


class PosOrder(models.Model):
    _inherit = "pos.order"

    def _process_saved_order(self, draft):
        if not draft and self.state == "draft":
            self._loyalty_check_packages()
        order_id = super()._process_saved_order(draft)
        if not draft and self.state in PAID_STATES:
            self._loyalty_process_packages()
        return order_id

    def _loyalty_order_date(self):
        self.ensure_one()
        return fields.Date.context_today(self, self.date_order)

    def _loyalty_package_sold_lines(self):
        return self.lines.filtered(
            lambda line: not line.refunded_orderline_id
            and line.product_id.loyalty_package_ok
            and line.qty > 0
        )

    def _loyalty_package_used_lines(self):
        return self.lines.filtered(
            lambda line: line.loyalty_package_id and not line.refunded_orderline_id
        )

    def _loyalty_package_refunded_sales(self):
        """``{refund line: packages it cancels}`` for the refund lines of package sales: as many
        of the refunded line's packages as units returned, the last sold first."""
        result = {}
        refunds = self.lines.filtered(
            lambda line: line.refunded_orderline_id.product_id.loyalty_package_ok
        )
        if not refunds:
            return result
        packages = self.env["loyalty.package"].sudo().search(
            [("pos_line_id", "in", refunds.refunded_orderline_id.ids)], order="id desc"
        )
        for line in refunds:
            sold = packages.filtered(
                lambda p, ln=line: p.pos_line_id == ln.refunded_orderline_id
                and p.state != "cancelled"
            )
            result[line] = sold[: int(abs(line.qty))]
        return result

    # -- checks before payment -----------------------------------------------------------

    def _loyalty_check_packages(self):
        """Refuse (the POS keeps the order to sync again) what the server would not write:
        a package sold without a customer or by fractions, a use of a package that the
        customer may not use for that service now, a line paid with a package that is not
        free, a package refunded above what its unused part is worth."""
        for order in self:
            for line in order._loyalty_package_sold_lines():
                if not order.partner_id:
                    raise UserError(
                        self.env._(
                            "Choose the customer who buys the package %s before paying.",
                            line.product_id.display_name,
                        )
                    )
                if line.qty != int(line.qty):
                    raise UserError(
                        self.env._(
                            "Packages are sold by whole units: %(qty)s × %(product)s cannot be "
                            "sold.", qty=line.qty, product=line.product_id.display_name,
                        )
                    )
            asked = {}
            for line in order._loyalty_package_used_lines():
                package = line.loyalty_package_id.sudo()
                if not order.partner_id:
                    raise UserError(
                        self.env._("Choose the customer before using the package %s.",
                                   package.name)
                    )
                rounding = order.currency_id.rounding
                if not float_is_zero(line.price_unit, precision_rounding=rounding) or (
                    not float_is_zero(line.price_subtotal_incl, precision_rounding=rounding)
                ):
                    raise UserError(
                        self.env._(
                            "The line %(product)s is paid with the package %(name)s: its price "
                            "must be zero.",
                            product=line.product_id.display_name, name=package.name,
                        )
                    )
                if line.qty <= 0 or line.qty != int(line.qty):
                    raise UserError(
                        self.env._("A package pays for whole uses: %s cannot be used.", line.qty)
                    )
                asked[package] = asked.get(package, 0) + int(line.qty)
                reason = package._loyalty_refusal(
                    order.partner_id, line.product_id, asked[package], order.company_id,
                    order._loyalty_order_date(),
                )
                if reason:
                    raise UserError(reason)
            for line, packages in order._loyalty_package_refunded_sales().items():
                value = sum(packages._loyalty_refund_value().values())
                refunded = -line.price_subtotal
                rounding = order.currency_id.rounding
                if float_compare(refunded, value, precision_rounding=rounding) > 0:
                    raise UserError(
                        self.env._(
                            "%(product)s can be refunded %(value)s at most (what its unused "
                            "uses are worth), not %(amount)s.",
                            product=line.product_id.display_name,
                            value=order.currency_id.format(value),
                            amount=order.currency_id.format(refunded),
                        )
                    )

    # -- writing at payment ----------------------------------------------------------------

    def _loyalty_process_packages(self):
        """Sell, use, give back and cancel the packages of these paid orders, once."""
        Package = self.env["loyalty.package"]
        for order in self:
            date = order._loyalty_order_date()
            issue = [
                {
                    "partner": order.partner_id,
                    "product": line.product_id,
                    "company": order.company_id,
                    "currency": order.currency_id,
                    "amount": order.currency_id.round(line.price_subtotal / line.qty),
                    "date": date,
                    "origin": order.name,
                    "pos_line": line,
                    "rank": rank,
                }
                for line in order._loyalty_package_sold_lines()
                for rank in range(int(line.qty))
            ]
            if issue:
                Package._loyalty_package_issue(issue)
            consume = [
                {
                    "package": line.loyalty_package_id,
                    "partner": order.partner_id,
                    "product": line.product_id,
                    "quantity": line.qty,
                    "company": order.company_id,
                    "date": date,
                    "origin": order.name,
                    "pos_line": line,
                }
                for line in order._loyalty_package_used_lines()
            ]
            if consume:
                Package._loyalty_package_consume(consume)
            returned = order.lines.refunded_orderline_id.filtered("loyalty_package_id")
            if returned:
                Package._loyalty_package_give_back(
                    returned, self.env._("Refunded: %s", order.name)
                )
            for packages in order._loyalty_package_refunded_sales().values():
                packages._loyalty_package_cancel(
                    self.env._("Refunded: %s", order.name), origin=order.name
                )
