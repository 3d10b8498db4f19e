"""Expiry of member points: what expires soon (for the card and the warning e-mails), the daily
expiry lines and the warnings. The FIFO arithmetic is ``loyalty.history._loyalty_fifo_sql``
(``loyalty_history_fifo.py``); the lines move the balances as every ledger line does."""

# A class of its own on loyalty.card on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    # ------------------------------------------------------------------
    # Expiry (FIFO, computed by loyalty.history._loyalty_fifo_sql)
    # ------------------------------------------------------------------

    def _loyalty_expiring_points(self):
        """``{card_id: (points, first date)}`` expiring within the warning period."""
        result = {}
        if not self:
            return result
        History = self.env["loyalty.history"]
        History.flush_model()
        today = fields.Date.context_today(self)
        for program in self.program_id:
            cards = self.filtered(lambda c, p=program: c.program_id == p)
            if not program.points_validity_months:
                continue
            horizon = today + relativedelta(days=program.points_expiry_warning_days)
            self.env.cr.execute(History._loyalty_expiry_due_sql(horizon, card_ids=cards.ids))
            for card_id, points, first_date in self.env.cr.fetchall():
                result[card_id] = (points, first_date)
        return result

    @api.model
    def _cron_expire_points(self, batch_size=5000):
        """Write today's expiry lines of every membership card, set-wise. Idempotent: a second
        run the same day finds nothing left to expire; a run that stopped half-way (each batch
        is committed) is finished by the next one."""
        today = fields.Date.context_today(self)
        programs = (
            self.env["res.company"].sudo().search([]).loyalty_program_id
            .filtered("points_validity_months")
        )
        if not programs:
            return 0
        History = self.env["loyalty.history"].sudo().with_context(
            tracking_disable=True, loyalty_no_mail=True
        )
        History.flush_model()
        self.env.cr.execute(History._loyalty_expiry_due_sql(today, program_ids=programs.ids))
        rows = self.env.cr.fetchall()
        in_scheduler = bool(self.env.context.get("ir_cron_progress_id"))
        descriptions = {}  # in each member's language
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            cards = self.sudo().browse([row[0] for row in batch])
            for lang in set(cards.partner_id.mapped("lang")) | {self.env.lang}:
                if lang not in descriptions:
                    descriptions[lang] = self.with_context(lang=lang).env._("Points expired")
            lang_of = {card.id: card.partner_id.lang or self.env.lang for card in cards}
            # The ledger lines move the balances (one UPDATE for the whole batch).
            History.create(
                [
                    {
                        "card_id": card_id,
                        "entry_type": "expiry",
                        "used": round(points, 2),
                        "description": descriptions[lang_of[card_id]],
                    }
                    for card_id, points, _first in batch
                ]
            )
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
        upcoming expiry (``points_expiry_warned_until`` is the done marker), if they accept
        reminder e-mails."""
        today = fields.Date.context_today(self)
        programs = (
            self.env["res.company"].sudo().search([]).loyalty_program_id
            .filtered("points_validity_months")
        )
        template = self.env.ref(
            "customer_loyalty.mail_template_points_expiring", raise_if_not_found=False
        )
        warned = self.browse()
        History = self.env["loyalty.history"]
        History.flush_model()
        for program in programs:
            horizon = today + relativedelta(days=program.points_expiry_warning_days)
            self.env.cr.execute(History._loyalty_expiry_due_sql(horizon, program_ids=program.ids))
            first_dates = {card_id: first for card_id, _points, first in self.env.cr.fetchall()}
            cards = self.sudo().browse(
                card_id for card_id, first_date in first_dates.items() if first_date
            ).filtered(
                lambda c, dates=first_dates: not c.points_expiry_warned_until
                or c.points_expiry_warned_until < dates[c.id]
            )
            # Only the members who accept reminder e-mails (one query); the others are not
            # marked as warned, so that they are warned if they opt in again before it expires.
            allowed = self.env["res.partner"]._loyalty_contactable(
                cards.partner_id, "email", "reminder"
            )
            cards = cards.filtered(lambda c, allowed=allowed: c.partner_id in allowed)
            if template and cards:
                template.send_mail_batch(
                    cards.ids, email_layout_xmlid="customer_loyalty.mail_layout_reminder"
                )._loyalty_prepare_outgoing("reminder")
            cards.write({"points_expiry_warned_until": horizon})
            warned |= cards
        return warned
