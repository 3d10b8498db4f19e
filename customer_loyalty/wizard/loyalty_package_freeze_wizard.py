from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError


class LoyaltyPackageFreezeWizard(models.TransientModel):
    """Freeze a package ("bảo lưu") from a date for a number of days, within its limits."""

    _name = "loyalty.package.freeze.wizard"
    _description = "Freeze a Prepaid Package"

    package_id = fields.Many2one("loyalty.package", required=True, readonly=True)
    summary = fields.Char(related="package_id.summary")
    freeze_max_days = fields.Integer(related="package_id.freeze_max_days")
    freeze_max_count = fields.Integer(related="package_id.freeze_max_count")
    freeze_days_left = fields.Integer(
        compute="_compute_freeze_left",
        help="The freeze days the package still allows.",
    )
    freeze_count_left = fields.Integer(string="Freezes Left", compute="_compute_freeze_left")
    date_from = fields.Date(
        string="From", required=True, default=lambda self: fields.Date.context_today(self)
    )
    days = fields.Integer(string="Number of Days", required=True, default=7)
    date_to = fields.Date(
        string="To", compute="_compute_date_to", store=True, readonly=False,
        help="The last frozen day.",
    )
    reason = fields.Char(required=True, help="Why, e.g. travelling, illness.")

    @api.depends("package_id")
    def _compute_freeze_left(self):
        for wizard in self:
            days, count = wizard.package_id._loyalty_freeze_left()
            wizard.freeze_days_left = days
            wizard.freeze_count_left = count

    @api.depends("date_from", "days")
    def _compute_date_to(self):
        for wizard in self:
            wizard.date_to = (
                wizard.date_from + timedelta(days=wizard.days - 1)
                if wizard.date_from and wizard.days > 0 else wizard.date_from
            )

    @api.onchange("date_to")
    def _onchange_date_to(self):
        if self.date_from and self.date_to:
            self.days = (self.date_to - self.date_from).days + 1

    def action_freeze(self):
        self.ensure_one()
        if not self.env.user.has_group("customer_loyalty.group_loyalty_manager"):
            raise AccessError(self.env._("Only a Loyalty Manager may freeze a package."))
        self.package_id._loyalty_package_freeze(self.date_from, self.date_to, self.reason)
        return {"type": "ir.actions.act_window_close"}
