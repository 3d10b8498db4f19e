"""Prepaid packages in the Point of Sale: which packages and fields the POS loads."""

# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import api, fields, models

# What the cashier sees of a package: no amounts, no ledger, no notes.
PACKAGE_POS_FIELDS = [
    "id", "name", "partner_id", "product_id", "product_name", "uses_total", "uses_left",
    "date_expiry", "state", "is_frozen", "summary", "service_product_ids", "service_categ_ids",
]


class LoyaltyPackage(models.Model):
    _name = "loyalty.package"
    _inherit = ["loyalty.package", "pos.load.mixin"]

    # The POS may not have loaded the package's product (sold elsewhere, not for sale here).
    product_name = fields.Char(related="product_id.display_name", string="Package Name")

    @api.model
    def _load_pos_data_fields(self, config_id):
        return list(PACKAGE_POS_FIELDS)

    @api.model
    def _load_pos_data_domain(self, data):
        # At opening, only the packages of the draft orders the POS reloads; a member's packages
        # are loaded when the member is chosen (pos.config.loyalty_member_packages).
        lines = data.get("pos.order.line", {}).get("data", [])
        ids = {line["loyalty_package_id"] for line in lines if line.get("loyalty_package_id")}
        company = data["pos.config"]["data"][0]["company_id"]
        return [("id", "in", list(ids)), ("company_id", "=", company)] if ids else False

    def _load_pos_data(self, data):
        domain = self._load_pos_data_domain(data)
        fields = self._load_pos_data_fields(data["pos.config"]["data"][0]["id"])
        return {"data": self._loyalty_pos_read(domain) if domain else [], "fields": fields}

    @api.model
    def _loyalty_pos_read(self, domain):
        """The POS fields of the packages matching ``domain``, which the caller has made safe
        (this shop's company, the order's customer). The search and read are done as superuser:
        ``is_frozen`` reads the freezes, which cashiers may not read themselves."""
        return self.sudo().search(domain).read(PACKAGE_POS_FIELDS, load=False)
