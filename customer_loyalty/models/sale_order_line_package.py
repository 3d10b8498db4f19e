from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_is_zero


class SaleOrderLine(models.Model):
    """A service paid with one use (or more) of the customer's prepaid package, and the lines
    that sell packages.

    The line's package is proposed (the usable package that expires first) and the line is
    priced at zero while it has one; the uses are taken when the order is confirmed (see
    ``sale_order_package.py``)."""

    _inherit = "sale.order.line"  # pylint: disable=consider-merging-classes-inherited

    loyalty_package_id = fields.Many2one(
        "loyalty.package", string="Paid with Package",
        compute="_compute_loyalty_package_id", store=True, readonly=False, precompute=True,
        copy=False,
        index="btree_not_null", ondelete="restrict",
        domain="[('id', 'in', loyalty_package_usable_ids)]",
        help="The customer's prepaid package paying for this service: the line costs nothing and "
        "takes one use per unit when the order is confirmed. Clear it to charge the service.",
    )
    loyalty_package_usable_ids = fields.Many2many(
        "loyalty.package", compute="_compute_loyalty_package_usable_ids",
        string="Usable Packages",
    )
    loyalty_package_label = fields.Char(
        string="Package Uses", compute="_compute_loyalty_package_label",
        help="What is left of the package after this line's uses, and until when.",
    )
    loyalty_package_sold_ids = fields.One2many(
        "loyalty.package", "sale_line_id", string="Packages Sold",
    )

    # ------------------------------------------------------------------
    # Which package pays
    # ------------------------------------------------------------------
    def _loyalty_package_date(self):
        self.ensure_one()
        return fields.Date.context_today(self, self.order_id.date_order or fields.Datetime.now())

    def _loyalty_package_may_pay(self):
        """Whether a package may pay for this line at all (a service, not a reward, not a
        package itself, on a quotation)."""
        self.ensure_one()
        return bool(
            self.product_id
            and not self.display_type
            and not self.reward_id
            and not self.combo_item_id
            and not self.product_id.loyalty_package_ok
            and self.order_id.partner_id
            and self.state in ("draft", "sent")
        )

    def _loyalty_package_usable(self, memo=None):
        """The packages that may pay for this line, first to expire first. ``memo`` (a dict)
        shares the look-up between the lines of one computation."""
        self.ensure_one()
        if not self._loyalty_package_may_pay():
            return self.env["loyalty.package"]
        key = (
            self.order_id.partner_id.id, self.product_id._origin.id,
            self.order_id.company_id.id, self._loyalty_package_date(),
        )
        memo = {} if memo is None else memo
        if key not in memo:
            memo[key] = self.env["loyalty.package"]._loyalty_package_usable(
                self.order_id.partner_id, self.product_id._origin, self.order_id.company_id,
                key[3],
            ).with_env(self.env)
        return memo[key]

    @api.depends("product_id", "order_id.partner_id", "order_id.company_id", "state")
    def _compute_loyalty_package_usable_ids(self):
        memo = {}
        for line in self:
            line.loyalty_package_usable_ids = (
                line._loyalty_package_usable(memo) or line.loyalty_package_id._origin
            )

    @api.depends("product_id", "order_id.partner_id", "order_id.company_id")
    def _compute_loyalty_package_id(self):
        memo = {}
        for line in self:
            if not line._loyalty_package_may_pay():
                # A confirmed line keeps the package that paid for it.
                line.loyalty_package_id = (
                    False if line.state in ("draft", "sent") else line.loyalty_package_id
                )
                continue
            usable = line._loyalty_package_usable(memo)
            if line.loyalty_package_id._origin not in usable:
                line.loyalty_package_id = usable[:1]

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.filtered(
            lambda line: line.loyalty_package_id and line.state not in ("draft", "sent")
        )._loyalty_package_refuse_locked()
        return lines

    def write(self, vals):
        if "loyalty_package_id" in vals:
            self.filtered(
                lambda line: line.state not in ("draft", "sent")
                and line.loyalty_package_id.id != (vals["loyalty_package_id"] or False)
            )._loyalty_package_refuse_locked()
        return super().write(vals)

    def _loyalty_package_refuse_locked(self):
        """A package pays for a line when its order is confirmed: on a confirmed (or cancelled)
        order, a line's package is no longer set or changed (no use would be taken)."""
        if self:
            raise UserError(
                self.env._(
                    "The package paying for “%s” is chosen on the quotation: on a confirmed "
                    "order it cannot be set or changed. Add the service to a new quotation.",
                    self[0].name,
                )
            )

    @api.depends("loyalty_package_id")
    def _compute_price_unit(self):
        # A line paid by a package costs nothing; cleared, its price is computed again (its
        # technical price was zeroed with it, so Odoo does not take it for a manual price).
        res = super()._compute_price_unit()
        for line in self.filtered("loyalty_package_id"):
            line.price_unit = 0.0
            line.technical_price_unit = 0.0
        return res

    @api.constrains("loyalty_package_id", "price_unit", "discount", "order_partner_id",
                    "product_id", "company_id")
    def _check_loyalty_package(self):
        """The server's own check of what the client sent: a package line costs nothing, and
        its package is one the order's customer may use for this service."""
        for line in self.filtered("loyalty_package_id"):
            package = line.loyalty_package_id._origin.sudo()
            if not float_is_zero(line.price_unit, precision_digits=6):
                raise ValidationError(
                    self.env._(
                        "The line “%(line)s” is paid with the package %(package)s: it costs "
                        "nothing. Clear the package to charge the service.",
                        line=line.product_id.display_name,
                        package=package.name,
                    )
                )
            if line.state not in ("draft", "sent"):
                continue
            reason = ""
            if package.company_id != line.order_id.company_id:
                reason = self.env._("The package %s belongs to another company.", package.name)
            elif not package._loyalty_may_use(line.order_id.partner_id):
                reason = self.env._(
                    "The package %(name)s belongs to another customer: %(customer)s may not "
                    "use it.",
                    name=package.name,
                    customer=line.order_id.partner_id.display_name,
                )
            elif not package._loyalty_covers(line.product_id):
                reason = self.env._(
                    "The package %(name)s does not cover %(product)s.",
                    name=package.name,
                    product=line.product_id.display_name,
                )
            elif line.product_id.loyalty_package_ok or line.reward_id or line.display_type:
                reason = self.env._(
                    "A package pays for services only, not for “%s”.", line.name
                )
            if reason:
                raise ValidationError(reason)

    # ------------------------------------------------------------------
    # What is left
    # ------------------------------------------------------------------
    @api.depends(
        "loyalty_package_id", "product_uom_qty", "state", "order_id.order_line",
        "loyalty_package_id.uses_left", "loyalty_package_id.date_expiry",
    )
    @api.depends_context("lang")
    def _compute_loyalty_package_label(self):
        lines = self.filtered("loyalty_package_id")
        (self - lines).loyalty_package_label = False
        if not lines:
            return
        after_use = self._loyalty_package_left_after_use(lines)
        pending = {}
        for order in lines.order_id:
            # Not used yet: what the package has, less this line and the lines above it in
            # the same quotation paying with the same package.
            taken = {}
            for other in order.order_line:
                if other.loyalty_package_id and other.id not in after_use:
                    package = other.loyalty_package_id
                    taken[package] = taken.get(package, 0) + int(other.product_uom_qty)
                    pending[other] = taken[package]
        for line in lines:
            package = line.loyalty_package_id.sudo()
            left = after_use.get(line.id)
            if left is None:
                left = package.uses_left - pending.get(line, int(line.product_uom_qty))
            line.loyalty_package_label = line._loyalty_package_text(package, left)

    def _loyalty_package_text(self, package, left):
        if package.uses_total:
            text = self.env._(
                "Package %(name)s: %(left)s of %(total)s left",
                name=package.name, left=left, total=package.uses_total,
            )
        else:
            text = self.env._("Package %(name)s: unlimited uses", name=package.name)
        expiry = package.date_expiry
        if not expiry and package.validity and package.validity_start == "first_use":
            # Its validity starts with this first use.
            delta = relativedelta(**{f"{package.validity_unit or 'month'}s": package.validity})
            expiry = self._loyalty_package_date() + delta - relativedelta(days=1)
        if expiry:
            text = self.env._(
                "%(text)s, until %(date)s", text=text, date=fields.Date.to_string(expiry)
            )
        return text

    @api.model
    def _loyalty_package_left_after_use(self, lines):
        """``{line id: uses left right after its use}`` for lines whose use is recorded (and not
        given back), read from the usage ledger in one query."""
        ids = [line_id for line_id in lines.ids if line_id]
        if not ids:
            return {}
        self.env["loyalty.package.line"].flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT used.sale_line_id,
                   (SELECT COALESCE(SUM(l.quantity), 0) FROM loyalty_package_line l
                     WHERE l.package_id = used.package_id AND l.id <= used.id)
              FROM loyalty_package_line used
             WHERE used.sale_line_id IN %s AND used.entry_type = 'used'
               AND NOT EXISTS (
                   SELECT 1 FROM loyalty_package_line back
                    WHERE back.sale_line_id = used.sale_line_id
                      AND back.package_id = used.package_id AND back.entry_type = 'returned')
            """,
            tuple(ids),
        ))
        return dict(self.env.cr.fetchall())
