from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # The same definition as the branch that edits birth dates (POS, portal) sets it; here
    # the birthday gifts' anti-abuse rule reads it. Empty for birth dates set before it existed.
    birthdate_changed_date = fields.Date(readonly=True, copy=False)
