from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class LoyaltyPackageFreeze(models.Model):
    """A period during which a package is frozen ("bảo lưu"): it cannot be used, and each frozen
    day extends its validity by a day."""

    _name = "loyalty.package.freeze"
    _description = "Prepaid Package Freeze"
    _order = "date_from desc, id desc"

    package_id = fields.Many2one(
        "loyalty.package", required=True, readonly=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="package_id.company_id", store=True, index=True)
    date_from = fields.Date(string="From", required=True, readonly=True)
    date_to = fields.Date(string="To", required=True, readonly=True)
    days = fields.Integer(compute="_compute_days", store=True)
    reason = fields.Char(readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Frozen By", readonly=True, default=lambda self: self.env.user
    )

    @api.depends("date_from", "date_to")
    def _compute_days(self):
        for freeze in self:
            freeze.days = (
                (freeze.date_to - freeze.date_from).days + 1
                if freeze.date_from and freeze.date_to else 0
            )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for freeze in self:
            # Ending the day before it starts calls off a freeze not begun yet: no day frozen.
            if freeze.date_to < freeze.date_from - timedelta(days=1):
                raise ValidationError(self.env._("A freeze ends after it starts."))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("Freeze a package with its “Freeze” button."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._("End a freeze with its package's “Unfreeze” button."))
        return super().write(vals)

    def unlink(self):
        if self:
            raise UserError(self.env._("A freeze is never deleted; end it early instead."))
        return super().unlink()
