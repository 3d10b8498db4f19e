from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    loyalty_package_notice_uses = fields.Integer(
        related="company_id.loyalty_package_notice_uses", readonly=False
    )
    loyalty_package_notice_days = fields.Integer(
        related="company_id.loyalty_package_notice_days", readonly=False
    )
