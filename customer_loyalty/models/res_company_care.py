from odoo import fields, models


class ResCompany(models.Model):
    """The welcome of new members."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    loyalty_welcome_mail = fields.Boolean(
        string="Welcome E-mail", default=True,
        help="New members get a welcome e-mail with their member card.",
    )
    # Existing companies get the moment the column is created: members enrolled before the
    # feature was installed are not welcomed years later. In whole seconds, as Odoo's datetimes
    # (a tier change of the same second, dated without its microseconds, is not "before").
    loyalty_welcome_date_from = fields.Datetime(
        string="Welcome Members From",
        default=lambda self: self.env.cr.now().replace(microsecond=0),
        required=True,
        help="Members enrolled (or entering a tier) before this moment get no welcome.",
    )
