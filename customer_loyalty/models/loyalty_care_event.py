import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

KINDS = [
    ("step", "Care step"),
    ("welcome_email", "Welcome e-mail"),
    ("welcome_call", "Welcome call"),
]
STATES = [("pending", "Pending"), ("done", "Done"), ("skipped", "Skipped")]
SKIP_REASONS = [
    ("no_consent", "No consent (opted out, blacklisted or no address)"),
    ("cancelled", "Order cancelled"),
    ("left_tier", "No longer in the tier"),
    ("no_template", "No e-mail template"),
]
# Order states that count as paid for the "POS order paid" trigger.
POS_PAID_STATES = ("paid", "done", "invoiced")


class LoyaltyCareEvent(models.Model):
    """The care journal: one row per care step and order, and per member welcome.

    Unique indexes make each step happen once per order (``(step, sale order)``, ``(step, POS
    order)``) and each welcome once per member (``(company, member)`` for the e-mail,
    ``(company, member, tier)`` for the call): the cron creates the rows with one
    ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` per trigger, so a second run, two runs at
    once or a run after a crash create nothing twice; a row is sent and marked done in the
    same transaction."""

    _name = "loyalty.care.event"
    _description = "After-Sales Care Event"
    _order = "due_date desc, id desc"

    kind = fields.Selection(KINDS, required=True, default="step", readonly=True, index=True)
    step_id = fields.Many2one(
        "loyalty.care.step", string="Care Step", readonly=True, index="btree_not_null",
        ondelete="cascade",
    )
    action = fields.Selection(related="step_id.action")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True,
        ondelete="cascade",
    )
    sale_order_id = fields.Many2one(
        "sale.order", string="Sales Order", readonly=True, index="btree_not_null",
        ondelete="cascade",
    )
    pos_order_id = fields.Many2one(
        "pos.order", string="POS Order", readonly=True, index="btree_not_null",
        ondelete="cascade",
    )
    order_name = fields.Char(string="Order", compute="_compute_order_name")
    card_id = fields.Many2one(
        "loyalty.card", string="Member Card", readonly=True, ondelete="cascade"
    )
    tier_id = fields.Many2one("loyalty.tier", readonly=True, ondelete="cascade")
    due_date = fields.Date(string="Due", required=True, readonly=True, index=True)
    state = fields.Selection(STATES, required=True, default="pending", readonly=True, index=True)
    skip_reason = fields.Selection(SKIP_REASONS, readonly=True)
    contacted_at = fields.Datetime(
        string="Contacted On", readonly=True,
        help="When the e-mail went out (its scheduled time in quiet hours), or the due date of "
        "the activity: the start of the window in which a later order is attributed to care.",
    )
    user_id = fields.Many2one("res.users", string="Assigned To", readonly=True)
    mail_id = fields.Many2one("mail.mail", string="E-mail", readonly=True, ondelete="set null")
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    campaign_id = fields.Many2one("utm.campaign", readonly=True, ondelete="set null")
    source_id = fields.Many2one("utm.source", readonly=True, ondelete="set null")
    medium_id = fields.Many2one("utm.medium", readonly=True, ondelete="set null")

    def init(self):
        cr = self.env.cr
        cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS loyalty_care_event_step_sale_uniq
                ON loyalty_care_event (step_id, sale_order_id)
        """)
        cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS loyalty_care_event_step_pos_uniq
                ON loyalty_care_event (step_id, pos_order_id)
        """)
        cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS loyalty_care_event_welcome_email_uniq
                ON loyalty_care_event (company_id, partner_id) WHERE kind = 'welcome_email'
        """)
        cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS loyalty_care_event_welcome_call_uniq
                ON loyalty_care_event (company_id, partner_id, tier_id)
             WHERE kind = 'welcome_call'
        """)

    @api.depends("sale_order_id.name", "pos_order_id.name")
    def _compute_order_name(self):
        for event in self:
            event.order_name = event.sale_order_id.name or event.pos_order_id.name or ""

    @api.depends("kind", "step_id.name", "order_name", "tier_id.name")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for event in self:
            what = event.step_id.name if event.kind == "step" else kinds[event.kind]
            detail = event.order_name or event.tier_id.name
            event.display_name = f"{what} ({detail})" if detail else what

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------

    @api.model
    def _cron_run_care(self, batch_size=500):
        """The hourly care run of every company (see ``_loyalty_care_run``)."""
        companies = self.env["res.company"].sudo().search([])
        return self.sudo()._loyalty_care_run(companies, batch_size=batch_size)

    @api.model
    def _loyalty_care_run(self, companies=None, today=None, batch_size=500):
        """Journal the care due for new orders and members of ``companies`` (default: all),
        skip what the cancelled orders no longer need, then do the due events in batches
        (committed one by one inside the scheduler). Returns {"created": events, "done":
        events, "skipped": events}."""
        # The journal is written by the run only (nobody has write access on it).
        self = self.sudo()
        today = today or fields.Date.context_today(self)
        companies = companies or self.env["res.company"].search([])
        created = (self._loyalty_create_step_events(companies)
                   | self._loyalty_create_welcome_events(companies))
        skipped = self._loyalty_skip_cancelled(companies)
        done = self.browse()
        in_scheduler = bool(self.env.context.get("ir_cron_progress_id"))
        while batch := self._loyalty_claim_due(companies, today, batch_size):
            batch_done, batch_skipped = batch._loyalty_process(today)
            done |= batch_done
            skipped |= batch_skipped
            if in_scheduler:
                self.env["ir.cron"]._notify_progress(done=len(batch), remaining=0)
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if len(batch) < batch_size:
                break
        _logger.info(
            "After-sales care: %s events created, %s done, %s skipped",
            len(created), len(done), len(skipped),
        )
        return {"created": created, "done": done, "skipped": skipped}

    @api.model
    def _loyalty_category_sql(self, line_table, order_alias):
        """True when the step ``s`` has no category, or the order has a line of one of its
        categories or their subcategories (``parent_path`` prefix)."""
        return SQL(
            """(NOT EXISTS (SELECT 1 FROM loyalty_care_step_product_category_rel r0
                             WHERE r0.step_id = s.id)
                OR EXISTS (
                   SELECT 1 FROM %(lines)s l
                     JOIN product_product pp ON pp.id = l.product_id
                     JOIN product_template pt ON pt.id = pp.product_tmpl_id
                     JOIN product_category pc ON pc.id = pt.categ_id
                     JOIN loyalty_care_step_product_category_rel r ON r.step_id = s.id
                     JOIN product_category sc ON sc.id = r.categ_id
                    WHERE l.order_id = %(order)s.id
                      AND pc.parent_path LIKE sc.parent_path || %(any)s))""",
            lines=SQL.identifier(line_table), order=SQL.identifier(order_alias), any="%",
        )

    @api.model
    def _loyalty_create_step_events(self, companies):
        """One pending event per active step and matching order, due the trigger's day plus
        the step's delay: one statement per kind of order, whatever their number."""
        self.env.flush_all()
        cr = self.env.cr
        common = SQL("'step', 'pending', %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC', "
                     "NOW() AT TIME ZONE 'UTC'", uid=self.env.uid)
        # The delivery date: the last done transfer of a fully delivered order; an order
        # without any transfer (services only) is delivered when confirmed.
        delivered = SQL("""
            CASE WHEN so.delivery_status = 'full'
                 THEN (SELECT max(p.date_done) FROM stock_picking p
                        WHERE p.sale_id = so.id AND p.state = 'done')
                 ELSE so.date_order END""")
        cr.execute(SQL(
            """
            INSERT INTO loyalty_care_event (
                step_id, company_id, partner_id, sale_order_id, due_date,
                kind, state, create_uid, write_uid, create_date, write_date)
            SELECT s.id, s.company_id, so.partner_id, so.id, base.at::date + s.delay_days,
                   %(common)s
              FROM loyalty_care_step s
              JOIN sale_order so ON so.company_id = s.company_id AND so.state = 'sale'
             CROSS JOIN LATERAL (
                   SELECT CASE WHEN s.trigger = 'sale_delivered' THEN %(delivered)s
                               ELSE so.date_order END AS at) base
             WHERE s.active AND s.trigger IN ('sale_confirmed', 'sale_delivered')
               AND s.company_id = ANY(%(companies)s)
               AND (s.trigger = 'sale_confirmed' OR so.delivery_status = 'full'
                    OR NOT EXISTS (SELECT 1 FROM stock_picking p WHERE p.sale_id = so.id))
               AND base.at >= s.date_from
               AND %(categories)s
            ON CONFLICT (step_id, sale_order_id) DO NOTHING
            RETURNING id
            """,
            common=common, delivered=delivered, companies=companies.ids,
            categories=self._loyalty_category_sql("sale_order_line", "so"),
        ))
        ids = [row[0] for row in cr.fetchall()]
        cr.execute(SQL(
            """
            INSERT INTO loyalty_care_event (
                step_id, company_id, partner_id, pos_order_id, due_date,
                kind, state, create_uid, write_uid, create_date, write_date)
            SELECT s.id, s.company_id, po.partner_id, po.id, po.date_order::date + s.delay_days,
                   %(common)s
              FROM loyalty_care_step s
              JOIN pos_order po ON po.company_id = s.company_id
             WHERE s.active AND s.trigger = 'pos_paid' AND s.company_id = ANY(%(companies)s)
               AND po.state IN %(paid)s AND po.amount_total > 0 AND po.partner_id IS NOT NULL
               AND po.date_order >= s.date_from
               AND %(categories)s
            ON CONFLICT (step_id, pos_order_id) DO NOTHING
            RETURNING id
            """,
            common=common, paid=POS_PAID_STATES, companies=companies.ids,
            categories=self._loyalty_category_sql("pos_order_line", "po"),
        ))
        ids += [row[0] for row in cr.fetchall()]
        return self.browse(ids)

    @api.model
    def _loyalty_skip_cancelled(self, companies):
        """The pending events of orders cancelled (or set back to quotation) meanwhile are
        skipped (one UPDATE)."""
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            UPDATE loyalty_care_event e
               SET state = 'skipped', skip_reason = 'cancelled',
                   write_date = NOW() AT TIME ZONE 'UTC', write_uid = %(uid)s
              FROM loyalty_care_event x
              LEFT JOIN sale_order so ON so.id = x.sale_order_id
              LEFT JOIN pos_order po ON po.id = x.pos_order_id
             WHERE e.id = x.id AND e.state = 'pending' AND e.kind = 'step'
               AND e.company_id = ANY(%(companies)s)
               AND (so.state IN ('draft', 'sent', 'cancel') OR po.state = 'cancel')
            RETURNING e.id
            """,
            uid=self.env.uid, companies=companies.ids,
        ))
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_model(["state", "skip_reason"])
        return self.browse(ids)

    @api.model
    def _loyalty_claim_due(self, companies, today, limit):
        """The next ``limit`` pending events due by ``today``, locked: a second run at the same
        moment waits, then finds them done."""
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            SELECT id FROM loyalty_care_event
             WHERE state = 'pending' AND due_date <= %(today)s
               AND company_id = ANY(%(companies)s)
             ORDER BY due_date, id
             LIMIT %(limit)s
               FOR NO KEY UPDATE
            """,
            today=today, limit=limit, companies=companies.ids,
        ))
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _loyalty_process(self, today):
        """Do these due events: e-mails in one batch per template, activities in one create.
        Returns (done, skipped)."""
        skipped = self.browse()
        left_tier = self.filtered(
            lambda e: e.kind == "welcome_call" and e.card_id.tier_id != e.tier_id
        )
        if left_tier:
            left_tier.write({"state": "skipped", "skip_reason": "left_tier"})
            skipped |= left_tier
        todo = self - left_tier
        mails = todo.filtered(
            lambda e: e.kind == "welcome_email" or (e.kind == "step" and e.action == "email")
        )
        activities = todo - mails
        Partner = self.env["res.partner"]
        by_mail = Partner._loyalty_contactable(mails.partner_id, "email", "service")
        by_call = self._loyalty_callable(activities.partner_id)
        no_consent = (
            mails.filtered(lambda e: e.partner_id not in by_mail)
            | activities.filtered(lambda e: e.partner_id not in by_call)
        )
        if no_consent:
            no_consent.write({"state": "skipped", "skip_reason": "no_consent"})
            skipped |= no_consent
        done = (mails - no_consent)._loyalty_send_mails()
        skipped |= (mails - no_consent) - done
        done |= (activities - no_consent)._loyalty_create_activities(today)
        return done, skipped

    @api.model
    def _loyalty_callable(self, partners):
        """The ``partners`` a salesperson may call or write for a care or welcome activity:
        not those whose phone is blacklisted or who opted out of membership and care calls
        (one without a phone still gets the activity: the salesperson may write)."""
        if not partners:
            return partners
        callable_ = self.env["res.partner"]._loyalty_contactable(partners, "call", "service")
        opt_outs = partners._loyalty_purpose_opt_outs()
        return partners.filtered(
            lambda partner: partner in callable_
            or (not partner.phone_sanitized
                and ("call", "service") not in opt_outs.get(partner.id, set()))
        )

    def _loyalty_utm(self, medium_xmlid):
        return {
            "campaign_id": self.env.ref("customer_loyalty.utm_campaign_after_sales_care").id,
            "medium_id": self.env.ref(medium_xmlid).id,
        }

    def _loyalty_send_mails(self):
        """Render and queue the e-mails of these events, one ``send_mail_batch`` per template
        (the care steps' templates render the event, the welcome template the member card with
        its PDF). Returns the events done."""
        now = fields.Datetime.now()
        done = self.browse()
        groups = defaultdict(lambda: self.browse())
        welcome = self.env.ref(
            "customer_loyalty.mail_template_loyalty_welcome", raise_if_not_found=False
        )
        for event in self:
            template = welcome if event.kind == "welcome_email" else event.step_id.mail_template_id
            groups[template] |= event
        utm = self._loyalty_utm("utm.utm_medium_email")
        welcome_source = self.env.ref("customer_loyalty.utm_source_loyalty_welcome")
        for template, events in groups.items():
            if not template:
                events.write({"state": "skipped", "skip_reason": "no_template"})
                continue
            on_cards = template.model == "loyalty.card"
            records = events.card_id if on_cards else events
            mails = template.send_mail_batch(
                records.ids, email_layout_xmlid="customer_loyalty.mail_layout_service"
            )._loyalty_prepare_outgoing("service")
            mail_of = {mail.res_id: mail for mail in mails}
            for event in events:
                mail = mail_of.get(event.card_id.id if on_cards else event.id)
                event.write({
                    **utm, "state": "done", "mail_id": mail.id if mail else False,
                    "source_id": (event.step_id.source_id or welcome_source).id,
                    "contacted_at": (mail.scheduled_date if mail else False) or now,
                })
            done |= events
        return done

    def _loyalty_assignees(self):
        """{event: user} who does each activity: the tier's account manager (welcome calls),
        the sales order's salesperson, else the customer's (their own or their last order's,
        as for repurchase reminders), else the company's default salesperson for reminders,
        else the administrator."""
        salespeople = self.env["loyalty.repurchase.reminder"]._loyalty_salespeople(
            self.partner_id
        )
        admin = self.env.ref("base.user_admin")
        result = {}
        for event in self:
            order_user = event.sale_order_id.user_id
            result[event] = (
                (event.kind == "welcome_call" and event.tier_id.welcome_user_id)
                or (order_user if order_user.active and not order_user.share else False)
                or salespeople.get(event.partner_id.id)
                or event.company_id.loyalty_reminder_user_id
                or admin
            )
        return result

    def _loyalty_activity_values(self, user):
        """The activity of this event, in the language of the user who will do it."""
        self.ensure_one()
        env = self.with_context(lang=user.lang or self.env.lang).env
        if self.kind == "welcome_call":
            return {
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "summary": env._("Welcome call: new %(tier)s member",
                                 tier=self.tier_id.with_env(env).name),
                "note": Markup("<p>%s</p>") % env._(
                    "Welcome %(member)s to the %(tier)s tier and present its perks.",
                    member=self.partner_id.name, tier=self.tier_id.with_env(env).name,
                ),
            }
        step = self.step_id.with_env(env)
        return {
            "activity_type_id": step.activity_type_id.id,
            "summary": step.activity_summary or env._(
                "%(step)s: %(order)s", step=step.name, order=self.order_name
            ),
            "note": step.note or False,
        }

    def _loyalty_create_activities(self, today):
        """The activities of these events in one ``create``: on the sales order for its steps,
        on the customer otherwise (POS orders and welcome calls). Returns the events done."""
        if not self:
            return self
        assignees = self._loyalty_assignees()
        models_ = {
            name: self.env["ir.model"]._get_id(name) for name in ("sale.order", "res.partner")
        }
        vals_list = []
        for event in self:
            record = event.sale_order_id or event.partner_id
            vals_list.append({
                **event._loyalty_activity_values(assignees[event]),
                "res_model_id": models_[record._name], "res_id": record.id,
                "user_id": assignees[event].id,
                "date_deadline": max(event.due_date, today),
            })
        activities = self.env["mail.activity"].create(vals_list)
        utm = self._loyalty_utm("utm.utm_medium_phone")
        welcome_source = self.env.ref("customer_loyalty.utm_source_loyalty_welcome")
        for event, activity in zip(self, activities, strict=True):
            event.write({
                **utm, "state": "done", "activity_id": activity.id,
                "user_id": activity.user_id.id,
                "source_id": (event.step_id.source_id or welcome_source).id,
                "contacted_at": fields.Datetime.to_datetime(activity.date_deadline),
            })
        return self

    @api.model
    def _loyalty_action_for(self, domain):
        """The Care Events list limited to ``domain`` (the smart buttons)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_loyalty.action_loyalty_care_event"
        )
        action["domain"] = domain
        action["context"] = {}
        return action

    def _loyalty_products_text(self):
        """The products of the event's order, for the e-mails (no reward or section lines)."""
        self.ensure_one()
        if self.sale_order_id:
            lines = self.sale_order_id.order_line.filtered(
                lambda line: line.product_id and not line.display_type and not line.reward_id
            )
        else:
            lines = self.pos_order_id.lines.filtered(
                lambda line: line.product_id and not line.reward_id
            )
        return ", ".join(lines.product_id.mapped("display_name"))
