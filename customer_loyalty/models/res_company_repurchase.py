from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

REMINDER_CHANNELS = [
    ("activity", "Activity for the salesperson"),
    ("email", "E-mail to the customer"),
    ("both", "Activity and e-mail"),
]


class ResCompany(models.Model):
    """How and when the company's customers are reminded to buy again."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    loyalty_reminder_lead_days = fields.Integer(
        string="Remind Days Before", default=3,
        help="Customers are reminded this many days before their predicted next purchase.",
    )
    loyalty_reminder_channel = fields.Selection(
        REMINDER_CHANNELS, string="Repurchase Reminders By", default="both", required=True,
    )
    loyalty_reminder_cap_days = fields.Integer(
        string="At Most One Reminder Every (days)", default=7,
        help="A customer gets at most one reminder in this many days, for all products; the "
        "products due in between wait for the next allowed reminder and join it.",
    )
    loyalty_reminder_risk_factor = fields.Float(
        string="At Risk After (cycles)", default=3.0,
        help="A customer whose last purchase of a product is older than this many of their "
        "intervals is not reminded but listed as at risk.",
    )
    loyalty_reminder_conversion_days = fields.Integer(
        string="Conversion Window (days)", default=14,
        help="An order of the customer within this many days after a reminder is counted as "
        "its conversion.",
    )
    loyalty_reminder_user_id = fields.Many2one(
        "res.users", string="Default Salesperson for Reminders",
        domain=[("share", "=", False)],
        help="Gets the reminder activities of the customers without a salesperson and "
        "without orders from one.",
    )

    @api.constrains(
        "loyalty_reminder_lead_days", "loyalty_reminder_cap_days",
        "loyalty_reminder_risk_factor", "loyalty_reminder_conversion_days",
    )
    def _check_loyalty_reminder_settings(self):
        for company in self:
            if min(company.loyalty_reminder_lead_days, company.loyalty_reminder_cap_days,
                   company.loyalty_reminder_conversion_days) < 0:
                raise ValidationError(_("The days of the repurchase reminders cannot be negative."))
            if company.loyalty_reminder_risk_factor < 1:
                raise ValidationError(
                    _("A customer is at risk after at least 1 cycle: set 1 or more.")
                )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    loyalty_reminder_lead_days = fields.Integer(
        related="company_id.loyalty_reminder_lead_days", readonly=False
    )
    loyalty_reminder_channel = fields.Selection(
        related="company_id.loyalty_reminder_channel", readonly=False
    )
    loyalty_reminder_cap_days = fields.Integer(
        related="company_id.loyalty_reminder_cap_days", readonly=False
    )
    loyalty_reminder_risk_factor = fields.Float(
        related="company_id.loyalty_reminder_risk_factor", readonly=False
    )
    loyalty_reminder_conversion_days = fields.Integer(
        related="company_id.loyalty_reminder_conversion_days", readonly=False
    )
    loyalty_reminder_user_id = fields.Many2one(
        related="company_id.loyalty_reminder_user_id", readonly=False
    )
