from odoo import fields, models


class ResCompany(models.Model):
    """When members are told their prepaid package is nearly used up or nearly over."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    loyalty_package_notice_uses = fields.Integer(
        string="Notify at Uses Left", default=2,
        help="A member is told (once) when their package has this many uses left or fewer "
        "(0: never).",
    )
    loyalty_package_notice_days = fields.Integer(
        string="Notify Days Before the End", default=14,
        help="A member is told (once) when their package ends within this many days "
        "(0: never).",
    )
