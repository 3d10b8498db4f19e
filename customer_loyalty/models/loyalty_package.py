from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .product_template_package import VALIDITY_UNITS

# What staff may change on a package; everything else is set when it is sold, and the uses
# change only through its usage ledger (``loyalty.package.line``).
PACKAGE_USER_FIELDS = {"member_ids", "note"}

PACKAGE_STATES = [
    ("active", "Active"),
    ("used_up", "Used Up"),
    ("expired", "Expired"),
    ("cancelled", "Cancelled"),
]


class LoyaltyPackage(models.Model):
    """A customer's prepaid package (10 haircuts, a year of gym), sold once, used many times.

    The uses left are the sum of the package's usage ledger: an ``issued`` line when it is sold,
    then ``used``, ``returned``, ``expired``, ``cancelled`` and ``adjusted`` lines. Like the points
    ledger, lines are never edited or deleted, and the balance is never written directly.
    """

    _name = "loyalty.package"
    _description = "Prepaid Package"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_expiry asc nulls last, id"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(
        "res.partner", string="Holder", required=True, readonly=True, index=True,
        ondelete="restrict", tracking=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    product_id = fields.Many2one(
        "product.product", string="Package", required=True, readonly=True, ondelete="restrict"
    )
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Sales Order Line", readonly=True, index="btree_not_null",
        ondelete="set null",
    )
    pos_line_id = fields.Many2one(
        "pos.order.line", string="POS Order Line", readonly=True, index="btree_not_null",
        ondelete="set null",
    )
    invoice_line_id = fields.Many2one(
        "account.move.line", readonly=True, index="btree_not_null",
        ondelete="set null", help="The paid invoice of a subscription's period that sold it.",
    )
    origin = fields.Char(readonly=True, help="The order that sold the package.")
    origin_key = fields.Char(
        readonly=True, copy=False,
        help="The order line and rank that sold the package: a line is never sold twice.",
    )
    # The terms, copied from the product when sold.
    uses_total = fields.Integer(string="Uses Sold", readonly=True, help="0: unlimited uses.")
    validity = fields.Integer(readonly=True)
    validity_unit = fields.Selection(VALIDITY_UNITS, readonly=True)
    validity_start = fields.Selection(
        [("sale", "From the sale"), ("first_use", "From the first use")], readonly=True
    )
    sharing = fields.Selection(
        [("personal", "Personal"), ("family", "Holder and family members")], readonly=True
    )
    service_product_ids = fields.Many2many(
        "product.product", "loyalty_package_service_product_rel", "package_id", "product_id",
        string="Services Covered", readonly=True,
    )
    service_categ_ids = fields.Many2many(
        "product.category", "loyalty_package_service_categ_rel", "package_id", "categ_id",
        string="Service Categories Covered", readonly=True,
    )
    freeze_max_days = fields.Integer(string="Freeze Days Allowed", readonly=True)
    freeze_max_count = fields.Integer(string="Freezes Allowed", readonly=True)
    amount = fields.Monetary(
        string="Sold Price", readonly=True, help="What the customer paid, taxes excluded."
    )
    price_per_use = fields.Monetary(
        compute="_compute_price_per_use", store=True,
        help="The sold price divided by the uses sold: what one unused use is worth.",
    )
    member_ids = fields.Many2many(
        "res.partner", "loyalty_package_member_rel", "package_id", "partner_id",
        string="Family Members",
        help="Who else may use the package, as the holder named them (family packages only).",
    )
    note = fields.Text(string="Notes")
    date_sale = fields.Date(string="Sold On", readonly=True, required=True)
    date_start = fields.Date(
        string="Valid From", readonly=True,
        help="The sale, or the first use for a package whose validity starts then.",
    )
    date_expiry = fields.Date(
        string="Valid Until", compute="_compute_date_expiry", store=True, index=True,
        help="The last day it can be used, frozen days included. Empty: no time limit, or "
        "not used yet when the validity starts at the first use.",
    )
    line_ids = fields.One2many("loyalty.package.line", "package_id", string="Usage")
    freeze_ids = fields.One2many("loyalty.package.freeze", "package_id", string="Freezes")
    frozen_days = fields.Integer(compute="_compute_date_expiry", store=True)
    uses_left = fields.Integer(
        compute="_compute_uses", store=True,
        help="The sum of the usage ledger. Meaningless for unlimited packages.",
    )
    uses_used = fields.Integer(compute="_compute_uses", store=True)
    state = fields.Selection(
        PACKAGE_STATES, compute="_compute_uses", store=True, index=True, tracking=True
    )
    is_frozen = fields.Boolean(
        string="Frozen Today", compute="_compute_is_frozen", search="_search_is_frozen"
    )
    summary = fields.Char(
        compute="_compute_summary", help="What is left, as the counter and the receipt show it."
    )

    _sql_constraints = [
        ("origin_key_unique", "UNIQUE(origin_key)", "An order line sells its packages once."),
        ("uses_total_positive", "CHECK(uses_total >= 0)", "Uses cannot be negative."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(
                self.env._("A package is created by selling its product, not by hand.")
            )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("loyalty.package") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and set(vals) - PACKAGE_USER_FIELDS:
            raise UserError(
                self.env._(
                    "A package's terms and uses cannot be changed: use, freeze, cancel or adjust "
                    "it, and the change is recorded in its usage history."
                )
            )
        if "member_ids" in vals and not self.env.su:
            self.check_access("write")
        result = super().write(vals)
        if "member_ids" in vals:
            self._check_members()
        return result

    def unlink(self):
        if self:
            raise UserError(self.env._("Packages are never deleted; cancel them instead."))
        return super().unlink()

    def _check_members(self):
        for package in self:
            if package.member_ids and package.sharing != "family":
                raise UserError(
                    self.env._("The package %s is personal: only its holder may use it.",
                               package.name)
                )
            if package.partner_id in package.member_ids:
                raise UserError(
                    self.env._("The holder is not a family member of their own package.")
                )

    @api.depends("amount", "uses_total")
    def _compute_price_per_use(self):
        for package in self:
            package.price_per_use = (
                package.amount / package.uses_total if package.uses_total else 0.0
            )

    @api.depends(
        "date_start", "validity", "validity_unit", "freeze_ids.date_from", "freeze_ids.date_to"
    )
    def _compute_date_expiry(self):
        for package in self:
            frozen = sum(freeze.days for freeze in package.freeze_ids)
            package.frozen_days = frozen
            if not package.validity or not package.date_start:
                package.date_expiry = False
                continue
            delta = relativedelta(**{f"{package.validity_unit or 'month'}s": package.validity})
            package.date_expiry = (
                package.date_start + delta - relativedelta(days=1) + relativedelta(days=frozen)
            )

    @api.depends("uses_total", "line_ids.quantity", "line_ids.entry_type")
    def _compute_uses(self):
        totals = {
            (package.id, entry_type): quantity
            for package, entry_type, quantity in self.env["loyalty.package.line"]._read_group(
                [("package_id", "in", self.ids)], ["package_id", "entry_type"], ["quantity:sum"]
            )
        } if self.ids else {}
        for package in self:
            types = {key[1]: qty for key, qty in totals.items() if key[0] == package.id}
            package.uses_left = sum(types.values())
            package.uses_used = -(types.get("used", 0) + types.get("returned", 0))
            if "cancelled" in types:
                package.state = "cancelled"
            elif "expired" in types:
                package.state = "expired"
            elif package.uses_total and package.uses_left <= 0:
                package.state = "used_up"
            else:
                package.state = "active"

    @api.depends("freeze_ids.date_from", "freeze_ids.date_to")
    @api.depends_context("date")
    def _compute_is_frozen(self):
        today = fields.Date.context_today(self)
        for package in self:
            package.is_frozen = any(
                freeze.date_from <= today <= freeze.date_to for freeze in package.freeze_ids
            )

    def _search_is_frozen(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Unsupported search on frozen packages."))
        today = fields.Date.context_today(self)
        frozen = [
            ("freeze_ids.date_from", "<=", today),
            ("freeze_ids.date_to", ">=", today),
        ]
        positive = (operator == "=") == bool(value)
        return frozen if positive else ["!", "&", *frozen]

    @api.depends("uses_total", "uses_left", "date_expiry", "state")
    @api.depends_context("lang")
    def _compute_summary(self):
        for package in self:
            if package.uses_total:
                text = self.env._(
                    "%(left)s of %(total)s left", left=package.uses_left, total=package.uses_total
                )
            else:
                text = self.env._("Unlimited uses")
            if package.date_expiry:
                text = self.env._(
                    "%(text)s, until %(date)s",
                    text=text,
                    date=fields.Date.to_string(package.date_expiry),
                )
            package.summary = text

    def _loyalty_covers(self, product):
        """Whether one use of the package pays for ``product``."""
        self.ensure_one()
        if product in self.service_product_ids:
            return True
        categ = product.categ_id
        return bool(categ) and any(
            categ.parent_path.startswith(covered.parent_path) for covered in self.service_categ_ids
        )

    def _loyalty_may_use(self, partner):
        """Whether ``partner`` may use the package: its holder, or a family member it names."""
        self.ensure_one()
        partner = partner.commercial_partner_id if partner else partner
        holders = self.partner_id | self.partner_id.commercial_partner_id
        if partner in holders:
            return True
        return self.sharing == "family" and bool(
            partner & (self.member_ids | self.member_ids.commercial_partner_id)
        )
