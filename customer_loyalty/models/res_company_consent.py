from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """Quiet hours: no message of the addon goes out at night in the customer's time zone."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    loyalty_quiet_hours = fields.Boolean(
        string="Quiet Hours", default=True,
        help="Messages to members created during the quiet hours (in the member's time zone) "
        "wait in the outgoing queue until the end of the quiet hours.",
    )
    loyalty_quiet_start = fields.Float(string="Quiet From", default=21.0)
    loyalty_quiet_end = fields.Float(string="Quiet Until", default=8.0)

    @api.constrains("loyalty_quiet_start", "loyalty_quiet_end")
    def _check_loyalty_quiet_hours(self):
        for company in self:
            if not (0 <= company.loyalty_quiet_start < 24 and 0 <= company.loyalty_quiet_end < 24):
                raise ValidationError(
                    _("Quiet hours are times of the day, between 00:00 and 23:59.")
                )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    loyalty_quiet_hours = fields.Boolean(related="company_id.loyalty_quiet_hours", readonly=False)
    loyalty_quiet_start = fields.Float(related="company_id.loyalty_quiet_start", readonly=False)
    loyalty_quiet_end = fields.Float(related="company_id.loyalty_quiet_end", readonly=False)
