# A second class on loyalty.history on purpose: the ledger's arithmetic apart from its lines'
# rules (see STYLE.md, "Splitting a large model by concern").
# pylint: disable=consider-merging-classes-inherited

from odoo import api, fields, models
from odoo.tools import SQL

# Lines that consume points oldest first (redemptions, negative adjustments, points moved out by
# a merge, returned redemptions taken back), and lines whose issued points are a batch of their
# own, with their own expiry date (adjustments, redemptions given back, points moved in, gifts).
CONSUMING_TYPES = ("order", "adjustment", "other", "refund_redeemed", "merge")
OWN_BATCH_TYPES = ("reversal", "adjustment", "other", "refund_redeemed", "merge", "gift")


class LoyaltyHistory(models.Model):
    """Ledger arithmetic: FIFO expiry and pending points, computed in SQL for sets of cards."""

    _inherit = "loyalty.history"

    # FIFO ------------------------------------------------------------------------------
    #
    # The points of a card come in batches, each with its expiry date: what an order earned
    # (less what its cancellation or refunds took back), or the points of one other line
    # (an adjustment, a redemption given back, points moved in by a merge). Consumption eats the
    # batches oldest-expiring first, then expiry eats the next ones. With the batches sorted
    # and summed (``upto`` = points of this batch and all before it), batch *i* covers
    # [upto - points, upto]; consumption covers [0, consumed] and expiry
    # [consumed, consumed + expired]. Everything below is derived from this one computation.

    @api.model
    def _loyalty_fifo_sql(self, where):
        """Per batch: ``card_id, order_model, order_id, line_id, expiry_date, points, upto,
        consumed, expired, eaten, lost`` (``eaten``: consumed from it, ``lost``: expired from
        it), for the cards matching ``where`` (an SQL condition on ``card``)."""
        return SQL(
            """
            WITH lines AS (
                SELECT h.id, h.card_id, h.entry_type, h.order_model, h.order_id, h.expiry_date,
                       COALESCE(h.issued, 0) AS issued, COALESCE(h.used, 0) AS used
                  FROM loyalty_history h
                  JOIN loyalty_card card ON card.id = h.card_id
                 WHERE %(where)s
            ), batches AS (
                SELECT card_id, order_model, order_id, 0 AS line_id,
                       MAX(CASE WHEN entry_type = 'order' THEN expiry_date END) AS expiry_date,
                       GREATEST(SUM(CASE entry_type WHEN 'order' THEN issued
                                                    WHEN 'reversal' THEN -used
                                                    WHEN 'refund' THEN issued - used
                                                    ELSE 0 END), 0) AS points
                  FROM lines
                 WHERE order_model IS NOT NULL AND entry_type IN ('order', 'reversal', 'refund')
                 GROUP BY card_id, order_model, order_id
                 UNION ALL
                SELECT card_id, NULL, NULL, id, expiry_date, issued
                  FROM lines
                 WHERE issued > 0 AND entry_type IN %(own)s
            ), spent AS (
                SELECT card_id,
                       SUM(CASE WHEN entry_type IN %(consuming)s THEN used ELSE 0 END) AS consumed,
                       SUM(CASE WHEN entry_type = 'expiry' THEN used ELSE 0 END) AS expired
                  FROM lines
                 GROUP BY card_id
            ), ranked AS (
                SELECT b.*, s.consumed, s.expired,
                       SUM(b.points) OVER (
                           PARTITION BY b.card_id
                           ORDER BY b.expiry_date NULLS LAST, b.order_model, b.order_id, b.line_id
                           ROWS UNBOUNDED PRECEDING
                       ) AS upto
                  FROM batches b
                  JOIN spent s ON s.card_id = b.card_id
            )
            SELECT card_id, order_model, order_id, line_id, expiry_date, points, upto,
                   consumed, expired,
                   GREATEST(LEAST(upto, consumed) - (upto - points), 0) AS eaten,
                   GREATEST(LEAST(upto, consumed + expired) - GREATEST(upto - points, consumed),
                            0) AS lost
              FROM ranked
            """,
            where=where,
            own=OWN_BATCH_TYPES,
            consuming=CONSUMING_TYPES,
        )

    @api.model
    def _loyalty_expiry_due_sql(self, date, card_ids=None, program_ids=None):
        """Per card with points left to expire by ``date``: ``card_id``, those points (what the
        batches expiring by then still hold after consumption, less what already expired) and
        the first expiry date after today up to ``date``."""
        today = fields.Date.context_today(self)
        where = (
            SQL("card.id IN %s", tuple(card_ids)) if card_ids
            else SQL("card.program_id IN %s", tuple(program_ids))
        )
        return SQL(
            """
            SELECT card_id,
                   GREATEST(MAX(CASE WHEN expiry_date <= %(date)s THEN upto ELSE 0 END)
                            - MAX(consumed), 0) - MAX(expired) AS points,
                   MIN(CASE WHEN points - eaten - lost > 0 AND expiry_date > %(today)s
                            AND expiry_date <= %(date)s THEN expiry_date END) AS first_date
              FROM (%(fifo)s) AS fifo
             GROUP BY card_id
            HAVING GREATEST(MAX(CASE WHEN expiry_date <= %(date)s THEN upto ELSE 0 END)
                            - MAX(consumed), 0) - MAX(expired) > 0.005
            """,
            date=date,
            today=today,
            fifo=self._loyalty_fifo_sql(where),
        )

    @api.model
    def _loyalty_expired_shares(self, cards, order_model, order_ids):
        """``{(card_id, order_id): points of that order's batch that already expired}``, so that
        a cancellation or a refund never takes back points that expired."""
        if not cards or not order_ids:
            return {}
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT card_id, order_id, lost FROM (%s) AS fifo
                 WHERE order_model = %s AND order_id IN %s AND lost > 0
                """,
                self._loyalty_fifo_sql(SQL("card.id IN %s", tuple(cards.ids))),
                order_model,
                tuple(order_ids),
            )
        )
        return {(card_id, order_id): lost for card_id, order_id, lost in self.env.cr.fetchall()}

    @api.model
    def _loyalty_remaining_batches(self, cards):
        """``{card_id: [(expiry_date, points)]}``: what is left of each batch once consumption
        and expiry took their share (what a merge moves to the surviving card)."""
        if not cards:
            return {}
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT card_id, expiry_date, SUM(points - eaten - lost) FROM (%s) AS fifo
                 WHERE points - eaten - lost > 0.005
                 GROUP BY card_id, expiry_date
                 ORDER BY card_id, expiry_date NULLS LAST
                """,
                self._loyalty_fifo_sql(SQL("card.id IN %s", tuple(cards.ids))),
            )
        )
        result = {}
        for card_id, expiry_date, points in self.env.cr.fetchall():
            result.setdefault(card_id, []).append((expiry_date, points))
        return result

    # Pending points ----------------------------------------------------------------

    @api.model
    def _loyalty_pending_sql(self, card_ids, today):
        """Per card, the points of orders still inside the return window, less what
        cancellations and refunds took back from those orders."""
        return SQL(
            """
            WITH pending_orders AS (
                SELECT DISTINCT card_id, order_model, order_id
                  FROM loyalty_history
                 WHERE card_id IN %(card_ids)s
                   AND entry_type = 'order'
                   AND available_date > %(today)s
            )
            SELECT h.card_id,
                   SUM(CASE WHEN h.entry_type = 'order' AND h.available_date > %(today)s
                            THEN h.issued ELSE 0 END)
                 - SUM(CASE WHEN h.entry_type IN ('reversal', 'refund') THEN h.used ELSE 0 END)
                 + SUM(CASE WHEN h.entry_type = 'refund' THEN h.issued ELSE 0 END)
              FROM loyalty_history h
              JOIN pending_orders p
                ON p.card_id = h.card_id AND p.order_model = h.order_model
               AND p.order_id = h.order_id
             GROUP BY h.card_id
            """,
            card_ids=tuple(card_ids),
            today=today,
        )
