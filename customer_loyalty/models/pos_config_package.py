"""What the POS asks the server about prepaid packages: a member's packages, why a package
cannot pay for a service, and what a package sold in the POS may be refunded. Public (called by
the POS): each takes ids only, checks that the caller may use this shop, and answers only
about this shop's company."""

# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import fields, models
from odoo.exceptions import AccessError


class PosConfig(models.Model):
    _inherit = "pos.config"

    def _loyalty_check_pos_user(self):
        self.ensure_one()
        if not self.env.user.has_group("point_of_sale.group_pos_user"):
            raise AccessError(self.env._("Only Point of Sale users may ask about packages."))
        self.check_access("read")

    def loyalty_member_packages(self, partner_id):
        """``{'loyalty.package': [...]}`` (loaded by the POS): the packages ``partner_id`` may
        use in this shop's company now, active ones only, first to expire first."""
        self._loyalty_check_pos_user()
        partner = self.env["res.partner"].browse(int(partner_id)).exists()
        if not partner:
            return {"loyalty.package": []}
        partner.check_access("read")
        commercial = partner.commercial_partner_id
        packages = self.env["loyalty.package"].sudo().search([
            ("company_id", "=", self.company_id.id),
            ("state", "=", "active"),
            "|", "|",
            ("partner_id", "child_of", commercial.id),
            ("member_ids", "=", partner.id),
            ("member_ids", "=", commercial.id),
        ]).filtered(lambda package: package._loyalty_may_use(partner))
        return {
            "loyalty.package": self.env["loyalty.package"]._loyalty_pos_read(
                [("id", "in", packages.ids)]
            )
        }

    def loyalty_package_refusal(self, package_id, partner_id, product_id, quantity=1):
        """Why the package cannot pay for ``quantity`` uses of the product for the customer
        today ('' when it can): the reason the server gives at sync, shown before payment."""
        self._loyalty_check_pos_user()
        Package = self.env["loyalty.package"]
        package = Package.browse(int(package_id)).exists()
        if not package:
            return self.env._("This package does not exist.")
        partner = self.env["res.partner"].browse(int(partner_id or 0)).exists()
        if not partner:
            return self.env._("Choose the customer before using the package %s.",
                              package.sudo().name)
        product = self.env["product.product"].browse(int(product_id or 0)).exists()
        if not product:
            return self.env._("Choose the service the package %s pays for.", package.sudo().name)
        quantity = int(quantity or 1)
        return package._loyalty_refusal(
            partner, product, quantity, self.company_id, fields.Date.context_today(self)
        )

    def loyalty_package_refund_values(self, line_ids):
        """``{line id: refund value of one unit}`` for POS order lines of this company that
        sold packages: what refunding one unit pays back (the documented rule of
        ``loyalty.package._loyalty_refund_value``, the last package sold first)."""
        self._loyalty_check_pos_user()
        lines = self.env["pos.order.line"].browse([int(i) for i in line_ids]).exists()
        lines.check_access("read")
        lines = lines.filtered(lambda line: line.order_id.company_id == self.company_id)
        packages = self.env["loyalty.package"].sudo().search(
            [("pos_line_id", "in", lines.ids), ("state", "!=", "cancelled")], order="id desc"
        )
        values = packages._loyalty_refund_value()
        result = {}
        for line in lines:
            sold = packages.filtered(lambda p, ln=line: p.pos_line_id == ln)
            result[line.id] = values[sold[0].id] if sold else 0.0
        return result
