from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero


class SaleOrder(models.Model):
    """Prepaid packages on sales orders: confirming sells the package lines and takes the uses
    of the lines paid with a package; cancelling gives the uses back and cancels the packages
    sold, if none of their uses were taken."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    loyalty_package_count = fields.Integer(
        string="Packages", compute="_compute_loyalty_package_count",
        help="The customer's prepaid packages that can still be used.",
    )

    @api.depends("partner_id", "company_id")
    def _compute_loyalty_package_count(self):
        Package = self.env["loyalty.package"]
        for order in self:
            order.loyalty_package_count = (
                Package.search_count([*order._loyalty_package_domain(), ("state", "=", "active")])
                if order.partner_id else 0
            )

    def _loyalty_package_domain(self):
        self.ensure_one()
        commercial = self.partner_id.commercial_partner_id
        return [
            ("company_id", "=", self.company_id.id),
            "|", ("partner_id", "child_of", commercial.id), ("member_ids", "in", commercial.ids),
        ]

    def action_view_loyalty_packages(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Packages of %s", self.partner_id.display_name),
            "res_model": "loyalty.package",
            "view_mode": "list,form",
            "domain": self._loyalty_package_domain(),
            "context": {"search_default_active": 1, "create": False},
        }

    # ------------------------------------------------------------------
    # Points: a service paid by a package earns nothing
    # ------------------------------------------------------------------
    def _get_not_rewarded_order_lines(self):
        # The points of a use were earned when the package was sold.
        return super()._get_not_rewarded_order_lines().filtered(
            lambda line: not line.loyalty_package_id
        )

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------
    def action_confirm(self):
        quotations = self.filtered(lambda order: order.state in ("draft", "sent"))
        quotations._loyalty_package_check_reuse()
        res = super().action_confirm()
        confirmed = quotations.filtered(lambda order: order.state == "sale")
        confirmed._loyalty_package_consume_uses()
        confirmed._loyalty_package_sell()
        return res

    def _loyalty_package_check_reuse(self):
        """A line whose use was given back when its order was cancelled cannot take it again
        (a use is recorded once per order line): ask for a new line."""
        lines = self.order_line.filtered("loyalty_package_id")
        if not lines:
            return
        given_back = self.env["loyalty.package.line"].sudo().search([
            ("sale_line_id", "in", lines.ids), ("entry_type", "=", "returned"),
        ])
        for used in given_back:
            line = used.sale_line_id
            if used.package_id == line.loyalty_package_id:
                raise UserError(
                    self.env._(
                        "The line “%(line)s” already used the package %(package)s before the "
                        "order was cancelled. Delete the line and add the service again to use "
                        "the package.",
                        line=line.name,
                        package=used.package_id.name,
                    )
                )

    def _loyalty_package_consume_uses(self):
        lines = self.order_line.filtered("loyalty_package_id")
        if not lines:
            return
        for line in lines.filtered(
            lambda line: not float_is_zero(line.price_unit, precision_digits=6)
        ):
            # Cannot happen through the form (the line's price follows its package) nor over
            # RPC (see _check_loyalty_package); kept as the last word before the use is taken.
            line.price_unit = 0.0
        self.env["loyalty.package"]._loyalty_package_consume([
            {
                "package": line.loyalty_package_id,
                "partner": line.order_id.partner_id,
                "product": line.product_id,
                "quantity": line.product_uom_qty,
                "company": line.order_id.company_id,
                "date": line._loyalty_package_date(),
                "origin": line.order_id.name,
                "sale_line": line,
            }
            for line in lines
        ])

    def _loyalty_package_sell(self):
        """One package per unit of each package line, for the order's customer, at the line's
        untaxed price per unit. Idempotent: a line has as many packages (not cancelled) as its
        quantity; an order confirmed again after a cancellation sells them again."""
        lines = self.order_line.filtered(
            lambda line: line.product_id.loyalty_package_ok and not line.display_type
        )
        if not lines:
            return self.env["loyalty.package"]
        requests = []
        for line in lines:
            quantity = line.product_uom_qty
            if quantity != int(quantity) or quantity < 0:
                raise UserError(
                    self.env._(
                        "Packages are sold whole: %(quantity)s × “%(product)s” cannot be sold.",
                        quantity=quantity,
                        product=line.product_id.display_name,
                    )
                )
            sold = line.loyalty_package_sold_ids.sudo()
            kept = sold.filtered(lambda package: package.state != "cancelled")
            next_rank = max(
                (int(package.origin_key.rsplit(",", 1)[1]) for package in sold), default=-1
            ) + 1
            order = line.order_id
            amount = line.price_subtotal / quantity if quantity else 0.0
            for rank in range(next_rank, next_rank + int(quantity) - len(kept)):
                requests.append({
                    "partner": order.partner_id,
                    "product": line.product_id,
                    "company": order.company_id,
                    "currency": order.currency_id,
                    "amount": order.currency_id.round(amount),
                    "date": line._loyalty_package_date(),
                    "origin": order.name,
                    "sale_line": line,
                    "rank": rank,
                })
        return self.env["loyalty.package"]._loyalty_package_issue(requests)

    # ------------------------------------------------------------------
    # Cancellation
    # ------------------------------------------------------------------
    def _action_cancel(self):
        confirmed = self.filtered(lambda order: order.state == "sale")
        confirmed._loyalty_package_check_cancel()
        res = super()._action_cancel()
        Package = self.env["loyalty.package"]
        for order in confirmed:
            description = self.env._("Cancellation of %s", order.name)
            Package._loyalty_package_give_back(
                order.order_line.filtered("loyalty_package_id"), description
            )
            order.order_line.loyalty_package_sold_ids._loyalty_package_cancel(
                description, origin=order.name
            )
        return res

    def _loyalty_package_check_cancel(self):
        """An order whose packages were already used is not cancelled as if they were never
        sold: the unused uses are refunded with a credit note (see account_move_package.py)."""
        packages = self.order_line.loyalty_package_sold_ids.sudo().filtered(
            lambda package: package.state != "cancelled" and package.uses_used > 0
        )
        if not packages:
            return
        values = packages._loyalty_refund_value()
        package = packages[0]
        raise UserError(
            self.env._(
                "The package %(package)s sold by %(order)s was already used %(used)s times: the "
                "order cannot be cancelled. Refund what is left with a credit note on its "
                "invoice (%(value)s for this package: the sold price × uses left / uses sold).",
                package=package.name,
                order=package.sale_line_id.order_id.name,
                used=package.uses_used,
                value=package.currency_id.format(values[package.id]),
            )
        )
