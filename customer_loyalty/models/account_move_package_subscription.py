"""Subscriptions of packages (a monthly or yearly gym membership), with OCA's
``subscription_oca``: each period the subscription invoices, and the period's package is issued
when that invoice is paid, once per invoice line (the first period is the sales order that
started the subscription, whose confirmation sells the first package).

Stopping renewals is ``subscription_oca``'s own: a closed subscription (or one put back in a
draft stage) invoices nothing more, so no period's package is issued any more."""

# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _invoice_paid_hook(self):
        result = super()._invoice_paid_hook()
        self._loyalty_issue_subscription_packages()
        return result

    def _loyalty_issue_subscription_packages(self):
        """Issue the packages of the paid periods among these invoices: one per unit of each
        package line of an invoice of a subscription. Lines of a sales order (the subscription
        invoicing through sales orders) were sold at the order's confirmation: not again."""
        requests = []
        for move in self.filtered(
            lambda move: move.move_type == "out_invoice" and move.subscription_id
        ):
            lines = move.invoice_line_ids.filtered(
                lambda line: line.product_id.loyalty_package_ok
                and line.quantity > 0
                and not line.sale_line_ids
            )
            for line in lines:
                units = int(line.quantity)
                for rank in range(units):
                    requests.append({
                        "partner": move.subscription_id.partner_id or move.partner_id,
                        "product": line.product_id,
                        "company": move.company_id,
                        "currency": move.currency_id,
                        "amount": line.price_subtotal / line.quantity,
                        "date": move.invoice_date or fields.Date.context_today(self),
                        "origin": move.name,
                        "invoice_line": line,
                        "rank": rank,
                    })
        if requests:
            self.env["loyalty.package"]._loyalty_package_issue(requests)
