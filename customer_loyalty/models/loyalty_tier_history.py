import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class LoyaltyTierHistory(models.Model):
    """One change of a member's tier. Written by the tier engine only; never edited."""

    _name = "loyalty.tier.history"
    _description = "Membership Tier Change"
    _order = "date desc, id desc"

    card_id = fields.Many2one("loyalty.card", required=True, index=True, ondelete="cascade")
    # Precomputed: written by the line's INSERT (no UPDATE of a new line at the flush).
    partner_id = fields.Many2one(
        related="card_id.partner_id", store=True, index=True, precompute=True
    )
    company_id = fields.Many2one(
        related="card_id.company_id", store=True, index=True, precompute=True
    )
    old_tier_id = fields.Many2one("loyalty.tier", string="From Tier", ondelete="restrict")
    new_tier_id = fields.Many2one("loyalty.tier", string="To Tier", ondelete="restrict")
    direction = fields.Selection(
        [("enrol", "Enrolment"), ("up", "Upgrade"), ("down", "Downgrade")],
        compute="_compute_direction",
        store=True,
        precompute=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    reason = fields.Selection(
        [("order", "Order"), ("cron", "Scheduled review"), ("manual", "Manual")],
        required=True,
    )
    sale_order_id = fields.Many2one("sale.order", string="Order", ondelete="set null")
    pos_order_id = fields.Many2one("pos.order", string="POS Order", ondelete="set null")
    user_id = fields.Many2one("res.users", string="By", default=lambda self: self.env.user)
    note = fields.Char()
    # The upgrade e-mail is rendered by a cron triggered at once (see _cron_send_upgrade_mails),
    # not in the confirmation that upgraded the member: rendering it was the largest part of an
    # upgrading confirmation. This is the "done" marker of that cron.
    upgrade_mail_pending = fields.Boolean(copy=False, readonly=True)

    @api.depends("old_tier_id", "new_tier_id")
    def _compute_direction(self):
        for line in self:
            if not line.old_tier_id:
                line.direction = "enrol"
            elif line.new_tier_id._rank_key() > line.old_tier_id._rank_key():
                line.direction = "up"
            else:
                line.direction = "down"

    @api.model
    def _cron_send_upgrade_mails(self, batch_size=200):
        """Queue the upgrade e-mail of each tier change waiting for one, in batches committed one
        by one inside the scheduler, to the members who accept e-mails about their membership
        (``res.partner._loyalty_contactable``; the others are skipped). Idempotent: a line is
        sent once (its marker is cleared in the transaction that queues its e-mail). Returns
        the number of tier changes handled."""
        template = self.env.ref(
            "customer_loyalty.mail_template_tier_upgrade", raise_if_not_found=False
        )
        lines = self.sudo()
        in_scheduler = bool(self.env.context.get("ir_cron_progress_id"))
        domain = [("upgrade_mail_pending", "=", True)]
        sent = 0
        Partner = self.env["res.partner"]
        while batch := lines.search(domain, order="id", limit=batch_size):
            # Only to the members who accept membership e-mails (one query per batch).
            allowed = Partner._loyalty_contactable(batch.partner_id, "email", "service")
            to_send = batch.filtered(lambda line, allowed=allowed: line.partner_id in allowed)
            if template and to_send:
                template.send_mail_batch(
                    to_send.ids, email_layout_xmlid="customer_loyalty.mail_layout_service"
                )._loyalty_prepare_outgoing("service")
            batch.write({"upgrade_mail_pending": False})
            sent += len(batch)
            if in_scheduler:
                self.env["ir.cron"]._notify_progress(
                    done=len(batch), remaining=lines.search_count(domain)
                )
                self.env.cr.commit()  # pylint: disable=invalid-commit
        _logger.info("Membership tiers: %s upgrade e-mail(s) queued", sent)
        return sent
