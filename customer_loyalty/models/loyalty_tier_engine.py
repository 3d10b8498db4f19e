"""The tier engine: which membership tier each member card qualifies for, set-wise.

The rules are the tiers' (``loyalty.tier``: metric, threshold, rolling window, grace period);
this file applies them to a set of cards: the metric queries, the upgrades at confirmation, the
grace periods and downgrades of the daily review, and the history and notifications of a change.
"""

# A second class on loyalty.card on purpose: one concern per file (see STYLE.md, "Splitting a
# large model by concern"); codes, QR codes and replacement stay in loyalty_card.py.
# pylint: disable=consider-merging-classes-inherited

import json
import logging
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .loyalty_tier import LADDER_FIELDS

_logger = logging.getLogger(__name__)

# Metrics a confirmation can add its order to (the points earned depend on the ledger).
INCREMENTAL_METRICS = ("spend", "orders")


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    # What the engine knows of each member's metrics: ``{"<metric>:<months>": [value, computed
    # at, valid until]}``, the value over the window ending at "computed at", valid until a
    # counted order leaves the window. A confirmation adds its order to it instead of querying
    # the member's year of orders (see _loyalty_tier_metric); the daily review recomputes it from
    # scratch, and what changes the past (cancellation, credit note, POS order or refund, a new
    # holder) forgets it (_loyalty_tier_metric_forget). System only: it is the member's spend.
    tier_metric_cache = fields.Json(copy=False, readonly=True, groups="base.group_system")

    # ------------------------------------------------------------------
    # The holder's tier on the contact (res.partner.loyalty_tier_id)
    # ------------------------------------------------------------------

    def write(self, vals):
        moving = {"partner_id", "active"} & set(vals)
        before = {
            card: (card.partner_id, card.active, card.company_id)
            for card in self.filtered("is_membership")
        } if moving else {}
        res = super().write(vals)
        if before:
            self._loyalty_move_partner_tiers(before)
        return res

    def unlink(self):
        before = {
            card: (card.partner_id, card.active, card.company_id)
            for card in self.filtered("is_membership")
        }
        res = super().unlink()
        self._loyalty_move_partner_tiers(before, deleted=True)
        return res

    def _loyalty_move_partner_tiers(self, before, deleted=False):
        """The contact's tier follows the member card: a card archived, deleted or given to
        another holder takes its tier from the former holder; the new holder (or the holder of
        a card restored) gets the card's tier. ``before``: ``{card: (holder, active, company)}``
        before the change."""
        clear, give = defaultdict(lambda: self.env["res.partner"]), []
        for card, (old_partner, was_active, company) in before.items():
            partner, active = (
                (self.env["res.partner"], False) if deleted else (card.partner_id, card.active)
            )
            if old_partner and was_active and (old_partner != partner or not active):
                clear[company] |= old_partner
            if partner and active and (partner != old_partner or not was_active):
                give.append(card)
            if partner != old_partner and not deleted:
                # The metrics were the former holder's orders.
                card.sudo().with_context(tracking_disable=True).tier_metric_cache = False
        for company, partners in clear.items():
            partners.sudo().with_company(company).write({"loyalty_tier_id": False})
        for card in give:
            card.partner_id.sudo().with_company(card.company_id).write(
                {"loyalty_tier_id": card.tier_id.id}
            )

    # ------------------------------------------------------------------
    # Tier engine (set-wise): metrics
    # ------------------------------------------------------------------

    def _loyalty_metric_sql(self, metric, date_from):
        """SQL giving ``(card_id, value, date)`` rows of ``metric`` since ``date_from`` for the
        cards in ``self``; ``date`` is when the row entered the window (it leaves it ``window``
        later). Meant to be extended (e.g. by a POS bridge) with ``UNION ALL`` of other sources;
        rows for the same card are added up."""
        card_ids = tuple(self.ids)
        if metric in ("spend", "orders"):
            value = (
                SQL("so.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1)")
                if metric == "spend"
                else SQL("1")
            )
            # Posted credit notes lower the spend, in the currency of their order, by at most the
            # order's total; a fully refunded order no longer counts as an order.
            refund_value = (
                SQL(
                    "-LEAST(rf.amount, so.amount_total) / COALESCE(NULLIF(so.currency_rate, 0), 1)"
                )
                if metric == "spend"
                else SQL("CASE WHEN rf.amount >= so.amount_total - 0.005 THEN -1 ELSE 0 END")
            )
            pos_value = (
                SQL("po.amount_total / COALESCE(NULLIF(po.currency_rate, 0), 1)")
                if metric == "spend"
                # a POS refund is not an order; it lowers the spend only
                else SQL("CASE WHEN po.amount_total > 0 THEN 1 ELSE 0 END")
            )
            # Orders of the member and of the member's contacts (children) count, from Sales
            # and from the Point of Sale alike. The member's contacts are found once (a CTE
            # used twice is materialised), which also halves the planning time of the query.
            return SQL(
                """
                WITH member_contacts AS (
                    SELECT card.id AS card_id, card.company_id, op.id AS partner_id
                      FROM loyalty_card card
                      JOIN res_partner op
                        ON op.id = card.partner_id OR op.parent_id = card.partner_id
                     WHERE card.id IN %(card_ids)s
                ), member_orders AS (
                    SELECT mc.card_id, so.id, so.amount_total, so.currency_rate, so.date_order
                      FROM member_contacts mc
                      JOIN sale_order so
                        ON so.partner_id = mc.partner_id AND so.company_id = mc.company_id
                     WHERE so.state = 'sale'
                       AND so.date_order >= %(date_from)s
                ), refunds AS (
                    SELECT lines.order_id, SUM(lines.price_total) AS amount
                      FROM (
                        SELECT DISTINCT sol.order_id, aml.id, aml.price_total
                          FROM member_orders mo
                          JOIN sale_order_line sol ON sol.order_id = mo.id
                          JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                          JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                          JOIN account_move am ON am.id = aml.move_id
                         WHERE am.move_type = 'out_refund'
                           AND am.state = 'posted'
                           AND aml.display_type = 'product'
                      ) lines
                     GROUP BY lines.order_id
                )
                SELECT so.card_id, %(value)s AS value, so.date_order AS date
                  FROM member_orders so
                 UNION ALL
                SELECT so.card_id, %(refund_value)s AS value, so.date_order AS date
                  FROM member_orders so
                  JOIN refunds rf ON rf.order_id = so.id
                 UNION ALL
                SELECT mc.card_id, %(pos_value)s AS value, po.date_order AS date
                  FROM member_contacts mc
                  JOIN pos_order po
                    ON po.partner_id = mc.partner_id AND po.company_id = mc.company_id
                 WHERE po.state IN ('paid', 'done', 'invoiced')
                   AND po.date_order >= %(date_from)s
                """,
                value=value,
                refund_value=refund_value,
                pos_value=pos_value,
                card_ids=card_ids,
                date_from=date_from,
            )
        if metric == "points":
            # Points earned on orders, less what cancellations and refunds took back; manual
            # gifts and given-back redemptions are not "earned". Pending points count unless the
            # program says otherwise.
            return SQL(
                """
                SELECT hist.card_id AS card_id,
                       CASE hist.entry_type
                            WHEN 'order' THEN COALESCE(hist.issued, 0)
                            WHEN 'reversal' THEN -COALESCE(hist.used, 0)
                            WHEN 'refund' THEN COALESCE(hist.issued, 0) - COALESCE(hist.used, 0)
                            ELSE 0 END AS value,
                       hist.create_date AS date
                  FROM loyalty_history hist
                  JOIN loyalty_card card ON card.id = hist.card_id
                  JOIN loyalty_program prog ON prog.id = card.program_id
                 WHERE hist.card_id IN %(card_ids)s
                   AND hist.create_date >= %(date_from)s
                   AND (prog.points_pending_count_for_tier
                        OR hist.entry_type <> 'order'
                        OR hist.available_date IS NULL
                        OR hist.available_date <= %(today)s)
                """,
                card_ids=card_ids,
                date_from=date_from,
                today=fields.Date.context_today(self),
            )
        raise ValueError(f"unknown tier metric {metric!r}")

    def _loyalty_metric_rows(self, metric, date_from):
        """Return ``{card_id: (value, first date)}`` of ``metric`` since ``date_from`` (the first
        date is that of the oldest row counted), in one query."""
        if not self:
            return {}
        # Only what the metric queries read, not the whole environment.
        for model in (
            "sale.order", "sale.order.line", "account.move", "account.move.line", "pos.order",
            "loyalty.history", "loyalty.card", "res.partner",
        ):
            self.env[model].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT card_id, SUM(value), MIN(date) FROM (%s) AS src GROUP BY card_id",
                self._loyalty_metric_sql(metric, date_from),
            )
        )
        return {
            card_id: (value or 0.0, first) for card_id, value, first in self.env.cr.fetchall()
        }

    def _loyalty_metric_values(self, metric, date_from):
        """Return ``{card_id: value}`` of ``metric`` since ``date_from``, in one query."""
        return {
            card_id: value
            for card_id, (value, _first) in self._loyalty_metric_rows(metric, date_from).items()
        }

    def _loyalty_tier_metric(self, metric, months, now, order=None):
        """Return ``{card_id: value}`` of ``metric`` over the ``months`` before ``now``, and
        keep it in ``tier_metric_cache``.

        With ``order`` (a sales order just confirmed), a card whose known value is still valid
        gets the order added to it, without a query: the value is valid when it was computed
        before ``now``, no order it counts has left the window since, and ``order`` was
        confirmed after it was computed (so it is not counted yet; a cancellation or a credit
        note forgets the value, so an order confirmed again is recounted in full). Spend and
        number of orders only: the points earned depend on the ledger and are always queried.
        The other cards are queried in one go (the whole window, from scratch)."""
        key = f"{metric}:{months}"
        window = relativedelta(months=months)
        now_text = fields.Datetime.to_string(now)
        values, known, stale = {}, {}, self.browse()
        for card in self.sudo():
            entry = (card.tier_metric_cache or {}).get(key)
            added = card._loyalty_tier_metric_add(entry, metric, window, now, order)
            if added is None:
                stale |= card
            else:
                values[card.id] = added[0]
                if added != entry:
                    known[card] = added
        rows = stale._loyalty_metric_rows(metric, now - window) if stale else {}
        for card in stale:
            value, first = rows.get(card.id, (0.0, None))
            values[card.id] = value
            # The oldest row leaves the window a window after it entered it (a day earlier,
            # for months of unequal length): the value is valid until then.
            until = first + window - relativedelta(days=1) if first else None
            if metric in INCREMENTAL_METRICS:  # the others are always queried: nothing to keep
                known[card] = [value, now_text, until and fields.Datetime.to_string(until)]
        if known:
            self._loyalty_store_tier_metrics(
                {card: dict(card.tier_metric_cache or {}, **{key: entry})
                 for card, entry in known.items()}
            )
        return values

    def _loyalty_store_tier_metrics(self, caches):
        """Write ``{card: tier_metric_cache}`` in one statement, and into the ORM cache. SQL
        rather than the ORM: the field is the engine's bookkeeping (no write date, no tracking,
        none of loyalty.card's write checks), written at every confirmation."""
        cards = self.browse([card.id for card in caches])
        # A value written through the ORM and not flushed yet would overwrite this one.
        cards.flush_recordset(["tier_metric_cache"])
        field = self._fields["tier_metric_cache"]
        self.env.cr.execute(
            SQL(
                "UPDATE loyalty_card card SET tier_metric_cache = v.cache::jsonb "
                "FROM (VALUES %s) AS v(id, cache) WHERE card.id = v.id",
                SQL(", ").join(
                    SQL("(%s, %s)", card.id, json.dumps(cache)) for card, cache in caches.items()
                ),
            )
        )
        self.env.cache.update(
            cards, field, [field.convert_to_cache(cache, card) for card, cache in caches.items()]
        )

    def _loyalty_tier_metric_add(self, entry, metric, window, now, order):
        """The cache ``entry`` of this card brought to ``now`` with ``order`` added, or None when
        it cannot be (see :meth:`_loyalty_tier_metric`)."""
        if not entry or not order or order._name != "sale.order":
            return None
        if metric not in INCREMENTAL_METRICS:
            return None
        value, computed, until = entry
        computed = fields.Datetime.to_datetime(computed)
        until = until and fields.Datetime.to_datetime(until)
        if computed > now or (until and until <= now):
            return None
        partner = order.partner_id
        if order.company_id != self.company_id or self.partner_id not in (
            partner | partner.parent_id
        ):
            return entry  # not one of the member's orders: nothing changes
        if order.state != "sale" or not order.date_order or order.date_order <= computed:
            return None  # perhaps counted already
        amount = (
            order.amount_total / (order.currency_rate or 1.0) if metric == "spend" else 1.0
        )
        leaves = order.date_order + window - relativedelta(days=1)
        until = min(until, leaves) if until else leaves
        return [value + amount, fields.Datetime.to_string(now), fields.Datetime.to_string(until)]

    @api.model
    def _loyalty_tier_metric_forget(self, orders):
        """Forget the known tier metrics of the members that ``orders`` (sales or POS orders,
        or empty) count for: the next tier update recomputes them. Called where the past of an
        order changes (cancellation, credit note, POS order or refund)."""
        partners = orders.partner_id | orders.partner_id.parent_id
        if not partners:
            return
        cards = self.sudo().search(
            [("partner_id", "in", partners.ids), ("company_id", "in", orders.company_id.ids)]
        ).filtered("tier_metric_cache")
        if cards:
            cards.tier_metric_cache = False

    def _loyalty_qualified_tiers(self, now=None, order=None):
        """Return ``{card: tier}``: the highest tier each membership card qualifies for now
        (an empty recordset when it qualifies for none). One query per (metric, window) in use,
        none for the cards whose metric is known and ``order`` (just confirmed) adds to."""
        now = now or fields.Datetime.now()
        cards = self.filtered(lambda c: c.partner_id)
        result = dict.fromkeys(self, self.env["loyalty.tier"])
        tiers = self._loyalty_company_tiers(cards.company_id)
        values_cache = {}
        for card_company in cards.company_id:
            company_cards = cards.filtered(lambda c, co=card_company: c.company_id == co)
            ladder = tiers.filtered(lambda t, co=card_company: t.company_id == co).sorted(
                lambda t: t._rank_key()
            )
            for tier in ladder:
                key = (tier.metric, tier.window_months, card_company.id)
                if key not in values_cache:
                    values_cache[key] = company_cards._loyalty_tier_metric(
                        tier.metric, tier.window_months, now, order=order
                    )
                values = values_cache[key]
                for card in company_cards:
                    if values.get(card.id, 0.0) >= tier.threshold - 1e-6:
                        result[card] = tier  # ladder is ascending: the last one wins
        return result

    @api.model
    def _loyalty_company_tiers(self, companies):
        """The (active) tiers of ``companies``, with what the ladder and the points multiplier
        read already in the cache: the ladder is cached per company
        (``loyalty.tier._loyalty_ladder_rows``), so a confirmation reads it without a query.
        With ``active_test`` off (archived tiers too), a search."""
        Tier = self.env["loyalty.tier"].sudo()
        if not self.env.context.get("active_test", True):
            return Tier.search_fetch([("company_id", "in", companies.ids)], list(LADDER_FIELDS))
        rows = [row for company_id in sorted(companies.ids)
                for row in Tier._loyalty_ladder_rows(company_id)]
        tiers = Tier.browse([row[0] for row in rows])
        cache = self.env.cache
        row_of = {row[0]: row for row in rows}
        for index, fname in enumerate(LADDER_FIELDS, start=1):
            field = Tier._fields[fname]
            # What the transaction already holds (perhaps changed, not flushed yet) stays.
            missing = list(cache.get_missing_ids(tiers, field))
            if missing:
                cache.update(Tier.browse(missing), field, [row_of[i][index] for i in missing])
        return tiers

    def _loyalty_update_tiers(
        self, reason, order=None, allow_downgrade=True, note=False, now=None, pos_order=None
    ):
        """Bring the tier of each membership card in ``self`` up to date.

        - qualifying for a higher tier: upgrade at once;
        - qualifying for a lower tier: with ``allow_downgrade``, start the grace period of the
          current tier (``tier_downgrade_date``), and downgrade once that date is reached;
        - qualifying again for the current tier: cancel a pending downgrade.

        Idempotent: running it twice on the same data changes nothing the second time.
        Returns the history lines written.
        """
        now = now or fields.Datetime.now()
        today = fields.Date.context_today(self, now)
        cards = self.filtered(lambda c: c.is_membership and c.partner_id and c.active)
        targets = cards._loyalty_qualified_tiers(now, order=order)
        changes = []  # (card, old, new)
        schedule = defaultdict(lambda: self.browse())  # date -> cards
        clear = self.browse()
        for card in cards:
            current, target = card.tier_id, targets[card]
            if target == current:
                if card.tier_downgrade_date:
                    clear |= card
            elif not current or target._rank_key() > current._rank_key():
                changes.append((card, current, target))
            elif allow_downgrade:
                due = card.tier_downgrade_date
                if not due:
                    due = fields.Date.add(today, days=current.grace_days)
                    if due > today:
                        schedule[due] |= card
                if due <= today:
                    changes.append((card, current, target))
        if clear:
            clear.write({"tier_downgrade_date": False})
        for due, due_cards in schedule.items():
            due_cards.write({"tier_downgrade_date": due})
        return self._loyalty_apply_tier_changes(
            changes, reason, order=order, note=note, now=now, pos_order=pos_order
        )

    def _loyalty_apply_tier_changes(
        self, changes, reason, order=None, note=False, now=None, pos_order=None
    ):
        """Write the tier changes ``[(card, old_tier, new_tier)]`` in batches, record them in the
        history, on the member's chatter, and e-mail upgraded members."""
        history = self.env["loyalty.tier.history"]
        if not changes:
            return history
        now = now or fields.Datetime.now()
        by_target = defaultdict(lambda: self.browse())
        for card, _old, new in changes:
            by_target[new] |= card
        for new, cards in by_target.items():
            cards.sudo().with_context(loyalty_tier_engine=True).write(
                {"tier_id": new.id, "tier_since": now, "tier_downgrade_date": False}
            )
            for company in cards.company_id:
                partners = cards.filtered(lambda c, co=company: c.company_id == co).partner_id
                partners.sudo().with_company(company).write({"loyalty_tier_id": new.id})
        history = history.sudo().create(
            [
                {
                    "card_id": card.id,
                    "old_tier_id": old.id,
                    "new_tier_id": new.id,
                    "date": now,
                    "reason": reason,
                    "sale_order_id": order.id if order else False,
                    "pos_order_id": pos_order.id if pos_order else False,
                    "note": note,
                    "upgrade_mail_pending": bool(
                        old and new._rank_key() > old._rank_key() and card.partner_id.email
                    ),
                }
                for card, old, new in changes
            ]
        )
        if any(history.mapped("upgrade_mail_pending")):
            # The cron's id from the (cached) xmlid, without env.ref's query to check it exists:
            # deleting the cron deletes its xmlid.
            cron_id = self.env["ir.model.data"]._xmlid_to_res_id(
                "customer_loyalty.ir_cron_loyalty_tier_upgrade_mails", raise_if_not_found=False
            )
            if cron_id:
                self.env["ir.cron"].sudo().browse(cron_id)._trigger()
        for line in history:
            line.card_id._loyalty_notify_tier_change(line)
        _logger.info("Membership tiers: %s change(s) (%s)", len(history), reason)
        return history

    def _loyalty_notify_tier_change(self, line):
        """Post the change on the member's chatter (the upgrade e-mail follows from the cron
        ``loyalty.tier.history._cron_send_upgrade_mails``, triggered by the change)."""
        self.ensure_one()
        partner = self.partner_id
        reason = dict(line._fields["reason"]._description_selection(self.env))[line.reason]
        if line.old_tier_id:
            body = _(
                "Membership tier changed from %(old)s to %(new)s (%(reason)s).",
                old=line.old_tier_id.name,
                new=line.new_tier_id.name or _("no tier"),
                reason=reason,
            )
        else:
            body = _(
                "Membership tier set to %(new)s (%(reason)s).",
                new=line.new_tier_id.name or _("no tier"),
                reason=reason,
            )
        # A note, logged without the notification machinery (nobody follows a contact's notes
        # to be told of them): a tier change happens at confirmation, in the till's time.
        partner.sudo()._message_log(body=body)

    # ------------------------------------------------------------------
    # Actions and cron
    # ------------------------------------------------------------------

    def action_loyalty_recompute_tier(self):
        """Manager action: re-evaluate the selected members now (downgrades respect the grace
        period)."""
        if not self.env.user.has_group("customer_loyalty.group_loyalty_manager"):
            raise AccessError(_("Only Loyalty Managers can recompute membership tiers."))
        members = self.filtered("is_membership")
        if not members:
            raise UserError(_("Select at least one membership card."))
        lines = members.sudo()._loyalty_update_tiers(reason="manual")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%(count)s tier change(s).", count=len(lines)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _cron_update_tiers(self, batch_size=1000):
        """Daily review of every membership card: upgrades, grace periods, downgrades.

        Each card is reviewed once a day (``tier_reviewed_date`` is the done marker), in batches
        committed one by one inside the scheduler, so a second run the same day does nothing and a
        run that crashed half-way is finished by the next one."""
        today = fields.Date.context_today(self)
        programs = self.env["res.company"].sudo().search([]).loyalty_program_id
        domain = [
            ("program_id", "in", programs.ids),
            ("partner_id", "!=", False),
            "|",
            ("tier_reviewed_date", "=", False),
            ("tier_reviewed_date", "<", today),
        ]
        cards = self.sudo().with_context(active_test=True)
        in_scheduler = bool(self.env.context.get("ir_cron_progress_id"))
        changes = 0
        while batch := cards.search(domain, order="id", limit=batch_size):
            changes += len(batch._loyalty_update_tiers(reason="cron"))
            batch.write({"tier_reviewed_date": today})
            if in_scheduler:
                remaining = cards.search_count(domain)
                self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
                self.env.cr.commit()  # pylint: disable=invalid-commit
            batch.invalidate_recordset()
        _logger.info("Membership tiers reviewed: %s change(s)", changes)
        return changes

    def _loyalty_tier_progress(self, now=None):
        """Where the member stands on the tier ladder of the card's company, for the member's
        eyes (portal, e-mails)::

            {'tier': current tier, 'next_tier': the tier just above (empty at the top),
             'metric': next_tier.metric, 'value': metric over next_tier's window,
             'threshold': next_tier.threshold, 'missing': what is still needed (>= 0),
             'ratio': value / threshold in [0, 1], 'window_months': next_tier.window_months}
        """
        self.ensure_one()
        now = now or fields.Datetime.now()
        current = self.tier_id
        ladder = (
            self.env["loyalty.tier"].sudo()
            .search([("company_id", "=", self.company_id.id)])
            .sorted(lambda t: t._rank_key())
        )
        next_tier = ladder.filtered(lambda t: t._rank_key() > current._rank_key())[:1]
        result = {
            "tier": current,
            "next_tier": next_tier,
            "metric": next_tier.metric,
            "value": 0.0,
            "threshold": next_tier.threshold,
            "missing": 0.0,
            "ratio": 1.0,
            "window_months": next_tier.window_months,
        }
        if next_tier:
            value = self._loyalty_metric_values(
                next_tier.metric, next_tier._window_start(now)
            ).get(self.id, 0.0)
            threshold = next_tier.threshold
            result.update(
                value=value,
                missing=max(threshold - value, 0.0),
                ratio=min(max(value / threshold, 0.0), 1.0) if threshold else 1.0,
            )
        return result
