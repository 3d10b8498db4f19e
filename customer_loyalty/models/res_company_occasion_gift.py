from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

FEB29_RULES = [
    ("feb28", "28 February"),
    ("mar1", "1 March"),
]


class ResCompany(models.Model):
    """When the birthday and anniversary gifts of the company's members are issued."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    loyalty_gift_lead_days = fields.Integer(
        string="Issue Gifts Days Before",
        default=0,
        help="Birthday and anniversary gifts are issued this many days before the date "
        "(0: on the day).",
    )
    loyalty_gift_catchup_days = fields.Integer(
        string="Catch-up Window (days)",
        default=3,
        help="After a downtime, the daily run still issues the gifts that fell due this many "
        "days back; older ones are never issued.",
    )
    loyalty_gift_feb29 = fields.Selection(
        FEB29_RULES,
        string="29 February Birthdays",
        default="feb28",
        required=True,
        help="The day members born on 29 February (or enrolled on it) are celebrated in years "
        "that have none.",
    )
    loyalty_gift_birthdate_min_days = fields.Integer(
        string="Birth Date Set At Least (days)",
        default=30,
        help="No birthday gift when the birth date was set or changed fewer days ago.",
    )
    loyalty_gift_membership_min_days = fields.Integer(
        string="Member For At Least (days)",
        default=30,
        help="No birthday gift when the member joined fewer days ago.",
    )

    @api.constrains(
        "loyalty_gift_lead_days", "loyalty_gift_catchup_days",
        "loyalty_gift_birthdate_min_days", "loyalty_gift_membership_min_days",
    )
    def _check_loyalty_gift_days(self):
        for company in self:
            if min(company.loyalty_gift_lead_days, company.loyalty_gift_catchup_days,
                   company.loyalty_gift_birthdate_min_days,
                   company.loyalty_gift_membership_min_days) < 0:
                raise ValidationError(
                    _("The days of the birthday and anniversary gifts cannot be negative.")
                )
            if company.loyalty_gift_lead_days > 60 or company.loyalty_gift_catchup_days > 60:
                raise ValidationError(
                    _(
                        "Issue birthday and anniversary gifts at most 60 days before the date, "
                        "with a catch-up window of at most 60 days."
                    )
                )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    loyalty_gift_lead_days = fields.Integer(
        related="company_id.loyalty_gift_lead_days", readonly=False
    )
    loyalty_gift_catchup_days = fields.Integer(
        related="company_id.loyalty_gift_catchup_days", readonly=False
    )
    loyalty_gift_feb29 = fields.Selection(related="company_id.loyalty_gift_feb29", readonly=False)
    loyalty_gift_birthdate_min_days = fields.Integer(
        related="company_id.loyalty_gift_birthdate_min_days", readonly=False
    )
    loyalty_gift_membership_min_days = fields.Integer(
        related="company_id.loyalty_gift_membership_min_days", readonly=False
    )
