from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    loyalty_welcome_mail = fields.Boolean(related="company_id.loyalty_welcome_mail", readonly=False)
