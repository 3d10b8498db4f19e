from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class LoyaltyPackage(models.Model):
    """The package engine: selling, using, giving back, cancelling and expiring packages.

    Every method here is private (called by the order flows and crons, never over RPC) and
    set-wise; each writes usage lines, the only writer of a package's uses.
    """

    _inherit = "loyalty.package"

    # ------------------------------------------------------------------
    # Selling
    # ------------------------------------------------------------------
    @api.model
    def _loyalty_package_issue(self, requests):
        """Create the packages sold, once per order line and rank.

        ``requests``: dicts with ``partner`` (res.partner), ``product`` (the package product),
        ``company``, ``currency``, ``amount`` (paid for one package, taxes excluded), ``date``
        (a date), ``origin`` (the order's name), and ``sale_line``, ``pos_line`` or
        ``invoice_line`` (a paid period of a subscription); ``rank``
        tells apart the packages of one line sold with a quantity of 2 or more.
        Returns the packages created (none for a line already sold).
        """
        keys = {}
        for request in requests:
            line = request.get("sale_line") or request.get("pos_line") or request["invoice_line"]
            keys[f"{line._name},{line.id},{request.get('rank', 0)}"] = request
        Package = self.sudo()
        existing = set(
            Package.with_context(active_test=False)
            .search([("origin_key", "in", list(keys))])
            .mapped("origin_key")
        )
        vals_list = []
        for key, request in keys.items():
            if key in existing:
                continue
            template = request["product"].product_tmpl_id
            from_sale = template.loyalty_package_validity_start != "first_use"
            start = request["date"] if from_sale else False
            vals_list.append({
                "partner_id": request["partner"].id,
                "company_id": request["company"].id,
                "currency_id": request["currency"].id,
                "product_id": request["product"].id,
                "sale_line_id": request["sale_line"].id if request.get("sale_line") else False,
                "pos_line_id": request["pos_line"].id if request.get("pos_line") else False,
                "invoice_line_id": (
                    request["invoice_line"].id if request.get("invoice_line") else False
                ),
                "origin": request.get("origin"),
                "origin_key": key,
                "uses_total": template.loyalty_package_uses,
                "validity": template.loyalty_package_validity,
                "validity_unit": template.loyalty_package_validity_unit,
                "validity_start": template.loyalty_package_validity_start,
                "sharing": template.loyalty_package_sharing,
                "service_product_ids": [(6, 0, template.loyalty_package_product_ids.ids)],
                "service_categ_ids": [(6, 0, template.loyalty_package_categ_ids.ids)],
                "freeze_max_days": template.loyalty_package_freeze_max_days,
                "freeze_max_count": template.loyalty_package_freeze_max_count,
                "amount": request["amount"],
                "date_sale": request["date"],
                "date_start": start,
            })
        if not vals_list:
            return Package.browse()
        packages = Package.create(vals_list)
        self.env["loyalty.package.line"].sudo().create([
            {
                "package_id": package.id,
                "partner_id": package.partner_id.id,
                "entry_type": "issued",
                "quantity": package.uses_total,
                "value": package.amount,
                "description": self.env._("Sold: %s", package.product_id.display_name),
                "origin": package.origin,
                "sale_line_id": package.sale_line_id.id,
                "pos_line_id": package.pos_line_id.id,
            }
            for package in packages
        ])
        return packages

    # ------------------------------------------------------------------
    # Using
    # ------------------------------------------------------------------
    @api.model
    def _loyalty_package_usable(self, partner, product, company, date=None):
        """The packages ``partner`` may use for ``product`` on ``date``, first to expire first."""
        if not partner or not product:
            return self.browse()
        date = date or fields.Date.context_today(self)
        commercial = partner.commercial_partner_id
        candidates = self.sudo().search([
            ("company_id", "=", company.id),
            ("state", "=", "active"),
            "|", "|",
            ("partner_id", "child_of", commercial.id),
            ("member_ids", "=", partner.id),
            ("member_ids", "=", commercial.id),
        ])
        return candidates.filtered(
            lambda package: not package._loyalty_refusal(partner, product, 1, company, date)
        )

    def _loyalty_refusal(self, partner, product, quantity, company, date):
        """Why the package cannot pay for ``quantity`` × ``product`` for ``partner``, or ''."""
        self.ensure_one()
        package = self.sudo()
        name = package.name
        if package.company_id != company:
            return self.env._("The package %s belongs to another company.", name)
        if not package._loyalty_may_use(partner):
            return self.env._(
                "The package %(name)s belongs to another customer: %(customer)s may not use it.",
                name=name,
                customer=partner.display_name,
            )
        if package.state == "cancelled":
            return self.env._("The package %s was cancelled.", name)
        if package.state == "expired" or (package.date_expiry and package.date_expiry < date):
            return self.env._(
                "The package %(name)s expired on %(date)s.",
                name=name,
                date=fields.Date.to_string(package.date_expiry) if package.date_expiry else "",
            )
        freeze = package.freeze_ids.filtered(lambda f: f.date_from <= date <= f.date_to)
        if freeze:
            return self.env._(
                "The package %(name)s is frozen until %(date)s.",
                name=name,
                date=fields.Date.to_string(max(freeze.mapped("date_to"))),
            )
        if not package._loyalty_covers(product):
            return self.env._(
                "The package %(name)s does not cover %(product)s.",
                name=name,
                product=product.display_name,
            )
        if package.uses_total and package.uses_left < quantity:
            if package.uses_left <= 0:
                return self.env._(
                    "The package %(name)s is used up (0 of %(total)s left).",
                    name=name,
                    total=package.uses_total,
                )
            return self.env._(
                "The package %(name)s has %(left)s uses left, not %(asked)s.",
                name=name,
                left=package.uses_left,
                asked=quantity,
            )
        return ""

    @api.model
    def _loyalty_package_consume(self, requests):
        """Record the uses of packages, each under the package's row lock, or refuse them all.

        ``requests``: dicts with ``package``, ``partner`` (who uses it), ``product`` (the
        service), ``quantity`` (a whole number of uses), ``company``, ``date``, ``origin``, and
        ``sale_line`` or ``pos_line`` (the order line paid with it). A use already recorded for
        the same package and order line is not recorded again. Raises ``UserError`` with the
        reason when one of them cannot be used; returns the lines written.
        """
        Line = self.env["loyalty.package.line"].sudo()
        packages = self.sudo().browse({request["package"].id for request in requests})
        if not packages:
            return Line
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM loyalty_package WHERE id IN %s ORDER BY id FOR UPDATE",
                tuple(packages.ids),
            )
        )
        packages.invalidate_recordset(["uses_left", "uses_used", "state", "date_start"])
        done = set()
        for line in Line.search([("package_id", "in", packages.ids), ("entry_type", "=", "used")]):
            order_line = line.sale_line_id or line.pos_line_id
            done.add((line.package_id.id, order_line._name, order_line.id))
        asked = {}
        vals_list = []
        for request in requests:
            package = request["package"].sudo()
            order_line = request.get("sale_line") or request.get("pos_line")
            if (package.id, order_line._name, order_line.id) in done:
                continue
            quantity = request["quantity"]
            if quantity <= 0 or quantity != int(quantity):
                raise UserError(
                    self.env._("A package pays for whole uses: %s cannot be used.", quantity)
                )
            asked[package] = asked.get(package, 0) + int(quantity)
            reason = package._loyalty_refusal(
                request["partner"], request["product"], asked[package],
                request["company"], request["date"],
            )
            if reason:
                raise UserError(reason)
            if package.validity_start == "first_use" and not package.date_start:
                package.date_start = request["date"]
            vals_list.append({
                "package_id": package.id,
                "partner_id": request["partner"].id,
                "entry_type": "used",
                "quantity": -int(quantity),
                "value": -int(quantity) * package.price_per_use,
                "description": self.env._("Used: %s", request["product"].display_name),
                "origin": request.get("origin"),
                "product_id": request["product"].id,
                "sale_line_id": request["sale_line"].id if request.get("sale_line") else False,
                "pos_line_id": request["pos_line"].id if request.get("pos_line") else False,
            })
        return Line.create(vals_list)

    @api.model
    def _loyalty_package_give_back(self, order_lines, description):
        """Give back the uses that ``order_lines`` (sale or POS order lines) took, once."""
        if not order_lines:
            return self.env["loyalty.package.line"]
        field = "sale_line_id" if order_lines._name == "sale.order.line" else "pos_line_id"
        Line = self.env["loyalty.package.line"].sudo()
        lines = Line.search(
            [(field, "in", order_lines.ids), ("entry_type", "in", ("used", "returned"))]
        )
        returned = {
            (line.package_id, line[field]) for line in lines if line.entry_type == "returned"
        }
        vals_list = [
            {
                "package_id": line.package_id.id,
                "partner_id": line.partner_id.id,
                "entry_type": "returned",
                "quantity": -line.quantity,
                "value": -line.value,
                "description": description,
                "origin": line.origin,
                "product_id": line.product_id.id,
                field: line[field].id,
            }
            for line in lines
            if line.entry_type == "used" and (line.package_id, line[field]) not in returned
        ]
        # A package already expired or cancelled stays closed: the use given back closes with
        # it, in a line of its own, so its uses left stay at zero.
        closing = [
            {
                **vals,
                "entry_type": "adjusted",
                "quantity": -vals["quantity"],
                "value": -vals["value"],
                "description": self.env._("Closed with the package"),
                field: False,
            }
            for vals in vals_list
            if self.sudo().browse(vals["package_id"]).state in ("expired", "cancelled")
        ]
        return Line.create(vals_list + closing)

    # ------------------------------------------------------------------
    # Cancelling and expiring
    # ------------------------------------------------------------------
    def _loyalty_refund_value(self):
        """What the unused part of each package is worth, the documented refund rule.

        A package of N uses: the sold price × uses left / N. A package of unlimited uses over
        a validity: the sold price × days left / days of validity (all of it before the first
        use). Nothing for a package used up, expired or cancelled.
        """
        today = fields.Date.context_today(self)
        values = {}
        for package in self.sudo():
            if package.state != "active":
                values[package.id] = 0.0
            elif package.uses_total:
                values[package.id] = package.price_per_use * max(package.uses_left, 0)
            elif not package.date_start or not package.date_expiry:
                values[package.id] = package.amount
            else:
                total = (package.date_expiry - package.date_start).days + 1
                left = max((package.date_expiry - max(today, package.date_start)).days + 1, 0)
                values[package.id] = package.amount * left / total if total > 0 else 0.0
            values[package.id] = package.currency_id.round(values[package.id])
        return values

    def _loyalty_package_cancel(self, description, origin=None):
        """Cancel the packages: a line takes what is left of each, once. Returns the lines."""
        packages = self.sudo().filtered(lambda package: package.state == "active")
        if not packages:
            return self.env["loyalty.package.line"]
        values = packages._loyalty_refund_value()
        return self.env["loyalty.package.line"].sudo().create([
            {
                "package_id": package.id,
                "partner_id": package.partner_id.id,
                "entry_type": "cancelled",
                "quantity": -package.uses_left if package.uses_total else 0,
                "value": -values[package.id],
                "description": description,
                "origin": origin,
            }
            for package in packages
        ])

    @api.model
    def _loyalty_package_expire(self, today=None):
        """Close every active package whose last day has passed: one SQL statement.

        Idempotent: a package is closed once (a unique index), so a second run, two runs at
        once or a run after a crash write nothing more. Returns the packages expired.
        """
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO loyalty_package_line (
                    package_id, company_id, holder_id, partner_id, entry_type, quantity, value,
                    date, description, create_uid, write_uid, create_date, write_date)
                SELECT p.id, p.company_id, p.partner_id, p.partner_id, 'expired',
                       CASE WHEN p.uses_total > 0 THEN -p.uses_left ELSE 0 END,
                       CASE WHEN p.uses_total > 0 THEN -p.uses_left * p.price_per_use
                            ELSE 0 END,
                       NOW() AT TIME ZONE 'UTC', %(description)s, %(uid)s, %(uid)s,
                       NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                  FROM loyalty_package p
                 WHERE p.state = 'active' AND p.date_expiry < %(today)s
                ON CONFLICT (package_id) WHERE entry_type IN ('expired', 'cancelled')
                DO NOTHING
                RETURNING package_id
                """,
                description=self.env._("Expired"),
                uid=self.env.uid,
                today=today,
            )
        )
        packages = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        if packages:
            self.env["loyalty.package.line"].invalidate_model()
            packages.invalidate_recordset(["line_ids"])
            for name in ("uses_left", "uses_used", "state"):
                self.env.add_to_compute(self._fields[name], packages)
            packages.flush_recordset()
        return packages

    @api.model
    def _cron_expire_packages(self):
        self._loyalty_package_expire()
