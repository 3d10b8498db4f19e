"""The balance of a member card: written by its ledger only.

A member card's ``points`` change in one way: a ``loyalty.history`` line applies its
``issued - used`` to the card, under the card's row lock (see ``loyalty_history.py``). Every other
writer is turned into a ledger line or refused here:

- Odoo's order flows (sale_loyalty, pos_loyalty) move the balance by hand (``points += ...``) next
  to the ledger line that says the same thing: inside those flows (``loyalty_points_flow()``) the
  hand-made change is dropped, and the line is what moves the balance;
- any other write of a member's ``points`` (an import, an RPC call, another module's code, run as
  superuser or not) becomes a manual adjustment line for those allowed to adjust balances, and is
  refused for everybody else;
- a member card created with points gets them as an opening line.
"""

# A second class on loyalty.card on purpose: one concern per file (see STYLE.md, "Splitting a
# large model by concern").
# pylint: disable=consider-merging-classes-inherited

import contextlib
import contextvars

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_is_zero

from .loyalty_memo import memo_of

# Set by the server-side flows that write member ledger lines themselves (sales order
# confirmation and cancellation, reward lines of confirmed orders, POS sync). A context variable,
# not a context key: an RPC caller cannot switch it on.
_POINTS_FLOW = contextvars.ContextVar("loyalty_points_flow", default=False)


@contextlib.contextmanager
def loyalty_points_flow():
    """Run the enclosed Odoo flow with member ledger lines allowed and hand-made changes of
    member balances dropped (the flow's ledger lines carry them)."""
    token = _POINTS_FLOW.set(True)
    try:
        yield
    finally:
        _POINTS_FLOW.reset(token)


def in_points_flow():
    return _POINTS_FLOW.get()


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

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
    merged_into_id = fields.Many2one(
        "loyalty.card", readonly=True, copy=False,
        help="This member card was merged into that one (contacts merged): its points moved there.",
    )

    def _compute_points_ledger(self):
        members = self.filtered(lambda c: c.id and c.is_membership)
        pending = members._loyalty_pending_points()
        expiring = members._loyalty_expiring_points()
        for card in self:
            card.points_pending = pending.get(card.id, 0.0)
            card.points_available = card.points - card.points_pending
            card.points_expiring, card.points_expiring_date = expiring.get(card.id, (0.0, False))

    @api.model
    def _load_pos_data_fields(self, config_id):
        # The POS subtracts pending points from what a member can spend.
        return [*super()._load_pos_data_fields(config_id), "points_pending"]

    # ------------------------------------------------------------------
    # The only writer: create and write hand member balances to the ledger
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        membership = self.env["res.company"].sudo().search([]).loyalty_program_id
        opening = {}
        for index, vals in enumerate(vals_list):
            if vals.get("program_id") in membership.ids and vals.get("points"):
                opening[index] = vals["points"]
                vals_list[index] = dict(vals, points=0)
        if opening and not self._loyalty_is_privileged() and not in_points_flow():
            raise AccessError(_("Only Loyalty Managers can give points to a new member card."))
        cards = super().create(vals_list)
        if opening:
            self.env["loyalty.history"].sudo().create(
                [
                    {
                        "card_id": cards[index].id,
                        "entry_type": "adjustment",
                        "issued": max(points, 0.0),
                        "used": max(-points, 0.0),
                        "description": cards[index]._loyalty_member_env()._("Opening balance"),
                    }
                    for index, points in opening.items()
                ]
            )
        return cards

    def write(self, vals):
        if "points" not in vals:
            return super().write(vals)
        members = self.filtered("is_membership")
        if not members:
            return super().write(vals)
        if not in_points_flow():
            if not self._loyalty_is_privileged():
                raise AccessError(
                    _(
                        "Salespeople and cashiers cannot change a member's points. A Loyalty "
                        "Manager can adjust them with “Update Balance”."
                    )
                )
            members._loyalty_adjust_balance(vals["points"])
        # Inside an order flow the hand-made change is dropped: the flow's ledger line moved it.
        others = self - members
        if others:
            super(LoyaltyCard, others).write(vals)
        rest = {key: value for key, value in vals.items() if key != "points"}
        if rest:
            super(LoyaltyCard, members).write(rest)
        return True

    def _loyalty_member_env(self):
        """The environment in the member's language: ledger descriptions and messages meant
        for the member are written in it, whoever's action wrote them."""
        self.ensure_one()
        return self.with_context(lang=self.partner_id.lang or self.env.lang).env

    def _loyalty_adjust_balance(self, new_balance, description=None):
        """Bring each member card of ``self`` to ``new_balance`` with one adjustment line (the
        difference). Returns the lines written."""
        balances = self._loyalty_lock()
        vals_list = []
        for card in self:
            delta = new_balance - balances.get(card.id, 0.0)
            if float_is_zero(delta, precision_digits=2):
                continue
            vals_list.append(
                {
                    "card_id": card.id,
                    "entry_type": "adjustment",
                    "issued": max(delta, 0.0),
                    "used": max(-delta, 0.0),
                    "description": description
                    or card._loyalty_member_env()._(
                        "Balance set to %(points)s by %(user)s",
                        points=card._format_points(new_balance), user=self.env.user.name,
                    ),
                }
            )
        return self.env["loyalty.history"].sudo().create(vals_list)

    # ------------------------------------------------------------------
    # Locks and sums
    # ------------------------------------------------------------------

    def _loyalty_lock(self, with_pending=False):
        """Lock the cards' rows until the end of the transaction (two transactions moving the
        same card's points are serialised) and return their balances ``{card_id: points}``,
        read under the lock. With ``with_pending`` inside a confirmation (``loyalty_memo()``),
        the same statement reads the cards' pending points for ``_loyalty_pending_points``.

        ``FOR NO KEY UPDATE``, the lock an UPDATE of the balance takes: it keeps the other
        writers of the card waiting, not the rows that merely refer to it (another order's
        coupon points or ledger line, whose foreign key check only shares the card's key)."""
        if not self.ids:
            return {}
        self.flush_recordset(["points"])
        pending_memo = memo_of("pending") if with_pending else None
        if pending_memo is not None:
            History = self.env["loyalty.history"]
            History.flush_model()
            pending_sql = History._loyalty_pending_sql(
                self.ids, fields.Date.context_today(self)
            )
            query = SQL(
                "WITH pending(card_id, points) AS (%s) "
                "SELECT card.id, card.points, COALESCE(pending.points, 0) FROM loyalty_card card "
                "LEFT JOIN pending ON pending.card_id = card.id "
                "WHERE card.id IN %s ORDER BY card.id FOR NO KEY UPDATE OF card",
                pending_sql,
                tuple(self.ids),
            )
        else:
            query = SQL(
                "SELECT id, points FROM loyalty_card WHERE id IN %s ORDER BY id FOR NO KEY UPDATE",
                tuple(self.ids),
            )
        rows = self._loyalty_locking_execute(query)
        balances = {row[0]: row[1] or 0.0 for row in rows}
        if pending_memo is not None:
            pending_memo.update({row[0]: row[2] or 0.0 for row in rows})
        # The cache takes the balances read under the lock (no second read of them).
        cards = self.browse(balances)
        self.env.cache.update(cards, self._fields["points"], [balances[c] for c in cards.ids])
        self.browse(set(self.ids) - set(balances)).invalidate_recordset(["points"])
        return balances

    def _loyalty_locking_execute(self, query):
        """Run ``query`` (which locks card rows) with the lock timeout and return its rows.

        A lock that cannot be had aborts the transaction: the UserError rolls it back. The
        timeout and the query go in one round trip (the rows come from the last statement), and
        the timeout stays for the rest of the transaction (SET LOCAL): a later wait of more than
        that on a lock ends it too, which Odoo's RPC layer retries (it is one of the concurrency
        errors it retries); an unbounded wait would hold a worker instead."""
        timeout = self.env.context.get("loyalty_lock_timeout", "10s")
        try:
            self.env.cr.execute(SQL("SET LOCAL lock_timeout = %s; %s", timeout, query))
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                _("This member card is being used in another transaction. Please try again.")
            ) from None
        return self.env.cr.fetchall()

    def _loyalty_move_balances(self, deltas):
        """Lock the cards' rows and add ``deltas[card_id]`` to their balances; return the
        balances before and after, ``({card_id: before}, {card_id: after})``, for every card of
        ``self``.

        The one writer of member balances (see ``loyalty.history.create``). When every card
        moves, one statement locks the rows (in id order, as ``_loyalty_lock`` does, so that two
        transactions never wait for each other's cards) and moves the balances from what is
        committed under the lock; otherwise the lock, then the move of those that change.
        Rounded to the cent half to even (``round`` of a double precision), as Python's
        ``round`` rounds the balances read under the lock."""
        if not self.ids:
            return {}, {}
        ids = set(self.ids)
        moving = {
            card_id: delta for card_id, delta in deltas.items()
            if card_id in ids and not float_is_zero(delta, precision_digits=2)
        }
        self.flush_recordset(["points"])
        if len(moving) < len(ids):
            before = self._loyalty_lock()
            if not moving:
                return before, dict(before)
            lock = locked = SQL()
        else:
            before = {}
            lock = SQL(
                "WITH locked AS MATERIALIZED (SELECT id FROM loyalty_card WHERE id IN %s "
                "ORDER BY id FOR NO KEY UPDATE) ",
                tuple(sorted(ids)),
            )
            locked = SQL("AND card.id IN (SELECT id FROM locked)")
        rows = self._loyalty_locking_execute(
            SQL(
                """
                %s
                UPDATE loyalty_card card
                   SET points = ROUND((COALESCE(card.points, 0) + v.delta) * 100) / 100,
                       write_uid = %s, write_date = NOW() AT TIME ZONE 'UTC'
                  FROM (VALUES %s) AS v(id, delta)
                  JOIN loyalty_card prev ON prev.id = v.id
                 WHERE card.id = v.id %s
             RETURNING card.id, card.points, prev.points
                """,
                lock,
                self.env.uid,
                SQL(", ").join(
                    SQL("(%s, %s::float8)", card_id, delta) for card_id, delta in moving.items()
                ),
                locked,
            )
        )
        after = dict(before)
        for card_id, points, previous in rows:
            before[card_id], after[card_id] = previous or 0.0, points
        # The cache takes the new balances (no second read of them).
        moved = self.browse(sorted(moving))
        self.env.cache.update(moved, self._fields["points"], [after[i] for i in moved.ids])
        moved.invalidate_recordset(["write_date", "write_uid"])
        return before, after

    def _loyalty_ledger_sums(self):
        """``{card_id: sum(issued - used)}`` of the cards' ledgers, in one query: what the
        balances must equal (an audit; nothing writes a balance from it)."""
        self.env["loyalty.history"].flush_model(["card_id", "issued", "used"])
        self.env.cr.execute(
            SQL(
                "SELECT card_id, SUM(issued - used) FROM loyalty_history "
                "WHERE card_id IN %s GROUP BY card_id",
                tuple(self.ids) or (0,),
            )
        )
        return dict(self.env.cr.fetchall())

    def _loyalty_pending_points(self):
        if not self:
            return {}
        # Inside a confirmation, read once per card until a ledger line is written on it.
        memo = memo_of("pending")
        pending = {card_id: memo[card_id] for card_id in self.ids if card_id in (memo or {})}
        missing = [card_id for card_id in self.ids if card_id not in pending]
        if missing:
            self.env["loyalty.history"].flush_model()
            today = fields.Date.context_today(self)
            self.env.cr.execute(self.env["loyalty.history"]._loyalty_pending_sql(missing, today))
            found = dict(self.env.cr.fetchall())
            for card_id in missing:
                pending[card_id] = found.get(card_id) or 0.0
            if memo is not None:
                memo.update({card_id: pending[card_id] for card_id in missing})
        return {
            card.id: min(max(pending.get(card.id, 0.0) or 0.0, 0.0), max(card.points, 0.0))
            for card in self
        }

    def _loyalty_spendable_points(self):
        """``{card_id: points that can pay for a reward now}``: the balance less pending points,
        never below zero."""
        pending = self._loyalty_pending_points()
        return {card.id: max(card.points - pending.get(card.id, 0.0), 0.0) for card in self}
