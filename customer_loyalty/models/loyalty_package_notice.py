import logging

from odoo import Command, api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

NOTICE_KINDS = [("uses", "Few uses left"), ("days", "Ending soon")]


class LoyaltyPackage(models.Model):
    """Telling a member their package is nearly used up or nearly over, once per kind, with a
    renewal quotation; the salesperson gets a To-Do activity."""

    _inherit = "loyalty.package"  # pylint: disable=consider-merging-classes-inherited

    notice_uses_sent = fields.Boolean(
        string="Few-Uses Notice Sent", readonly=True, copy=False,
        help="The member was told their package has few uses left.",
    )
    notice_days_sent = fields.Boolean(
        string="Ending Notice Sent", readonly=True, copy=False,
        help="The member was told their package ends soon.",
    )
    renewal_order_id = fields.Many2one(
        "sale.order", string="Renewal Quotation", readonly=True, copy=False,
        ondelete="set null", help="The quotation offered to the member to renew the package.",
    )
    renewal_url = fields.Char(
        compute="_compute_renewal_url", help="The renewal quotation's page in the portal."
    )

    def _loyalty_package_notice_recipients(self):
        """The packages whose holder is sent the notice by e-mail (others get none; the
        salesperson's activity is made for every package). The place to plug in the members'
        consent to be contacted: a package notice is a *service* message (membership and
        care), so holders whose e-mail is blacklisted or who opted out of it get none."""
        allowed = self.env["res.partner"]._loyalty_contactable(
            self.partner_id, "email", "service"
        )
        return self.filtered(lambda package: package.partner_id in allowed)

    def _loyalty_claim_notices(self, kind, today):
        """Mark the packages due for the ``kind`` notice as told and return them: one UPDATE
        for every company, so a second run (or a run at the same time) claims none again."""
        marker = SQL.identifier(f"notice_{kind}_sent")
        if kind == "uses":
            due = SQL(
                "p.uses_total > 0 AND c.loyalty_package_notice_uses > 0 "
                "AND p.uses_left > 0 AND p.uses_left <= c.loyalty_package_notice_uses"
            )
        else:
            due = SQL(
                "c.loyalty_package_notice_days > 0 AND p.date_expiry IS NOT NULL "
                "AND p.date_expiry >= %(today)s "
                "AND p.date_expiry <= %(today)s + c.loyalty_package_notice_days",
                today=today,
            )
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            UPDATE loyalty_package p SET %(marker)s = TRUE
              FROM res_company c
             WHERE c.id = p.company_id AND p.state = 'active'
               AND p.%(marker)s IS NOT TRUE AND %(due)s
            RETURNING p.id
            """,
            marker=marker, due=due,
        ))
        packages = self.sudo().browse(sorted(row[0] for row in self.env.cr.fetchall()))
        packages.invalidate_recordset([f"notice_{kind}_sent"])
        return packages

    def _loyalty_renewal_orders(self):
        """A draft quotation of each package's product for its holder, made once per package."""
        todo = self.sudo().filtered(
            lambda package: package.renewal_order_id.state in (False, "cancel")
        )
        # One create per company for all its quotations (not one per package).
        for company in todo.company_id:
            packages = todo.filtered(lambda package, c=company: package.company_id == c)
            orders = self.env["sale.order"].sudo().with_company(company).create([
                {
                    "partner_id": package.partner_id.id,
                    "company_id": company.id,
                    "user_id": package._loyalty_salesperson().id,
                    "origin": package.name,
                    "order_line": [Command.create({
                        "product_id": package.product_id.id, "product_uom_qty": 1,
                    })],
                }
                for package in packages
            ])
            for package, order in zip(packages, orders, strict=True):
                package.renewal_order_id = order
        return self.sudo().renewal_order_id

    def _loyalty_salesperson(self):
        """Who follows up the renewal: the holder's salesperson, else the one who sold it."""
        self.ensure_one()
        return (
            self.partner_id.user_id
            or self.partner_id.commercial_partner_id.user_id
            or self.sale_line_id.order_id.user_id
            or self.env["res.users"]
        )

    @api.depends("renewal_order_id")
    def _compute_renewal_url(self):
        for package in self:
            order = package.sudo().renewal_order_id
            package.renewal_url = order.get_base_url() + order.get_portal_url() if order else ""

    @api.model
    def _loyalty_package_send_notices(self, today=None):
        """Send the due notices of every company: returns {kind: packages told}."""
        today = today or fields.Date.context_today(self)
        template = self.env.ref(
            "customer_loyalty.mail_template_loyalty_package_notice", raise_if_not_found=False
        )
        todo_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        done = {}
        for kind, _label in NOTICE_KINDS:
            packages = self._loyalty_claim_notices(kind, today)
            done[kind] = packages
            if not packages:
                continue
            packages._loyalty_renewal_orders()
            recipients = packages._loyalty_package_notice_recipients()
            if template and recipients:
                # The template renders each e-mail in its holder's language.
                template.send_mail_batch(
                    recipients.ids, email_layout_xmlid="customer_loyalty.mail_layout_service"
                )._loyalty_prepare_outgoing("service")
            for package in packages:
                user = package._loyalty_salesperson()
                body = package._loyalty_notice_text(kind)
                package.message_post(body=body, subtype_xmlid="mail.mt_note")
                if user and todo_type:
                    package.activity_schedule(
                        activity_type_id=todo_type.id,
                        date_deadline=today,
                        summary=self.env._("Offer %s a renewal", package.partner_id.name),
                        note=body,
                        user_id=user.id,
                    )
            _logger.info("Prepaid packages: %s notices (%s) sent", len(packages), kind)
        return done

    def _loyalty_notice_text(self, kind):
        self.ensure_one()
        if kind == "uses":
            return self.env._(
                "%(name)s has %(left)s of %(total)s uses left: renewal offered (%(order)s).",
                name=self.name, left=self.uses_left, total=self.uses_total,
                order=self.renewal_order_id.name or "",
            )
        return self.env._(
            "%(name)s ends on %(date)s: renewal offered (%(order)s).",
            name=self.name, date=fields.Date.to_string(self.date_expiry),
            order=self.renewal_order_id.name or "",
        )

    @api.model
    def _cron_package_notices(self):
        self._loyalty_package_send_notices()
