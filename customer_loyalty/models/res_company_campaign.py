from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """How long after a contact (a gift, a reminder) an order counts as its result."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    loyalty_campaign_window_days = fields.Integer(
        string="Campaign Window (days)", default=0,
        help="An order within this many days after a gift or a reminder counts as its result "
        "in Campaign Results. 0: the repurchase reminders' conversion window.",
    )

    @api.constrains("loyalty_campaign_window_days")
    def _check_loyalty_campaign_window_days(self):
        if any(company.loyalty_campaign_window_days < 0 for company in self):
            raise ValidationError(_("The campaign window cannot be negative."))


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    loyalty_campaign_window_days = fields.Integer(
        related="company_id.loyalty_campaign_window_days", readonly=False
    )
