from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """The assumptions of the company's projected customer lifetime value
    (``loyalty.clv.report``)."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    loyalty_clv_horizon_months = fields.Integer(
        string="Lifetime Value Horizon (months)", default=24,
        help="The projected lifetime value counts the margin expected over this many months.",
    )
    loyalty_clv_margin = fields.Float(
        string="Gross Margin (%)", default=30.0,
        help="The share of the revenue kept as gross margin, for the projected lifetime value.",
    )
    loyalty_clv_discount_rate = fields.Float(
        string="Discount Rate (% a year)", default=0.0,
        help="Future margin is worth this much less each year in the projected lifetime value "
        "(0: not discounted).",
    )

    @api.constrains(
        "loyalty_clv_horizon_months", "loyalty_clv_margin", "loyalty_clv_discount_rate"
    )
    def _check_loyalty_clv_settings(self):
        for company in self:
            if not 1 <= company.loyalty_clv_horizon_months <= 120:
                raise ValidationError(
                    _("The lifetime value horizon is from 1 to 120 months.")
                )
            if not 0 <= company.loyalty_clv_margin <= 100:
                raise ValidationError(_("The gross margin is a percentage from 0 to 100."))
            if not 0 <= company.loyalty_clv_discount_rate <= 100:
                raise ValidationError(_("The discount rate is a percentage from 0 to 100."))


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    loyalty_clv_horizon_months = fields.Integer(
        related="company_id.loyalty_clv_horizon_months", readonly=False
    )
    loyalty_clv_margin = fields.Float(related="company_id.loyalty_clv_margin", readonly=False)
    loyalty_clv_discount_rate = fields.Float(
        related="company_id.loyalty_clv_discount_rate", readonly=False
    )
