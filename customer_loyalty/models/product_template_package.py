from odoo import api, fields, models
from odoo.exceptions import ValidationError

VALIDITY_UNITS = [("day", "Days"), ("month", "Months"), ("year", "Years")]


class ProductTemplate(models.Model):
    """A product sold as a prepaid package: N uses and/or a validity, for some services.

    The product is the package's recipe; selling it (a confirmed sales order, a paid POS order)
    gives the customer a ``loyalty.package`` that copies these terms, so changing the product
    later changes only the packages sold afterwards.
    """

    _inherit = "product.template"

    loyalty_package_ok = fields.Boolean(
        string="Prepaid Package",
        help="Selling this product gives the customer a package of prepaid uses (10 haircuts, "
        "a year of gym) used later at the counter or on sales orders.",
    )
    loyalty_package_uses = fields.Integer(
        string="Uses",
        help="How many uses (sessions, washes) the package holds. 0: unlimited uses during its "
        "validity (a gym year).",
    )
    loyalty_package_validity = fields.Integer(
        string="Valid For", help="How long the package can be used. 0: no time limit."
    )
    loyalty_package_validity_unit = fields.Selection(
        VALIDITY_UNITS, string="Validity Unit", default="month"
    )
    loyalty_package_validity_start = fields.Selection(
        [("sale", "From the sale"), ("first_use", "From the first use")],
        string="Validity Starts",
        default="sale",
    )
    loyalty_package_product_ids = fields.Many2many(
        "product.product",
        "product_template_loyalty_package_product_rel",
        "template_id",
        "product_id",
        string="Services Covered",
        help="The services one use of the package pays for.",
    )
    loyalty_package_categ_ids = fields.Many2many(
        "product.category",
        "product_template_loyalty_package_categ_rel",
        "template_id",
        "categ_id",
        string="Service Categories Covered",
        help="Every service of these categories (and their sub-categories) can be paid with "
        "one use.",
    )
    loyalty_package_sharing = fields.Selection(
        [("personal", "Personal"), ("family", "Holder and the family members they name")],
        string="Who May Use It",
        default="personal",
    )
    loyalty_package_freeze_max_days = fields.Integer(
        string="Freeze Days Allowed",
        help="How many days in all the package may be frozen (a member travelling); each frozen "
        "day extends its validity by a day. 0: no freeze.",
    )
    loyalty_package_freeze_max_count = fields.Integer(
        string="Freezes Allowed", default=1, help="How many times the package may be frozen."
    )

    @api.constrains(
        "loyalty_package_ok",
        "loyalty_package_uses",
        "loyalty_package_validity",
        "loyalty_package_product_ids",
        "loyalty_package_categ_ids",
        "loyalty_package_freeze_max_days",
        "loyalty_package_freeze_max_count",
    )
    def _check_loyalty_package(self):
        for template in self.filtered("loyalty_package_ok"):
            if template.loyalty_package_uses < 0 or template.loyalty_package_validity < 0:
                raise ValidationError(
                    self.env._("A package's uses and validity cannot be negative.")
                )
            if not template.loyalty_package_uses and not template.loyalty_package_validity:
                raise ValidationError(
                    self.env._(
                        "The package “%s” needs a number of uses, a validity, or both.",
                        template.display_name,
                    )
                )
            if not (template.loyalty_package_product_ids or template.loyalty_package_categ_ids):
                raise ValidationError(
                    self.env._(
                        "Say which services the package “%s” can be used for (products or "
                        "categories).",
                        template.display_name,
                    )
                )
            if template.product_variant_ids & template.loyalty_package_product_ids:
                raise ValidationError(
                    self.env._("A package cannot be used to pay for itself.")
                )
            if (
                template.loyalty_package_freeze_max_days < 0
                or template.loyalty_package_freeze_max_count < 0
            ):
                raise ValidationError(self.env._("Freeze limits cannot be negative."))
