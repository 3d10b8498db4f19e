from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """The window and the reference date of the company's RFM scores."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    loyalty_rfm_months = fields.Integer(
        string="RFM Window (months)", default=12,
        help="RFM scores count the orders of this many months up to the reference date.",
    )
    loyalty_rfm_reference_date = fields.Date(
        string="RFM Reference Date",
        help="The RFM window ends on this date; empty: the day the scores are computed.",
    )

    @api.constrains("loyalty_rfm_months")
    def _check_loyalty_rfm_months(self):
        for company in self:
            if company.loyalty_rfm_months < 1:
                raise ValidationError(
                    _("The RFM window of %s must be at least one month.", company.name)
                )
