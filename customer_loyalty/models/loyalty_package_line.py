from odoo import api, fields, models
from odoo.exceptions import UserError

ENTRY_TYPES = [
    ("issued", "Sold"),
    ("used", "Used"),
    ("returned", "Given Back"),
    ("expired", "Expired"),
    ("cancelled", "Cancelled"),
    ("adjusted", "Adjustment"),
]


class LoyaltyPackageLine(models.Model):
    """The usage ledger of a prepaid package: the only thing that changes its uses.

    ``quantity`` is signed: the uses sold are issued (+10), a use is -1, an order cancelled after
    using it gives it back (+1), the expiry and the cancellation of the package take what is left.
    Append-only, like an accounting journal; a use is recorded once per order line (a unique
    index), so an order synced twice from the POS consumes once.
    """

    _name = "loyalty.package.line"
    _description = "Prepaid Package Usage"
    _order = "date desc, id desc"

    package_id = fields.Many2one(
        "loyalty.package", required=True, readonly=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="package_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="package_id.currency_id")
    holder_id = fields.Many2one(related="package_id.partner_id", string="Holder", store=True)
    partner_id = fields.Many2one(
        "res.partner", string="Used By", readonly=True, ondelete="restrict",
        help="Who used it: the holder or a family member.",
    )
    entry_type = fields.Selection(ENTRY_TYPES, string="Type", required=True, readonly=True)
    quantity = fields.Integer(required=True, readonly=True)
    value = fields.Monetary(
        readonly=True, help="The uses' worth at the sold price (quantity × price per use)."
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    description = fields.Char(readonly=True)
    sale_line_id = fields.Many2one(
        "sale.order.line", readonly=True, index="btree_not_null", ondelete="set null"
    )
    pos_line_id = fields.Many2one(
        "pos.order.line", readonly=True, index="btree_not_null", ondelete="set null"
    )
    product_id = fields.Many2one(
        "product.product", string="Service", readonly=True, ondelete="restrict"
    )
    origin = fields.Char(readonly=True, help="The order or the action behind the line.")

    def init(self):
        # A use, and its giving back, is recorded once per package and order line.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS loyalty_package_line_sale_line_id_once
               ON loyalty_package_line (package_id, entry_type, sale_line_id)
               WHERE sale_line_id IS NOT NULL AND entry_type IN ('used', 'returned')"""
        )
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS loyalty_package_line_pos_line_id_once
               ON loyalty_package_line (package_id, entry_type, pos_line_id)
               WHERE pos_line_id IS NOT NULL AND entry_type IN ('used', 'returned')"""
        )
        # Expiry and cancellation close a package once.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS loyalty_package_line_close_once
               ON loyalty_package_line (package_id)
               WHERE entry_type IN ('expired', 'cancelled')"""
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(
                self.env._(
                    "The usage of a package is recorded by selling, using, freezing or "
                    "cancelling it, not by hand."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if self:
            raise UserError(
                self.env._("Package usage lines cannot be changed: a correction is a new line.")
            )
        return super().write(vals)

    def unlink(self):
        if self:
            raise UserError(self.env._("Package usage lines cannot be deleted."))
        return super().unlink()
