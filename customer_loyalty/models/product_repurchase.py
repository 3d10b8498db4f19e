from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ProductCategory(models.Model):
    """The repurchase cycle shared by a category's products (pet food, vitamins...)."""

    _inherit = "product.category"

    loyalty_repurchase_days = fields.Integer(
        string="Repurchase Cycle (days)",
        help="How long one unit of a product of this category lasts a customer; its products "
        "without a cycle of their own and the subcategories without one use it (0: none).",
    )

    @api.constrains("loyalty_repurchase_days")
    def _check_loyalty_repurchase_days(self):
        if any(category.loyalty_repurchase_days < 0 for category in self):
            raise ValidationError(_("A repurchase cycle cannot be negative."))


class ProductTemplate(models.Model):
    """The product's own repurchase cycle (a 30-day vitamin pack, a haircut every 42 days)."""

    _inherit = "product.template"  # pylint: disable=consider-merging-classes-inherited

    loyalty_repurchase_days = fields.Integer(
        string="Repurchase Cycle (days)",
        help="How long one unit lasts a customer: the next purchase is predicted this many days "
        "times the quantity after the last one, until the customer has bought it 3 times "
        "(then from their own median interval). 0: the category's cycle.",
    )

    @api.constrains("loyalty_repurchase_days")
    def _check_loyalty_repurchase_days(self):
        if any(template.loyalty_repurchase_days < 0 for template in self):
            raise ValidationError(_("A repurchase cycle cannot be negative."))
