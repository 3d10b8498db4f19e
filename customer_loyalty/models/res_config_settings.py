from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    loyalty_program_id = fields.Many2one(
        related="company_id.loyalty_program_id", readonly=False, string="Membership Program"
    )
    loyalty_auto_enroll = fields.Boolean(related="company_id.loyalty_auto_enroll", readonly=False)
    pos_loyalty_pricelist_warning = fields.Text(related="pos_config_id.loyalty_pricelist_warning")
