from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """Which questions the company's customers are asked, when, and who calls back."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    loyalty_feedback_enabled = fields.Boolean(
        string="Ask for Customer Feedback", default=True,
        help="A daily run e-mails the customers of confirmed sales orders, paid POS orders and "
        "returns a link to answer without logging in.",
    )
    loyalty_feedback_csat = fields.Boolean(string="CSAT After a Sale", default=True)
    loyalty_feedback_nps = fields.Boolean(string="NPS After a Sale", default=True)
    loyalty_feedback_ces_returns = fields.Boolean(string="CES After a Return", default=True)
    loyalty_feedback_delay_days = fields.Integer(
        string="Ask After (days)", default=2,
        help="The questions go this many days after the order (or the return).",
    )
    loyalty_feedback_lookback_days = fields.Integer(
        string="Skip Documents Older Than (days past the delay)", default=14,
        help="Documents older than the delay plus this many days are not asked about (the "
        "first run does not mail the customers of years of orders).",
    )
    loyalty_feedback_expiry_days = fields.Integer(
        string="Links Valid For (days)", default=30,
        help="A feedback link refuses answers after this many days.",
    )
    loyalty_feedback_manager_id = fields.Many2one(
        "res.users", string="Feedback Manager", domain=[("share", "=", False)],
        help="Calls back the customers who gave a low score, when the document's sales team "
        "has no leader.",
    )

    @api.constrains(
        "loyalty_feedback_delay_days", "loyalty_feedback_lookback_days",
        "loyalty_feedback_expiry_days",
    )
    def _check_loyalty_feedback_settings(self):
        for company in self:
            if min(company.loyalty_feedback_delay_days, company.loyalty_feedback_lookback_days) < 0:
                raise ValidationError(_("The days of the feedback requests cannot be negative."))
            if company.loyalty_feedback_expiry_days < 1:
                raise ValidationError(_("The feedback links must be valid for at least 1 day."))


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    loyalty_feedback_enabled = fields.Boolean(
        related="company_id.loyalty_feedback_enabled", readonly=False
    )
    loyalty_feedback_csat = fields.Boolean(related="company_id.loyalty_feedback_csat",
                                           readonly=False)
    loyalty_feedback_nps = fields.Boolean(related="company_id.loyalty_feedback_nps",
                                          readonly=False)
    loyalty_feedback_ces_returns = fields.Boolean(
        related="company_id.loyalty_feedback_ces_returns", readonly=False
    )
    loyalty_feedback_delay_days = fields.Integer(
        related="company_id.loyalty_feedback_delay_days", readonly=False
    )
    loyalty_feedback_lookback_days = fields.Integer(
        related="company_id.loyalty_feedback_lookback_days", readonly=False
    )
    loyalty_feedback_expiry_days = fields.Integer(
        related="company_id.loyalty_feedback_expiry_days", readonly=False
    )
    loyalty_feedback_manager_id = fields.Many2one(
        related="company_id.loyalty_feedback_manager_id", readonly=False
    )
