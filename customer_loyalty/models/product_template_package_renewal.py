from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    """A package that renews every period (a monthly or yearly gym membership)."""

    _inherit = "product.template"  # pylint: disable=consider-merging-classes-inherited

    loyalty_package_renewing = fields.Boolean(
        string="Renews Every Period",
        help="Before a package of this product ends, the member is offered the next period's "
        "package as a quotation; confirming it sells the next package. The member's renewal can "
        "be paused or ended on their package.",
    )

    @api.constrains("loyalty_package_renewing", "loyalty_package_validity")
    def _check_loyalty_package_renewing(self):
        for template in self:
            if template.loyalty_package_renewing and not template.loyalty_package_validity:
                raise ValidationError(self.env._(
                    "The package “%s” renews every period: give it a validity (1 month, "
                    "1 year).", template.name,
                ))
