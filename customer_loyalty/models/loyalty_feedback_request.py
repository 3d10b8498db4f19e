import logging
import secrets
from collections import defaultdict
from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, plaintext2html

_logger = logging.getLogger(__name__)

SCALES = [
    ("csat", "CSAT (satisfaction, 1-5)"),
    ("nps", "NPS (recommendation, 0-10)"),
    ("ces", "CES (effort, 1-7)"),
]
# The answers each scale accepts, and the answers that call for a call back.
SCALE_RANGE = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
LOW_SCORE = {"csat": lambda s: s <= 2, "nps": lambda s: s <= 6, "ces": lambda s: s >= 5}
TRIGGERS = [
    ("sale", "After a sale"),
    ("return", "After a return"),
    ("support", "After a support case"),
]
STATES = [
    ("sent", "Sent"),
    ("answered", "Answered"),
    ("expired", "Expired"),
    ("skipped", "Not Sent (consent)"),
]
# The documents a request may follow, and the field of the request that points to each.
ORIGIN_FIELDS = {
    "sale.order": "sale_order_id",
    "pos.order": "pos_order_id",
    "account.move": "move_id",
    "crm.lead": "lead_id",
}


def _new_token():
    # As unguessable as rating's uuid4 tokens (256 bits), URL-safe.
    return secrets.token_urlsafe(32)


class LoyaltyFeedbackRequest(models.Model):
    """A question (CSAT, NPS or CES) put to a customer about one document: a sales order, a
    POS order, a credit note or POS refund (CES after a return) or a lead (CES after a support
    case). One row per document and scale (a unique constraint: the daily run inserts with
    ``ON CONFLICT DO NOTHING``, so two runs, or two at once, ask once). The customer answers
    without logging in through ``/loyalty/feedback/<access_token>``; the answer is written
    once (an UPDATE guarded by the state). A low score gives a "Call back" activity to a
    manager, due the next day."""

    _name = "loyalty.feedback.request"
    _description = "Customer Feedback Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sent_date desc, id desc"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True,
        ondelete="cascade",
    )
    scale = fields.Selection(SCALES, required=True, readonly=True)
    trigger = fields.Selection(TRIGGERS, string="Asked", required=True, readonly=True)
    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Document ID", model_field="res_model", required=True, readonly=True
    )
    sale_order_id = fields.Many2one("sale.order", string="Sales Order", readonly=True,
                                    index="btree_not_null", ondelete="cascade")
    pos_order_id = fields.Many2one("pos.order", string="POS Order", readonly=True,
                                   index="btree_not_null", ondelete="cascade")
    move_id = fields.Many2one("account.move", string="Credit Note", readonly=True,
                              index="btree_not_null", ondelete="cascade")
    lead_id = fields.Many2one("crm.lead", readonly=True,
                              index="btree_not_null", ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    pos_config_id = fields.Many2one("pos.config", string="Shop", readonly=True)
    tier_id = fields.Many2one(
        "loyalty.tier", string="Tier at Order", readonly=True,
        help="The customer's membership tier on the document's date (from the tier history, "
        "else the member's current tier); empty for customers who were not members.",
    )
    document_date = fields.Datetime(readonly=True)
    state = fields.Selection(STATES, required=True, default="sent", readonly=True, index=True)
    sent_date = fields.Datetime(readonly=True)
    expiry_date = fields.Datetime(
        readonly=True, help="The link refuses answers after this date."
    )
    answer_date = fields.Datetime(readonly=True)
    score = fields.Integer(readonly=True, aggregator=False)
    comment = fields.Text(readonly=True)
    is_low_score = fields.Boolean(string="Low Score", readonly=True)
    access_token = fields.Char(readonly=True, copy=False, groups="base.group_system",
                               default=lambda self: _new_token())

    _sql_constraints = [
        ("document_scale_unique", "UNIQUE(res_model, res_id, scale)",
         "A customer is asked each question once per document."),
        ("access_token_unique", "UNIQUE(access_token)", "The feedback links must be unique."),
    ]

    @api.depends("res_model", "res_id")
    def _compute_display_name(self):
        # The document's name (the e-mail's header reads "Your Customer Feedback Request
        # S00042"), read once per model.
        names = {}
        by_model = {}
        for request in self:
            by_model.setdefault(request.res_model, set()).add(request.res_id)
        for model, ids in by_model.items():
            if model in self.env:
                for record in self.env[model].sudo().browse(ids).exists():
                    names[(model, record.id)] = record.display_name
        for request in self:
            request.display_name = names.get((request.res_model, request.res_id)) or ""

    # ------------------------------------------------------------------
    # The daily run
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_feedback_requests(self):
        """Ask the questions due (set-wise, per company), send their e-mails, expire the
        links past their date. Idempotent: a document is asked each scale once."""
        now = fields.Datetime.now()
        self.flush_model()
        self.env.cr.execute(SQL(
            "UPDATE loyalty_feedback_request SET state = 'expired' "
            "WHERE state = 'sent' AND expiry_date < %s", now,
        ))
        self.invalidate_model(["state"])
        companies = self.env["res.company"].sudo().search([("loyalty_feedback_enabled", "=", True)])
        for company in companies:
            self._loyalty_run(company, now)

    @api.model
    def _loyalty_run(self, company, now=None):
        """Ask and e-mail the questions due in ``company``; returns the new requests."""
        now = now or fields.Datetime.now()
        new = self.sudo().browse(self._loyalty_insert_requests(company, now))
        if new:
            new._loyalty_send()
            _logger.info("Feedback requests: %s asked for %s", len(new), company.name)
        return new

    @api.model
    def _loyalty_candidates_sql(self, company, now):
        """The (document, scale) pairs due in ``company``: one SELECT per kind of document,
        with the customer, salesperson, team, shop and date of each."""
        since = now - timedelta(days=company.loyalty_feedback_delay_days
                                + company.loyalty_feedback_lookback_days)
        until = now - timedelta(days=company.loyalty_feedback_delay_days)
        sale_scales = [s for s, on in (("csat", company.loyalty_feedback_csat),
                                       ("nps", company.loyalty_feedback_nps)) if on]
        queries = []
        if sale_scales:
            queries.append(SQL(
                """SELECT 'sale.order' AS res_model, so.id AS res_id, 'sale' AS trigger,
                          so.partner_id, so.user_id, so.team_id, NULL::integer AS pos_config_id,
                          so.date_order AS document_date, so.id AS sale_order_id,
                          NULL::integer AS pos_order_id, NULL::integer AS move_id,
                          scale
                     FROM sale_order so, unnest(%(scales)s::varchar[]) scale
                    WHERE so.company_id = %(company)s AND so.state = 'sale'
                      AND so.date_order BETWEEN %(since)s AND %(until)s""",
                scales=sale_scales, company=company.id, since=since, until=until,
            ))
            queries.append(SQL(
                """SELECT 'pos.order', po.id, 'sale', po.partner_id, po.user_id,
                          NULL::integer, po.config_id, po.date_order, NULL::integer, po.id,
                          NULL::integer, scale
                     FROM pos_order po, unnest(%(scales)s::varchar[]) scale
                    WHERE po.company_id = %(company)s AND po.partner_id IS NOT NULL
                      AND po.state IN ('paid', 'done', 'invoiced')
                      AND po.date_order BETWEEN %(since)s AND %(until)s
                      AND NOT EXISTS (SELECT 1 FROM pos_order_line l
                                       WHERE l.order_id = po.id
                                         AND l.refunded_orderline_id IS NOT NULL)""",
                scales=sale_scales, company=company.id, since=since, until=until,
            ))
        if company.loyalty_feedback_ces_returns:
            queries.append(SQL(
                """SELECT 'pos.order', po.id, 'return', po.partner_id, po.user_id,
                          NULL::integer, po.config_id, po.date_order, NULL::integer, po.id,
                          NULL::integer, 'ces'
                     FROM pos_order po
                    WHERE po.company_id = %(company)s AND po.partner_id IS NOT NULL
                      AND po.state IN ('paid', 'done', 'invoiced')
                      AND po.date_order BETWEEN %(since)s AND %(until)s
                      AND EXISTS (SELECT 1 FROM pos_order_line l
                                   WHERE l.order_id = po.id
                                     AND l.refunded_orderline_id IS NOT NULL)""",
                company=company.id, since=since, until=until,
            ))
            queries.append(SQL(
                """SELECT 'account.move', am.id, 'return', am.partner_id, am.invoice_user_id,
                          am.team_id, NULL::integer,
                          COALESCE(am.invoice_date::timestamp, am.create_date), NULL::integer,
                          NULL::integer, am.id, 'ces'
                     FROM account_move am
                    WHERE am.company_id = %(company)s AND am.move_type = 'out_refund'
                      AND am.state = 'posted' AND am.partner_id IS NOT NULL
                      AND COALESCE(am.invoice_date::timestamp, am.create_date)
                          BETWEEN %(since)s AND %(until)s""",
                company=company.id, since=since, until=until,
            ))
        return SQL(" UNION ALL ").join(queries) if queries else None

    @api.model
    def _loyalty_insert_requests(self, company, now, candidates=None):
        """Insert the requests of ``candidates`` (an SQL SELECT of the columns of
        ``_loyalty_candidates_sql``; by default the company's due ones) that do not exist yet,
        with the tier of the customer on the document's date. Returns the new ids."""
        candidates = candidates or self._loyalty_candidates_sql(company, now)
        if candidates is None:
            return []
        self.env.flush_all()
        rows = self.env.cr.execute(SQL(
            """
            WITH due AS (%(candidates)s)
            SELECT due.*, COALESCE(past.new_tier_id, current_card.tier_id) AS tier_id
              FROM due
              LEFT JOIN LATERAL (
                    SELECT h.new_tier_id FROM loyalty_tier_history h
                     WHERE h.partner_id = due.partner_id AND h.company_id = %(company)s
                       AND h.date <= due.document_date
                       -- not the upgrade the order itself earned
                       AND COALESCE(h.sale_order_id != due.sale_order_id, TRUE)
                       AND COALESCE(h.pos_order_id != due.pos_order_id, TRUE)
                     ORDER BY h.date DESC, h.id DESC LIMIT 1
              ) past ON TRUE
              LEFT JOIN LATERAL (
                    SELECT card.tier_id FROM loyalty_card card
                     WHERE card.partner_id = due.partner_id AND card.company_id = %(company)s
                       AND card.is_membership
                       AND NOT EXISTS (
                            SELECT 1 FROM loyalty_tier_history h2 WHERE h2.card_id = card.id)
                     ORDER BY card.id LIMIT 1
              ) current_card ON TRUE
             WHERE NOT EXISTS (
                    SELECT 1 FROM loyalty_feedback_request r
                     WHERE r.res_model = due.res_model AND r.res_id = due.res_id
                       AND r.scale = due.scale)
            """,
            candidates=candidates, company=company.id,
        ))
        rows = self.env.cr.dictfetchall()
        if not rows:
            return []
        expiry = now + timedelta(days=company.loyalty_feedback_expiry_days)
        values = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "%s, %s, %s, %s)",
                company.id, row["partner_id"], row["scale"], row["trigger"], row["res_model"],
                row["res_id"], row["sale_order_id"], row["pos_order_id"], row["move_id"],
                row.get("lead_id"), row["user_id"], row["team_id"], row["pos_config_id"],
                row["tier_id"], row["document_date"], "sent", now, expiry, _new_token(),
                self.env.uid, now, now,
            )
            for row in rows
        )
        # ON CONFLICT: another run inserting the same request at the same time waits for it
        # and then skips it.
        self.env.cr.execute(SQL(
            """
            INSERT INTO loyalty_feedback_request
                   (company_id, partner_id, scale, trigger, res_model, res_id, sale_order_id,
                    pos_order_id, move_id, lead_id, user_id, team_id, pos_config_id, tier_id,
                    document_date, state, sent_date, expiry_date, access_token, create_uid,
                    create_date, write_date)
            VALUES %s
            ON CONFLICT (res_model, res_id, scale) DO NOTHING
            RETURNING id
            """,
            values,
        ))
        return [row[0] for row in self.env.cr.fetchall()]

    def _loyalty_send(self):
        """E-mail the new requests ``self``: one e-mail per document with all its questions,
        to the customers who accept membership and care e-mails; the others' requests are
        marked "Not sent"."""
        Partner = self.env["res.partner"]
        allowed = Partner._loyalty_contactable(self.partner_id, "email", "service")
        skipped = self.filtered(lambda r: r.partner_id not in allowed)
        skipped.write({"state": "skipped", "expiry_date": False})
        to_send = self - skipped
        firsts = self.browse()
        seen = set()
        for request in to_send.sorted("id"):
            key = (request.res_model, request.res_id)
            if key not in seen:
                seen.add(key)
                firsts |= request
        template = self.env.ref("customer_loyalty.mail_template_feedback_request",
                                raise_if_not_found=False)
        if template and firsts:
            template.send_mail_batch(
                firsts.ids, email_layout_xmlid="customer_loyalty.mail_layout_service"
            )._loyalty_prepare_outgoing("service")

    def _loyalty_mail_requests(self):
        """The requests of this one's document sent with it, in the order of the questions."""
        self.ensure_one()
        order = {key: index for index, (key, _label) in enumerate(SCALES)}
        siblings = self.search([
            ("res_model", "=", self.res_model), ("res_id", "=", self.res_id),
            ("state", "=", "sent"),
        ])
        return siblings.sorted(lambda r: order[r.scale])

    def _loyalty_answer_url(self, score=None):
        self.ensure_one()
        url = f"{self.get_base_url()}/loyalty/feedback/{self.sudo().access_token}"
        return f"{url}?score={score}" if score is not None else url

    def _loyalty_scale_values(self):
        self.ensure_one()
        low, high = SCALE_RANGE[self.scale]
        return list(range(low, high + 1))

    def _loyalty_question(self):
        """The question and the labels of both ends of the scale, in the current language."""
        self.ensure_one()
        company = self.company_id.name
        if self.scale == "csat":
            return (_("How satisfied are you with your purchase at %(company)s?", company=company),
                    _("Very dissatisfied"), _("Very satisfied"))
        if self.scale == "nps":
            return (_("How likely are you to recommend %(company)s to a friend or colleague?",
                      company=company),
                    _("Not at all likely"), _("Extremely likely"))
        return (_("How easy was it to get your issue handled by %(company)s?", company=company),
                _("Very easy"), _("Very difficult"))

    # ------------------------------------------------------------------
    # The answer
    # ------------------------------------------------------------------

    def _loyalty_is_expired(self):
        self.ensure_one()
        return self.state == "expired" or (
            self.state == "sent" and self.expiry_date and self.expiry_date < fields.Datetime.now()
        )

    def _loyalty_record_answer(self, score, comment=None):
        """Record the customer's answer to this request, once: returns False when it was
        answered already (also by a concurrent submit), expired or never sent. A low score
        gives a "Call back" activity to a manager, due tomorrow."""
        self.ensure_one()
        low, high = SCALE_RANGE[self.scale]
        if not isinstance(score, int) or not low <= score <= high:
            raise UserError(_("Choose a score from %(low)s to %(high)s.", low=low, high=high))
        if self._loyalty_is_expired():
            return False
        comment = (comment or "").strip()[:2000] or None
        is_low = LOW_SCORE[self.scale](score)
        now = fields.Datetime.now()
        self.flush_recordset()
        # The state in the WHERE clause makes a second submit (or two at once) write nothing.
        self.env.cr.execute(SQL(
            """UPDATE loyalty_feedback_request
                  SET state = 'answered', score = %s, comment = %s, answer_date = %s,
                      is_low_score = %s, write_date = %s
                WHERE id = %s AND state = 'sent'
            RETURNING id""",
            score, comment, now, is_low, now, self.id,
        ))
        if not self.env.cr.fetchone():
            return False
        self.invalidate_recordset()
        if is_low:
            self._loyalty_schedule_callback()
        return True

    def _loyalty_feedback_manager(self):
        """Who calls the customer back: the leader of the document's sales team, else the
        company's feedback manager, else its first loyalty manager."""
        self.ensure_one()
        leader = self.team_id.user_id
        if leader and leader.active and self.company_id in leader.company_ids:
            return leader
        if self.company_id.loyalty_feedback_manager_id:
            return self.company_id.loyalty_feedback_manager_id
        group = self.env.ref("customer_loyalty.group_loyalty_manager")
        return self.env["res.users"].sudo().search([
            ("groups_id", "in", group.ids), ("share", "=", False), ("id", "!=", SUPERUSER_ID),
            ("company_ids", "in", self.company_id.ids),
        ], order="id", limit=1) or self.env.ref("base.user_admin")

    def _loyalty_schedule_callback(self):
        self.ensure_one()
        activity_type = self.env.ref("customer_loyalty.mail_activity_type_feedback_callback")
        scales = dict(self._fields["scale"]._description_selection(self.env))
        note = plaintext2html(_(
            "%(customer)s gave %(score)s to %(scale)s.", customer=self.partner_id.name,
            score=self.score, scale=scales[self.scale],
        ))
        if self.comment:
            note += plaintext2html(self.comment)
        # One call back per document: a second low score of the same visit joins the first.
        siblings = self.sudo().search([
            ("res_model", "=", self.res_model), ("res_id", "=", self.res_id), ("id", "!=", self.id),
        ])
        open_callback = siblings.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )[:1]
        if open_callback:
            open_callback.note = (open_callback.note or "") + note
            return open_callback
        # Assigned by OdooBot, not by the public user of the link.
        return self.with_user(SUPERUSER_ID).activity_schedule(
            activity_type_id=activity_type.id,
            date_deadline=fields.Date.context_today(self) + timedelta(days=1),
            summary=_("Call back an unhappy customer"),
            note=note,
            user_id=self._loyalty_feedback_manager().id,
        )

    # ------------------------------------------------------------------
    # Asking by hand
    # ------------------------------------------------------------------

    @api.model
    def _loyalty_ask(self, records, scale, trigger):
        """Ask ``scale`` about ``records`` (sales orders, POS orders or leads) now, once per
        document. The caller checks the user's rights on the records."""
        field = ORIGIN_FIELDS[records._name]
        now = fields.Datetime.now()
        by_company = defaultdict(list)
        for record in records:
            if not record.partner_id:
                raise UserError(_("%(document)s has no customer to ask.",
                                  document=record.display_name))
            by_company[record.company_id or self.env.company].append(record)
        new_ids = []
        for company, docs in by_company.items():
            rows = SQL(" UNION ALL ").join(
                SQL(
                    "SELECT %s::varchar AS res_model, %s::integer AS res_id, "
                    "%s::varchar AS trigger, %s::integer AS partner_id, "
                    "%s::integer AS user_id, %s::integer AS team_id, "
                    "%s::integer AS pos_config_id, %s::timestamp AS document_date, "
                    "%s::integer AS sale_order_id, %s::integer AS pos_order_id, "
                    "NULL::integer AS move_id, %s::integer AS lead_id, %s::varchar AS scale",
                    doc._name, doc.id, trigger, doc.partner_id.id, doc.user_id.id or None,
                    (doc.team_id.id if "team_id" in doc._fields else None) or None,
                    (doc.config_id.id if doc._name == "pos.order" else None),
                    doc.date_order if "date_order" in doc._fields else doc.create_date,
                    doc.id if field == "sale_order_id" else None,
                    doc.id if field == "pos_order_id" else None,
                    doc.id if field == "lead_id" else None, scale,
                )
                for doc in docs
            )
            new_ids += self.sudo()._loyalty_insert_requests(company, now, rows)
        new = self.sudo().browse(new_ids)
        new._loyalty_send()
        return new

    @api.model
    def _loyalty_demo_answer(self, sale_order_id, scores, comment):
        """Demo data: the customer of a sales order answers its requests."""
        requests = self.sudo().search([("sale_order_id", "=", sale_order_id)])
        for request in requests:
            if request.scale in scores:
                request._loyalty_record_answer(scores[request.scale], comment)
