from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    loyalty_rfm_months = fields.Integer(related="company_id.loyalty_rfm_months", readonly=False)
    loyalty_rfm_reference_date = fields.Date(
        related="company_id.loyalty_rfm_reference_date", readonly=False
    )
