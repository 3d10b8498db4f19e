# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import api, fields, models


class PosOrderLine(models.Model):
    _inherit = "pos.order.line"

    loyalty_package_id = fields.Many2one(
        "loyalty.package", string="Paid With Package", readonly=True, index="btree_not_null",
        ondelete="restrict",
        help="The customer's prepaid package that pays for this service (one use per unit).",
    )

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [*super()._load_pos_data_fields(config_id), "loyalty_package_id"]


class ProductProduct(models.Model):
    _inherit = "product.product"

    @api.model
    def _load_pos_data_fields(self, config_id):
        # The receipt shows the terms of a package sold on the order.
        return [
            *super()._load_pos_data_fields(config_id),
            "loyalty_package_ok", "loyalty_package_uses", "loyalty_package_validity",
            "loyalty_package_validity_unit", "loyalty_package_validity_start",
        ]
