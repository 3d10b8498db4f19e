import base64
import contextlib
import contextvars
import io
import logging
import secrets
from datetime import date

import psycopg2
import qrcode
import qrcode.image.pil
from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare

_logger = logging.getLogger(__name__)

# Set by the server-side flows that move member points with their own ledger lines (sales
# order confirmation and cancellation, POS sync). A context variable, not an RPC context key:
# a caller cannot switch it on from the outside.
_POINTS_FLOW = contextvars.ContextVar("loyalty_points_flow", default=False)


@contextlib.contextmanager
def loyalty_points_flow():
    """Allow the points of member cards to be written by the enclosed server-side flow."""
    token = _POINTS_FLOW.set(True)
    try:
        yield
    finally:
        _POINTS_FLOW.reset(token)

# Fields of a membership card that only Loyalty Managers (or the system) may change.
PROTECTED_MEMBER_FIELDS = {"tier_id", "code", "partner_id", "program_id", "company_id"}


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    is_membership = fields.Boolean(
        string="Membership Card", compute="_compute_is_membership", search="_search_is_membership"
    )
    tier_id = fields.Many2one(
        "loyalty.tier", index=True, tracking=True, ondelete="restrict", copy=False
    )
    tier_color = fields.Integer(related="tier_id.color", string="Tier Color")
    tier_since = fields.Datetime(copy=False, readonly=True)
    tier_downgrade_date = fields.Date(
        string="Downgrade On",
        copy=False,
        readonly=True,
        help="The member no longer qualifies for the tier; unless the member qualifies again, "
        "the tier is lowered on this date (end of the grace period).",
    )
    tier_reviewed_date = fields.Date(copy=False, readonly=True, index=True)  # the daily review
    program_id = fields.Many2one(index=True)  # crons and member look-ups filter on it
    tier_history_ids = fields.One2many("loyalty.tier.history", "card_id")

    def _compute_is_membership(self):
        for card in self:
            card.is_membership = card.program_id.is_membership_program

    def _search_is_membership(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        positive = (operator == "=") == value
        return [("program_id.is_membership_program", "=", positive)]

    # ------------------------------------------------------------------
    # Codes, creation and protection
    # ------------------------------------------------------------------

    @api.model
    def _generate_membership_code(self):
        """An unguessable card code: Odoo's ``044`` barcode prefix (so the POS ``coupon``
        barcode rule recognises it) followed by 80 random bits from ``secrets``."""
        return "044" + secrets.token_hex(10)

    @api.model_create_multi
    def create(self, vals_list):
        membership = self.env["res.company"].sudo().search([]).loyalty_program_id
        for vals in vals_list:
            if vals.get("program_id") in membership.ids and not vals.get("code"):
                vals["code"] = self._generate_membership_code()
        cards = super().create(vals_list)
        members = cards.filtered(lambda c: c.program_id in membership and c.partner_id)
        if members:
            members._check_one_membership_per_partner()
            members.sudo()._loyalty_update_tiers(
                reason=self.env.context.get("loyalty_tier_reason", "manual"), note=_("Enrolment")
            )
        return cards

    def write(self, vals):
        if PROTECTED_MEMBER_FIELDS & set(vals) and not self._loyalty_is_privileged():
            if self.filtered("is_membership"):
                raise AccessError(
                    _("Only Loyalty Managers can change the tier, code or holder of a member card.")
                )
        if (
            "points" in vals
            and not _POINTS_FLOW.get()
            and not self._loyalty_is_privileged()
            and self.filtered("is_membership")
        ):
            raise AccessError(
                _(
                    "Salespeople and cashiers cannot change a member's points. A Loyalty "
                    "Manager can adjust them with “Update Balance”."
                )
            )
        # A manager setting a tier by hand (import, RPC) is recorded like the engine's changes.
        manual_tier = "tier_id" in vals and not self.env.context.get("loyalty_tier_engine")
        if manual_tier:
            new_tier = self.env["loyalty.tier"].browse(vals["tier_id"])
            changes = [(card, card.tier_id, new_tier) for card in self.filtered("is_membership")
                       if card.tier_id != new_tier]
            vals = {key: value for key, value in vals.items() if key != "tier_id"}
        res = super().write(vals) if vals else True
        if manual_tier and changes:
            self._loyalty_apply_tier_changes(changes, reason="manual")
        if {"partner_id", "program_id"} & set(vals):
            self.filtered("is_membership")._check_one_membership_per_partner()
        return res

    def _loyalty_is_privileged(self):
        return (
            self.env.su
            or self.env.uid == SUPERUSER_ID
            or self.env.user.has_group("customer_loyalty.group_loyalty_manager")
        )

    def _check_one_membership_per_partner(self):
        if not self:
            return
        groups = self.with_context(active_test=False)._read_group(
            [
                ("program_id", "in", self.program_id.ids),
                ("partner_id", "in", self.partner_id.ids),
            ],
            ["program_id", "partner_id"],
            ["__count"],
        )
        for program, partner, count in groups:
            if count > 1:
                raise ValidationError(
                    _(
                        "%(partner)s already holds a card of the membership program "
                        "“%(program)s”: a member has one card per company.",
                        partner=partner.display_name,
                        program=program.name,
                    )
                )

    # ------------------------------------------------------------------
    # Points ledger: sums, locks, pending and expiring points
    # ------------------------------------------------------------------

    points_pending = fields.Float(
        compute="_compute_points_ledger",
        help="Points earned on recent orders, not spendable before the end of the return window.",
    )
    points_available = fields.Float(compute="_compute_points_ledger", string="Spendable Points")
    points_expiring = fields.Float(
        compute="_compute_points_ledger",
        string="Expiring Soon",
        help="Points that expire within the program's warning period.",
    )
    points_expiring_date = fields.Date(compute="_compute_points_ledger", string="Next Expiry")
    points_expiry_warned_until = fields.Date(copy=False, readonly=True)

    def _compute_points_ledger(self):
        members = self.filtered(lambda c: c.id and c.is_membership)
        pending = members._loyalty_pending_points()
        expiring = members._loyalty_expiring_points()
        for card in self:
            card.points_pending = pending.get(card.id, 0.0)
            card.points_available = card.points - card.points_pending
            card.points_expiring, card.points_expiring_date = expiring.get(card.id, (0.0, False))

    def _loyalty_lock(self):
        """Lock the cards' rows until the end of the transaction, so that two transactions
        spending the same points are serialised, and re-read their balance."""
        if not self.ids:
            return
        timeout = self.env.context.get("loyalty_lock_timeout", "10s")
        cr = self.env.cr
        # A lock that cannot be had aborts the transaction: the UserError rolls it back.
        cr.execute(SQL("SET LOCAL lock_timeout = %s", timeout))
        try:
            cr.execute(
                SQL(
                    "SELECT id FROM loyalty_card WHERE id IN %s ORDER BY id FOR UPDATE",
                    tuple(self.ids),
                )
            )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                _("This member card is being used in another transaction. Please try again.")
            ) from None
        cr.execute("SET LOCAL lock_timeout = DEFAULT")
        self.invalidate_recordset(["points"])

    def _loyalty_ledger_sums(self):
        """``{card_id: sum(issued - used)}`` of the cards' ledgers, in one query."""
        self.env["loyalty.history"].flush_model(["card_id", "issued", "used"])
        self.env.cr.execute(
            SQL(
                "SELECT card_id, SUM(COALESCE(issued, 0) - COALESCE(used, 0)) "
                "FROM loyalty_history WHERE card_id IN %s "
                "GROUP BY card_id",
                tuple(self.ids) or (0,),
            )
        )
        return dict(self.env.cr.fetchall())

    def _loyalty_sync_points(self):
        """Make each card's balance equal to its ledger (after a flow that wrote ledger lines
        itself), without mail tracking noise."""
        sums = self._loyalty_ledger_sums()
        for card in self:
            balance = sums.get(card.id, 0.0)
            if float_compare(card.points, balance, precision_digits=2):
                card.sudo().with_context(tracking_disable=True).points = balance

    def _loyalty_pending_points(self):
        if not self:
            return {}
        self.env["loyalty.history"].flush_model()
        today = fields.Date.context_today(self)
        self.env.cr.execute(self.env["loyalty.history"]._loyalty_pending_sql(self.ids, today))
        pending = dict(self.env.cr.fetchall())
        return {
            card.id: min(max(pending.get(card.id, 0.0) or 0.0, 0.0), max(card.points, 0.0))
            for card in self
        }

    # Expiry (FIFO) ------------------------------------------------------------------
    #
    # Points are consumed oldest first. By a date D, the points that must have expired in all
    # are max(already expired, issued on lines expiring by D - everything consumed); the expiry
    # line of the day is the difference. This needs three sums per card, one query for all.

    @api.model
    def _loyalty_expiry_sql(self, date, card_ids=None, program_ids=None):
        """Per card: the points due to have expired by ``date``, consumed, already expired, and
        the first expiry date after today up to ``date``. The points an order gave are one
        batch (what it earned, less what its cancellation or refunds took back), expiring with
        the order's line; other points (adjustments, redemptions given back) are batches of
        their own. Consumption (redemptions, negative adjustments) eats the oldest first."""
        today = fields.Date.context_today(self)
        where = SQL("card.id IN %s", tuple(card_ids)) if card_ids else SQL(
            "card.program_id IN %s", tuple(program_ids)
        )
        return SQL(
            """
            WITH lines AS (
                SELECT h.card_id, h.entry_type, h.order_model, h.order_id, h.expiry_date,
                       COALESCE(h.issued, 0) AS issued, COALESCE(h.used, 0) AS used
                  FROM loyalty_history h
                  JOIN loyalty_card card ON card.id = h.card_id
                 WHERE %(where)s
            ), batches AS (
                SELECT card_id,
                       MAX(CASE WHEN entry_type = 'order' THEN expiry_date END) AS expiry_date,
                       GREATEST(SUM(CASE entry_type WHEN 'order' THEN issued
                                                    WHEN 'reversal' THEN -used
                                                    WHEN 'refund' THEN issued - used
                                                    ELSE 0 END), 0) AS points
                  FROM lines
                 WHERE order_model IS NOT NULL AND entry_type IN ('order', 'reversal', 'refund')
                 GROUP BY card_id, order_model, order_id
                 UNION ALL
                SELECT card_id, expiry_date, issued
                  FROM lines
                 WHERE issued > 0 AND entry_type IN ('reversal', 'adjustment', 'other')
            ), due AS (
                SELECT card_id,
                       SUM(CASE WHEN expiry_date <= %(date)s THEN points ELSE 0 END) AS due,
                       MIN(CASE WHEN points > 0 AND expiry_date > %(today)s
                                AND expiry_date <= %(date)s THEN expiry_date END) AS first_date
                  FROM batches
                 GROUP BY card_id
            ), spent AS (
                SELECT card_id,
                       SUM(CASE WHEN entry_type IN ('order', 'adjustment', 'other')
                                THEN used ELSE 0 END) AS consumed,
                       SUM(CASE WHEN entry_type = 'expiry' THEN used ELSE 0 END) AS expired
                  FROM lines
                 GROUP BY card_id
            )
            SELECT due.card_id, due.due, spent.consumed, spent.expired, due.first_date
              FROM due
              JOIN spent ON spent.card_id = due.card_id
             WHERE due.due - spent.consumed - spent.expired > 0.005
            """,
            date=date,
            today=today,
            where=where,
        )

    def _loyalty_expired_share(self, order_model, order_ids):
        """``{order_id: points of that order's batch that already expired}`` for this card,
        allocating consumption then expiry to the batches oldest first (the FIFO of the expiry
        cron), so that a cancellation or a refund never takes back points that expired."""
        self.ensure_one()
        batches = {}  # key -> [expiry_date, points]
        consumed = expired = 0.0
        for line in self.history_ids.sorted("id"):
            issued, used = line.issued or 0.0, line.used or 0.0
            if line.entry_type in ("order", "reversal", "refund") and line.order_model:
                batch = batches.setdefault((line.order_model, line.order_id), [False, 0.0])
                if line.entry_type == "order":
                    batch[0] = max(filter(None, (batch[0], line.expiry_date)), default=False)
                    batch[1] += issued
                    consumed += used
                elif line.entry_type == "reversal":
                    batch[1] -= used
                    if issued:
                        batches[("reversal", line.id)] = [line.expiry_date, issued]
                else:
                    batch[1] += issued - used
            elif line.entry_type == "expiry":
                expired += used
            else:
                consumed += used
                if issued:
                    batches[("line", line.id)] = [line.expiry_date, issued]
        share = {}
        for key, (_expiry, points) in sorted(
            batches.items(), key=lambda item: (item[1][0] or date.max, str(item[0]))
        ):
            points = max(points, 0.0)
            eaten = min(points, consumed)
            consumed -= eaten
            lost = min(points - eaten, expired)
            expired -= lost
            if key[0] == order_model and key[1] in order_ids:
                share[key[1]] = lost
        return share

    def _loyalty_expiring_points(self):
        """``{card_id: (points, first date)}`` expiring within the warning period."""
        result = {}
        if not self:
            return result
        self.env["loyalty.history"].flush_model()
        today = fields.Date.context_today(self)
        for program in self.program_id:
            cards = self.filtered(lambda c, p=program: c.program_id == p)
            if not program.points_validity_months:
                continue
            horizon = today + relativedelta(days=program.points_expiry_warning_days)
            self.env.cr.execute(self._loyalty_expiry_sql(horizon, card_ids=cards.ids))
            for card_id, due, consumed, expired, first_date in self.env.cr.fetchall():
                result[card_id] = (due - consumed - expired, first_date)
        return result

    @api.model
    def _cron_expire_points(self, batch_size=5000):
        """Write today's expiry lines of every membership card, set-wise. Idempotent: a second
        run the same day finds nothing left to expire."""
        today = fields.Date.context_today(self)
        programs = (
            self.env["res.company"].sudo().search([]).loyalty_program_id
            .filtered("points_validity_months")
        )
        if not programs:
            return 0
        self.env["loyalty.history"].flush_model()
        self.env.cr.execute(self._loyalty_expiry_sql(today, program_ids=programs.ids))
        rows = self.env.cr.fetchall()
        History = self.env["loyalty.history"].sudo().with_context(tracking_disable=True)
        in_scheduler = bool(self.env.context.get("ir_cron_progress_id"))
        description = _("Points expired")
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            History.create(
                [
                    {
                        "card_id": card_id,
                        "entry_type": "expiry",
                        "used": round(due - consumed - expired, 2),
                        "description": description,
                    }
                    for card_id, due, consumed, expired, _first in batch
                ]
            )
            # Balances follow the ledger in one statement (no per-card write, no tracking).
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE loyalty_card card SET points = card.points - v.amount
                      FROM (VALUES %s) AS v(id, amount) WHERE card.id = v.id
                    """,
                    SQL(", ").join(
                        SQL("(%s, %s::numeric)", card_id, round(due - consumed - expired, 2))
                        for card_id, due, consumed, expired, _first in batch
                    ),
                )
            )
            self.browse([row[0] for row in batch]).invalidate_recordset(["points"])
            if in_scheduler:
                self.env["ir.cron"]._notify_progress(
                    done=len(batch), remaining=max(len(rows) - start - len(batch), 0)
                )
                self.env.cr.commit()  # pylint: disable=invalid-commit
        _logger.info("Points expiry: %s card(s)", len(rows))
        return len(rows)

    @api.model
    def _cron_warn_expiring_points(self):
        """E-mail members whose points expire within the program's warning period, once per
        upcoming expiry (``points_expiry_warned_until`` is the done marker)."""
        today = fields.Date.context_today(self)
        programs = (
            self.env["res.company"].sudo().search([]).loyalty_program_id
            .filtered("points_validity_months")
        )
        template = self.env.ref(
            "customer_loyalty.mail_template_points_expiring", raise_if_not_found=False
        )
        warned = self.browse()
        self.env["loyalty.history"].flush_model()
        for program in programs:
            horizon = today + relativedelta(days=program.points_expiry_warning_days)
            self.env.cr.execute(self._loyalty_expiry_sql(horizon, program_ids=program.ids))
            first_dates = {row[0]: row[4] for row in self.env.cr.fetchall()}
            cards = self.sudo().browse(
                card_id
                for card_id, first_date in first_dates.items()
                if first_date
            ).filtered(
                lambda c, dates=first_dates: c.partner_id.email
                and (not c.points_expiry_warned_until
                     or c.points_expiry_warned_until < dates[c.id])
            )
            for card in cards:
                if template:
                    template.send_mail(card.id, email_layout_xmlid="mail.mail_notification_light")
            cards.write({"points_expiry_warned_until": horizon})
            warned |= cards
        return warned

    # ------------------------------------------------------------------
    # QR code, printed card, "Send Card", replacement of a lost card
    # ------------------------------------------------------------------

    # Not stored: a PNG of a few hundred bytes is rebuilt in about a millisecond from the code, so
    # storing one per member would only add attachments to keep in step with the code (a
    # replacement changes it) for no gain; it is only read on one card at a time (form, report,
    # portal), never in lists.
    qr_code = fields.Binary(
        string="QR Code",
        compute="_compute_qr_code",
        help="The card number as a QR code: scanned at the counter like the printed card.",
    )
    revoked_code_ids = fields.One2many(
        "loyalty.card.revoked", "card_id", string="Revoked Codes", readonly=True
    )

    @api.depends("code", "program_id")
    def _compute_qr_code(self):
        for card in self:
            card.qr_code = (
                base64.b64encode(self._loyalty_qr_png(card.code))
                if card.code and card.is_membership
                else False
            )

    @api.model
    def _loyalty_qr_png(self, value, box_size=10, border=4):
        """PNG bytes of a QR code of ``value`` (medium error correction: a worn card still
        scans)."""
        qr = qrcode.QRCode(
            error_correction=qrcode.constants.ERROR_CORRECT_M,
            box_size=box_size,
            border=border,
            image_factory=qrcode.image.pil.PilImage,
        )
        qr.add_data(value)
        qr.make(fit=True)
        stream = io.BytesIO()
        qr.make_image().save(stream, format="PNG")
        return stream.getvalue()

    @api.constrains("code")
    def _check_code_not_revoked(self):
        codes = [card.code for card in self if card.code]
        if not codes:
            return
        revoked = self.env["loyalty.card.revoked"].sudo().search([("code", "in", codes)], limit=1)
        if revoked:
            raise ValidationError(
                _(
                    "The card code %(code)s was revoked and cannot be used again. "
                    "Leave the code empty to get a new one.",
                    code=revoked.code,
                )
            )

    def _loyalty_check_members(self):
        if not self:
            raise UserError(_("Select at least one membership card."))
        if others := self.filtered(lambda card: not card.is_membership):
            raise UserError(
                _(
                    "These cards are not member cards: %(codes)s",
                    codes=", ".join(others.mapped("code")),
                )
            )

    def action_loyalty_print_card(self):
        """Print the member cards in ``self`` (credit-card size PDF)."""
        self._loyalty_check_members()
        return self.env.ref("customer_loyalty.action_report_member_card").report_action(self)

    def action_loyalty_send_card(self):
        """Open the e-mail composer with the member card (PDF and QR code) for its holder."""
        self.ensure_one()
        self._loyalty_check_members()
        if not self.partner_id:
            raise UserError(_("This member card has no holder to send it to."))
        if not self.has_access("write"):
            # Posting on a document needs write access on it: salespeople, cashiers and Loyalty
            # Managers have it; read-only Loyalty Users would only fail in the composer.
            raise AccessError(
                _(
                    "You cannot send member cards: ask a salesperson, a cashier or a Loyalty "
                    "Manager to send it."
                )
            )
        template = self.env.ref(
            "customer_loyalty.mail_template_member_card", raise_if_not_found=False
        )
        compose_form = self.env.ref("mail.email_compose_message_wizard_form")
        return {
            "name": _("Send Member Card"),
            "type": "ir.actions.act_window",
            "view_mode": "form",
            "res_model": "mail.compose.message",
            "views": [(compose_form.id, "form")],
            "target": "new",
            "context": {
                "default_model": "loyalty.card",
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "force_email": True,
            },
        }

    def action_loyalty_replace_card(self):
        """Open the wizard that replaces a lost, stolen or damaged member card."""
        self._loyalty_check_members()
        if not self._loyalty_is_privileged():
            raise AccessError(_("Only Loyalty Managers can replace a member card."))
        return {
            "name": _("Replace Member Card"),
            "type": "ir.actions.act_window",
            "res_model": "loyalty.card.replace",
            "view_mode": "form",
            "target": "new",
            "context": {"default_card_ids": self.ids},
        }

    def _loyalty_replace_card(self, reason="lost", note=False):
        """Revoke the code of each member card in ``self`` and give the card a new one.

        The revoked code is kept in ``loyalty.card.revoked`` (so that it is recognised as revoked
        when presented again, see :meth:`_loyalty_find_by_code`); the card record, its points,
        tier and ledger stay as they are. Loyalty Managers only: like any change of a card's
        code, and because whoever replaces a card decides which physical card works.
        Returns ``{card: old_code}``."""
        self._loyalty_check_members()
        if not self._loyalty_is_privileged():
            raise AccessError(_("Only Loyalty Managers can replace a member card."))
        Revoked = self.env["loyalty.card.revoked"].sudo()
        reasons = dict(Revoked._fields["reason"]._description_selection(self.env))
        old_codes = {card: card.code for card in self}
        Revoked.create(
            [
                {
                    "card_id": card.id,
                    "code": code,
                    "reason": reason,
                    "note": note,
                    "user_id": self.env.uid,
                }
                for card, code in old_codes.items()
                if code
            ]
        )
        for card, old_code in old_codes.items():
            card.sudo().write({"code": self._generate_membership_code()})
            body = _(
                "Member card replaced (%(reason)s): code %(old)s revoked, new code %(new)s.",
                reason=reasons[reason],
                old=old_code or _("none"),
                new=card.code,
            )
            if note:
                body = f"{body} {note}"
            card.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        _logger.info("Member cards replaced: %s (%s)", self.ids, reason)
        return old_codes

    @api.model
    def _loyalty_find_by_code(self, code):
        """Find the member card of a code presented at the counter (typed or scanned).

        Returns ``{'card': card, 'revoked': bool}``: ``card`` is the active member card holding
        ``code`` (searched with the caller's access rights and companies), or an empty recordset;
        ``revoked`` tells that ``code`` is a revoked code of a member card of the caller's
        companies (``card`` is then empty: a revoked code never opens the card), so that the
        caller can tell "revoked" from "unknown"."""
        Card = self.env["loyalty.card"]
        code = (code or "").strip()
        if not code:
            return {"card": Card, "revoked": False}
        # Codes are issued in lower case; a code typed in upper case is the same code.
        codes = list({code, code.lower()})
        card = Card.search([("code", "in", codes), ("is_membership", "=", True)], limit=1)
        if card:
            return {"card": card, "revoked": False}
        revoked = self.env["loyalty.card.revoked"].sudo().search_count(
            [("code", "in", codes), ("company_id", "in", self.env.companies.ids)], limit=1
        )
        return {"card": Card, "revoked": bool(revoked)}
