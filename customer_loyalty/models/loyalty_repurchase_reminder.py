import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, format_date

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "Pending"),
    ("sent", "Sent"),
    ("cancelled", "Cancelled"),
    ("converted", "Converted"),
]


class LoyaltyRepurchaseReminder(models.Model):
    """A customer reminded (or to be reminded) to buy a product again.

    One row per company, customer, product and purchase it follows (a unique index on the
    last purchase's date): a second run of the daily cron, or two at once, create nothing the
    second time (``INSERT ... ON CONFLICT DO NOTHING``). The reminders of a customer sent in one
    run are one message (one activity and/or one e-mail): they share ``lead_id``, the reminder
    the message is attached to. A customer gets at most one message per the company's cap
    period; the products that fall due meanwhile stay pending and join the next message.
    """

    _name = "loyalty.repurchase.reminder"
    _description = "Repurchase Reminder"
    _order = "due_date desc, id desc"
    _rec_name = "product_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True,
        ondelete="cascade",
    )
    product_id = fields.Many2one(
        "product.product", required=True, readonly=True, ondelete="cascade"
    )
    quantity = fields.Float(readonly=True, digits="Product Unit of Measure",
                            help="The quantity bought last time, proposed again.")
    last_purchase_date = fields.Date(string="Last Purchase", required=True, readonly=True)
    due_date = fields.Date(string="Due", required=True, readonly=True, index=True)
    state = fields.Selection(STATES, required=True, default="pending", readonly=True, index=True)
    cancel_reason = fields.Selection(
        [("repurchased", "Bought again before the reminder"),
         ("not_contactable", "No channel reaches the customer")],
        readonly=True,
    )
    sent_at = fields.Datetime(string="Sent On", readonly=True)
    lead_id = fields.Many2one(
        "loyalty.repurchase.reminder", string="Message", readonly=True, index="btree_not_null",
        help="The reminder whose message also covers this product.",
    )
    grouped_ids = fields.One2many(
        "loyalty.repurchase.reminder", "lead_id", string="Products in the Message"
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    mail_id = fields.Many2one("mail.mail", string="E-mail", readonly=True, ondelete="set null")
    order_id = fields.Many2one(
        "sale.order", string="Reorder Quotation", readonly=True, ondelete="set null",
        help="The draft quotation linked from the e-mail.",
    )
    converted_order_id = fields.Many2one(
        "sale.order", readonly=True, ondelete="set null"
    )
    converted_pos_order_id = fields.Many2one(
        "pos.order", string="Converted POS Order", readonly=True, ondelete="set null"
    )

    @api.depends("product_id", "grouped_ids.product_id")
    def _compute_display_name(self):
        # The message's reminder is named after all its products (the e-mail's title).
        for reminder in self:
            products = reminder.grouped_ids.product_id or reminder.product_id
            reminder.display_name = ", ".join(products.mapped("display_name"))

    def init(self):
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS loyalty_repurchase_reminder_purchase_uniq
                ON loyalty_repurchase_reminder (company_id, partner_id, product_id,
                                                last_purchase_date)
            """
        )

    # ------------------------------------------------------------------
    # The daily run
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_repurchase_reminders(self):
        """Refresh the predictions, link the orders that followed a reminder, cancel the
        reminders of products bought again, create the due ones and send them, grouped per
        customer and capped. Each step is one statement or one batch."""
        companies = self.env["res.company"].sudo().search([])
        return self.sudo()._loyalty_run(companies)

    @api.model
    def _loyalty_run(self, companies, today=None, partners=None):
        """The daily run for ``companies``; limited to ``partners`` if given."""
        today = today or fields.Date.context_today(self)
        self.env["loyalty.repurchase.prediction"]._loyalty_refresh(companies, today, partners)
        converted = self._loyalty_link_conversions(companies, partners)
        cancelled = self._loyalty_cancel_repurchased(companies, partners)
        created = self._loyalty_create_due(companies, partners)
        sent = self._loyalty_send_pending(companies, today, partners)
        _logger.info(
            "Repurchase reminders: %s created, %s sent, %s cancelled, %s converted",
            len(created), len(sent), len(cancelled), len(converted),
        )
        return {"created": created, "sent": sent, "cancelled": cancelled,
                "converted": converted}

    @api.model
    def _loyalty_cancel_repurchased(self, companies, partners=None):
        """Pending reminders whose purchase is no longer the customer's last one (bought again,
        or refunded) are cancelled."""
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            UPDATE loyalty_repurchase_reminder r
               SET state = 'cancelled', cancel_reason = 'repurchased',
                   write_date = NOW() AT TIME ZONE 'UTC', write_uid = %(uid)s
             WHERE r.state = 'pending' AND r.company_id = ANY(%(companies)s) %(partner_filter)s
               AND NOT EXISTS (
                   SELECT 1 FROM loyalty_repurchase_prediction p
                    WHERE p.company_id = r.company_id AND p.partner_id = r.partner_id
                      AND p.product_id = r.product_id AND p.last_date = r.last_purchase_date)
            RETURNING r.id
            """,
            companies=companies.ids, uid=self.env.uid,
            partner_filter=self.env["loyalty.repurchase.prediction"]._loyalty_partner_filter(
                "r.partner_id", partners),
        ))
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_model()
        return self.browse(ids)

    @api.model
    def _loyalty_create_due(self, companies, partners=None):
        """One pending reminder per due prediction (not at risk), once per purchase."""
        self.env.cr.execute(SQL(
            """
            INSERT INTO loyalty_repurchase_reminder (
                company_id, partner_id, product_id, quantity, last_purchase_date, due_date,
                state, create_uid, write_uid, create_date, write_date)
            SELECT p.company_id, p.partner_id, p.product_id, p.last_qty, p.last_date,
                   p.next_date, 'pending', %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC',
                   NOW() AT TIME ZONE 'UTC'
              FROM loyalty_repurchase_prediction p
              JOIN res_partner partner ON partner.id = p.partner_id AND partner.active
             WHERE p.status = 'due' AND p.company_id = ANY(%(companies)s) %(partner_filter)s
            ON CONFLICT (company_id, partner_id, product_id, last_purchase_date) DO NOTHING
            RETURNING id
            """,
            companies=companies.ids, uid=self.env.uid,
            partner_filter=self.env["loyalty.repurchase.prediction"]._loyalty_partner_filter(
                "p.partner_id", partners),
        ))
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _loyalty_send_pending(self, companies, today, partners=None):
        """Send the pending reminders of the customers not reminded within the cap period:
        one message per customer for all their pending products. The rows are locked, so a
        second run at the same moment waits, then sends nothing."""
        self.env.cr.execute(SQL(
            """
            SELECT r.id
              FROM loyalty_repurchase_reminder r
              JOIN res_company c ON c.id = r.company_id
             WHERE r.state = 'pending' AND r.company_id = ANY(%(companies)s) %(partner_filter)s
               AND NOT EXISTS (
                   SELECT 1 FROM loyalty_repurchase_reminder s
                    WHERE s.company_id = r.company_id AND s.partner_id = r.partner_id
                      AND s.state IN ('sent', 'converted')
                      AND s.sent_at::date > %(today)s::date - c.loyalty_reminder_cap_days)
             ORDER BY r.company_id, r.partner_id, r.due_date, r.id
               FOR NO KEY UPDATE OF r
            """,
            companies=companies.ids, today=today,
            partner_filter=self.env["loyalty.repurchase.prediction"]._loyalty_partner_filter(
                "r.partner_id", partners),
        ))
        reminders = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not reminders:
            return reminders
        groups = defaultdict(lambda: self.browse())
        for reminder in reminders:
            groups[reminder.company_id, reminder.partner_id] |= reminder
        Partner = self.env["res.partner"]
        partners = reminders.partner_id
        reachable = {
            channel: Partner._loyalty_reminder_recipients(partners, channel)
            for channel in ("activity", "email")
        }
        salespeople = self._loyalty_salespeople(partners)
        now = fields.Datetime.now()
        activity_groups, mail_groups, unreachable = [], [], self.browse()
        for (company, partner), group in groups.items():
            channel = company.loyalty_reminder_channel
            by_activity = channel in ("activity", "both") and partner in reachable["activity"]
            by_mail = channel in ("email", "both") and partner in reachable["email"]
            if not (by_activity or by_mail):
                unreachable |= group
                continue
            lead = group[0]
            group.write({
                "state": "sent", "sent_at": now, "lead_id": lead.id,
                "user_id": (salespeople.get(partner.id)
                            or company.loyalty_reminder_user_id
                            or self.env.ref("base.user_admin")).id,
            })
            if by_activity:
                activity_groups.append(group)
            if by_mail:
                mail_groups.append(group)
        unreachable.write({"state": "cancelled", "cancel_reason": "not_contactable"})
        self._loyalty_create_activities(activity_groups)
        self._loyalty_send_mails(mail_groups)
        return reminders - unreachable

    @api.model
    def _loyalty_salespeople(self, partners):
        """The salesperson of each customer: their own, else their last order's (one query)."""
        # Inactive users (OdooBot, people who left) get no activity.
        result = {partner.id: partner.user_id for partner in partners if partner.user_id.active}
        missing = partners.filtered(lambda p: not p.user_id.active)
        if missing:
            self.env.cr.execute(SQL(
                """
                SELECT DISTINCT ON (p.commercial_partner_id) p.commercial_partner_id, so.user_id
                  FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                  JOIN res_users u ON u.id = so.user_id AND u.active AND NOT u.share
                 WHERE p.commercial_partner_id = ANY(%s) AND so.state = 'sale'
                 ORDER BY p.commercial_partner_id, so.date_order DESC, so.id DESC
                """,
                missing.ids,
            ))
            Users = self.env["res.users"]
            result.update({pid: Users.browse(uid) for pid, uid in self.env.cr.fetchall()})
        return result

    def _loyalty_products_text(self):
        return ", ".join(self.mapped("product_id.display_name"))

    @api.model
    def _loyalty_create_activities(self, groups):
        if not groups:
            return
        todo = self.env.ref("mail.mail_activity_data_todo")
        model = self.env["ir.model"]._get_id("res.partner")
        vals_list = []
        for group in groups:
            lead = group[0]
            env = self.with_context(lang=lead.user_id.lang or self.env.lang).env
            items = Markup("").join(
                Markup("<li>%s: %s</li>") % (
                    reminder.product_id.with_env(env).display_name,
                    env._("due %(date)s", date=format_date(env, reminder.due_date)),
                )
                for reminder in group
            )
            vals_list.append({
                "res_model_id": model, "res_id": lead.partner_id.id,
                "activity_type_id": todo.id, "user_id": lead.user_id.id,
                "date_deadline": min(group.mapped("due_date")),
                "summary": env._(
                    "Repurchase reminder: %(products)s",
                    products=group.with_env(env)._loyalty_products_text(),
                ),
                "note": Markup("<p>%s</p><ul>%s</ul>") % (env._("Time to buy again:"), items),
            })
        activities = self.env["mail.activity"].create(vals_list)
        for group, activity in zip(groups, activities, strict=False):
            group.write({"activity_id": activity.id})

    @api.model
    def _loyalty_send_mails(self, groups):
        """A draft quotation with the due products (the reorder link) and one e-mail per
        customer, rendered in the customer's language."""
        template = self.env.ref(
            "customer_loyalty.mail_template_repurchase_reminder", raise_if_not_found=False
        )
        if not groups or not template:
            return
        campaign = self.env.ref("customer_loyalty.utm_campaign_repurchase_reminders")
        source = self.env.ref("customer_loyalty.utm_source_repurchase_reminder")
        medium = self.env.ref("utm.utm_medium_email")
        orders = self.env["sale.order"]
        for company_groups in self._loyalty_by_company(groups).values():
            company = company_groups[0].company_id
            orders |= self.env["sale.order"].with_company(company).create([
                {
                    "partner_id": group.partner_id.id, "company_id": company.id,
                    "user_id": group[0].user_id.id,
                    "campaign_id": campaign.id, "source_id": source.id, "medium_id": medium.id,
                    "order_line": [
                        (0, 0, {"product_id": reminder.product_id.id,
                                "product_uom_qty": reminder.quantity or 1.0})
                        for reminder in group
                    ],
                }
                for group in company_groups
            ])
        for order in orders:
            order._portal_ensure_token()
        leads = self.browse([group[0].id for group in groups])
        ordered_groups = [g for cg in self._loyalty_by_company(groups).values() for g in cg]
        for group, order in zip(ordered_groups, orders, strict=True):
            group.write({"order_id": order.id})
        mails = template.send_mail_batch(
            leads.ids, email_layout_xmlid="customer_loyalty.mail_layout_reminder"
        )._loyalty_prepare_outgoing("reminder")
        mail_by_lead = {mail.res_id: mail for mail in mails}
        for group in groups:
            group.write({"mail_id": mail_by_lead.get(group[0].id, self.env["mail.mail"]).id})

    @api.model
    def _loyalty_by_company(self, groups):
        by_company = defaultdict(list)
        for group in groups:
            by_company[group.company_id].append(group)
        return by_company

    def _loyalty_reorder_url(self):
        """The e-mail's reorder link: the portal page of the draft quotation."""
        self.ensure_one()
        order = self.order_id
        return order.get_base_url() + order.get_portal_url() if order else False

    # ------------------------------------------------------------------
    # Conversion
    # ------------------------------------------------------------------

    @api.model
    def _loyalty_link_conversions(self, companies, partners=None):
        """The first order (Sales or POS) of a reminded customer within the company's window
        after the message converts all the message's reminders; a sales order without a
        campaign gets the "Repurchase reminders" campaign. Done by the daily run rather than
        at order confirmation, which stays free of any extra query (issue 8's benchmark)."""
        self.env.flush_all()
        campaign = self.env.ref("customer_loyalty.utm_campaign_repurchase_reminders")
        source = self.env.ref("customer_loyalty.utm_source_repurchase_reminder")
        self.env.cr.execute(SQL(
            """
            WITH sent AS (
                SELECT r.id AS lead_id, r.company_id, r.partner_id, r.sent_at,
                       r.sent_at + make_interval(days => c.loyalty_reminder_conversion_days)
                           AS window_end
                  FROM loyalty_repurchase_reminder r JOIN res_company c ON c.id = r.company_id
                 WHERE r.state = 'sent' AND r.id = r.lead_id
                   AND r.company_id = ANY(%(companies)s) %(partner_filter)s
            ),
            candidates AS (
                SELECT s.lead_id, so.date_order, so.id AS sale_id, NULL::int AS pos_id
                  FROM sent s
                  JOIN res_partner p ON p.commercial_partner_id = s.partner_id
                  JOIN sale_order so ON so.partner_id = p.id AND so.company_id = s.company_id
                 WHERE so.state = 'sale' AND so.date_order >= s.sent_at
                   AND so.date_order <= s.window_end
                 UNION ALL
                SELECT s.lead_id, po.date_order, NULL, po.id
                  FROM sent s
                  JOIN res_partner p ON p.commercial_partner_id = s.partner_id
                  JOIN pos_order po ON po.partner_id = p.id AND po.company_id = s.company_id
                 WHERE po.state IN ('paid', 'done', 'invoiced') AND po.amount_total > 0
                   AND po.date_order >= s.sent_at AND po.date_order <= s.window_end
            ),
            firsts AS (
                SELECT DISTINCT ON (lead_id) lead_id, sale_id, pos_id
                  FROM candidates ORDER BY lead_id, date_order, sale_id, pos_id
            )
            UPDATE loyalty_repurchase_reminder r
               SET state = 'converted', converted_order_id = f.sale_id,
                   converted_pos_order_id = f.pos_id,
                   write_date = NOW() AT TIME ZONE 'UTC', write_uid = %(uid)s
              FROM firsts f
             WHERE r.lead_id = f.lead_id AND r.state = 'sent'
            RETURNING r.id, f.sale_id, r.mail_id
            """,
            companies=companies.ids, uid=self.env.uid,
            partner_filter=self.env["loyalty.repurchase.prediction"]._loyalty_partner_filter(
                "r.partner_id", partners),
        ))
        rows = self.env.cr.fetchall()
        by_mail = {sale_id: bool(mail_id) for __, sale_id, mail_id in rows if sale_id}
        for has_mail in (True, False):
            sale_ids = [sid for sid, mailed in by_mail.items() if mailed == has_mail]
            if not sale_ids:
                continue
            medium = self.env.ref("utm.utm_medium_email" if has_mail else "utm.utm_medium_phone")
            self.env.cr.execute(SQL(
                """
                UPDATE sale_order SET campaign_id = %(campaign)s,
                       source_id = COALESCE(source_id, %(source)s),
                       medium_id = COALESCE(medium_id, %(medium)s)
                 WHERE id = ANY(%(ids)s) AND campaign_id IS NULL
                """,
                campaign=campaign.id, source=source.id, medium=medium.id, ids=sale_ids,
            ))
        self.env["sale.order"].invalidate_model(["campaign_id", "source_id", "medium_id"])
        self.invalidate_model()
        return self.browse([row[0] for row in rows])
