from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import create_index, float_is_zero

from .loyalty_card_points import in_points_flow
from .loyalty_memo import forget_memo

# What a ledger line says: once written, none of it changes.
LEDGER_FIELDS = {
    "card_id", "issued", "used", "order_model", "order_id", "entry_type", "balance_after",
    "expiry_date", "available_date", "description", "user_id", "merged_card_id",
}


class LoyaltyHistory(models.Model):
    """The points ledger of member cards, on top of Odoo's ``loyalty.history``.

    For membership cards the ledger is append-only, like an accounting journal, and it is the
    only writer of the card's balance: creating a line applies its ``issued - used`` to the card
    under the card's row lock, so the balance always equals the sum of the lines. A correction
    (cancellation, refund, expiry, adjustment, merge) is a new line, never an edit or a deletion.
    """

    _inherit = "loyalty.history"
    _order = "create_date desc, id desc"

    card_id = fields.Many2one(index=True)  # every ledger query is per card
    entry_type = fields.Selection(
        [
            ("order", "Order"),
            ("reversal", "Cancellation"),
            ("refund", "Refund"),
            ("refund_redeemed", "Refund: points returned"),
            ("merge", "Merge"),
            ("expiry", "Expiry"),
            ("adjustment", "Manual adjustment"),
            ("gift", "Gift"),
            ("other", "Other"),
        ],
        string="Type",
        default="other",
        required=True,
        readonly=True,
    )
    # Precomputed: written by the INSERT, not by a second UPDATE at the next flush.
    partner_id = fields.Many2one(
        related="card_id.partner_id", store=True, index=True, precompute=True
    )
    balance_after = fields.Float(
        readonly=True, help="Balance of the card once this line was written."
    )
    expiry_date = fields.Date(
        readonly=True, index=True, help="The points issued by this line expire on this date."
    )
    available_date = fields.Date(
        readonly=True,
        help="Points issued by this line are pending (cannot be spent) until this date.",
    )
    user_id = fields.Many2one(
        "res.users", string="By", readonly=True, default=lambda self: self.env.user
    )
    merged_card_id = fields.Many2one(
        "loyalty.card", readonly=True,
        help="The member card whose points this line moved (contacts merged).",
    )
    is_membership = fields.Boolean(related="card_id.is_membership")

    def init(self):
        res = super().init()
        # Cancellations and refunds look up the lines of orders, with or without their card.
        create_index(
            self.env.cr, "loyalty_history_order_model_order_id_index", self._table,
            ["order_model", "order_id"],
        )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        card_ids = {vals["card_id"] for vals in vals_list if vals.get("card_id")}
        cards = self.env["loyalty.card"].browse(card_ids)
        members = cards.filtered("is_membership")
        if not members:
            return super().create(vals_list)
        if not (in_points_flow() or members._loyalty_is_privileged()):
            # Odoo lets salespeople and cashiers create history lines, and a member's line
            # moves the member's balance.
            raise AccessError(
                _("Only the order flows and Loyalty Managers can write a member's points ledger.")
            )
        forget_memo("pending", members.ids)  # the new lines may be pending
        today = fields.Date.context_today(self)
        default_type = self.env.context.get("loyalty_entry_type")
        deltas = defaultdict(float)  # card_id -> issued - used of the new lines
        member_vals = []  # (card_id, vals) of the member lines, in order
        for vals in vals_list:
            card = cards.browse(vals.get("card_id"))
            if card not in members:
                continue
            if default_type and "entry_type" not in vals:
                vals["entry_type"] = default_type
            if vals.get("order_model") and vals.get("entry_type", "other") == "other":
                vals["entry_type"] = "order"
            # Amounts are numbers, never NULL: SQL sums of the ledger must see every line.
            vals["issued"] = vals.get("issued") or 0.0
            vals["used"] = vals.get("used") or 0.0
            if vals["issued"] < 0 or vals["used"] < 0:
                raise UserError(_("A points ledger line cannot issue or use a negative amount."))
            deltas[card.id] += vals["issued"] - vals["used"]
            member_vals.append((card.id, vals))
            program = card.program_id
            if vals["issued"] > 0:
                if program.points_validity_months and not vals.get("expiry_date"):
                    validity = relativedelta(months=program.points_validity_months)
                    vals["expiry_date"] = today + validity
                if (
                    vals["entry_type"] == "order"
                    and program.points_pending_days
                    and not vals.get("available_date")
                ):
                    vals["available_date"] = today + relativedelta(days=program.points_pending_days)
        # Serialise ledger writes per card: the balances move under the cards' row locks, from
        # what is committed (one statement), before the lines say what they became.
        before, after = members._loyalty_move_balances(deltas)
        running = dict(before)
        for card_id, vals in member_vals:
            running[card_id] += vals["issued"] - vals["used"]
            vals["balance_after"] = round(running[card_id], 2)
        lines = super().create(vals_list)
        changed = {
            card_id: balance for card_id, balance in after.items()
            if not float_is_zero(deltas[card_id], precision_digits=2)
        }
        if changed:
            cards_changed = members.browse(changed)
            if not self.env.context.get("loyalty_no_mail"):
                # Odoo's "points reached" communications follow the balance, as after a write.
                # Prefetching the programs of all the lines' cards reads their communication
                # plans in one query, for Odoo's own flow on the other cards too.
                cards_changed = cards_changed.with_prefetch(cards.ids)
                cards_changed.sudo()._send_points_reach_communication(
                    {card: {"old": before[card.id], "new": changed[card.id]}
                     for card in cards_changed.sudo()}
                )
        return lines

    def write(self, vals):
        if LEDGER_FIELDS & set(vals) and self.filtered("is_membership"):
            raise UserError(
                _(
                    "Points ledger lines cannot be changed. To correct a balance, add an "
                    "adjustment with “Update Balance” on the card."
                )
            )
        return super().write(vals)

    def unlink(self):
        members = self.filtered("is_membership")
        if members and not self.env.context.get("loyalty_ledger_keep"):
            raise UserError(
                _(
                    "Points ledger lines cannot be deleted. Cancel the order or add an "
                    "adjustment instead: the correction is recorded as a new line."
                )
            )
        # Inside a cancellation (``loyalty_ledger_keep``) Odoo's flow deletes the order's lines;
        # member lines are kept and reversed by a new line instead (see sale.order).
        return super(LoyaltyHistory, self - members).unlink()

    @api.model
    def _loyalty_init_entry_types(self):
        """At installation, lines written before by Odoo's order flows are order lines."""
        self.env.cr.execute(
            "UPDATE loyalty_history SET entry_type = 'order' "
            "WHERE order_model IS NOT NULL AND entry_type = 'other'"
        )
        self.invalidate_model(["entry_type"])

    # ------------------------------------------------------------------
    # Reversals: cancellations and refunds
    # ------------------------------------------------------------------

    @api.model
    def _loyalty_order_totals(self, cards, order_model, order_ids):
        """``{(card_id, order_id): {entry_type: (issued, used)}}`` of the given orders' lines."""
        totals = defaultdict(lambda: defaultdict(lambda: (0.0, 0.0)))
        groups = self.sudo()._read_group(
            [
                ("card_id", "in", cards.ids),
                ("order_model", "=", order_model),
                ("order_id", "in", list(order_ids)),
            ],
            ["card_id", "order_id", "entry_type"],
            ["issued:sum", "used:sum"],
        )
        for card, order_id, entry_type, issued, used in groups:
            totals[card.id, order_id][entry_type] = (issued, used)
        return totals

    @api.model
    def _loyalty_reverse_orders(self, cards, order_model, orders, description):
        """Write, for each (card, order), the line that cancels what the order still does to the
        card: it takes back the points earned (less what refunds already took back, and less
        what already expired) and gives back the points spent (less what refunds already gave
        back). No rounding of its own: it takes back exactly what the order's lines say.
        ``description(order, env)`` writes the line's description (``env`` is in the member's
        language).
        Returns the new lines."""
        totals = self._loyalty_order_totals(cards, order_model, orders.ids)
        expired = self._loyalty_expired_shares(cards, order_model, orders.ids)
        vals_list = []
        for (card_id, order_id), by_type in totals.items():
            earned, spent = by_type["order"]
            taken_back = by_type["refund"][1] - by_type["refund"][0] + by_type["reversal"][1]
            given_back = (
                by_type["reversal"][0]
                + by_type["refund_redeemed"][0] - by_type["refund_redeemed"][1]
            )
            lost = expired.get((card_id, order_id), 0.0)
            used, issued = max(earned - taken_back - lost, 0.0), spent - given_back
            lang_env = cards.browse(card_id)._loyalty_member_env()
            if float_is_zero(used, precision_digits=2) and float_is_zero(
                issued, precision_digits=2
            ):
                continue
            vals_list.append(
                {
                    "card_id": card_id,
                    "order_model": order_model,
                    "order_id": order_id,
                    "entry_type": "reversal",
                    "issued": max(issued, 0.0) + max(-used, 0.0),
                    "used": max(used, 0.0) + max(-issued, 0.0),
                    "description": description(orders.browse(order_id), lang_env),
                }
            )
        return self.sudo().create(vals_list)

    @api.model
    def _loyalty_sync_refunds(self, order_model, orders, ratios):
        """Bring what was taken back from (and given back to) each member card for ``orders``
        to the share refunded: ``ratios`` is ``{order: share refunded, 0 to 1}``.

        The rule: a refund of a share *r* of an order takes back *r* of the points the order
        earned (rounded down like the accrual; points of the order that already expired are not
        taken back a second time) and gives back *r* of the points the order spent (rounded
        down: a refund never returns more than was spent). Only the difference with what
        earlier refunds did is written, so running it again writes nothing, and a credit note
        reset to draft (share back to 0) writes the opposite lines. Only the order's current
        confirmation counts: a cancellation settles everything before it."""
        History = self.sudo()
        lines = History.search(
            [
                ("order_model", "=", order_model),
                ("order_id", "in", orders.ids),
                ("card_id.is_membership", "=", True),
            ],
            order="id",
        )
        if not lines:
            return History
        cards = lines.card_id
        cards._loyalty_lock()
        # {(card_id, order_id): [earned, spent, taken back, given back]} since the last reversal
        current = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
        for line in lines:
            key = (line.card_id.id, line.order_id)
            if line.entry_type == "reversal":
                current[key] = [0.0, 0.0, 0.0, 0.0]
            elif line.entry_type == "order":
                current[key][0] += line.issued
                current[key][1] += line.used
            elif line.entry_type == "refund":
                current[key][2] += line.used - line.issued
            elif line.entry_type == "refund_redeemed":
                current[key][3] += line.issued - line.used
        expired = self._loyalty_expired_shares(cards, order_model, orders.ids)
        vals_list = []
        for (card_id, order_id), (earned, spent, taken, given) in current.items():
            order = orders.browse(order_id)
            program = cards.browse(card_id).program_id
            ratio = ratios.get(order, 0.0)
            lost = expired.get((card_id, order_id), 0.0)
            take = min(program._loyalty_round_points(max(earned, 0.0) * ratio),
                       max(earned - lost, 0.0)) - taken
            give = program._loyalty_round_points(max(spent, 0.0) * ratio) - given
            base = {"card_id": card_id, "order_model": order_model, "order_id": order_id}
            lang_env = cards.browse(card_id)._loyalty_member_env()
            if not float_is_zero(take, precision_digits=2):
                vals_list.append(dict(
                    base, entry_type="refund", used=max(take, 0.0), issued=max(-take, 0.0),
                    description=lang_env._("Refund on %s", order.display_name),
                ))
            if not float_is_zero(give, precision_digits=2):
                vals_list.append(dict(
                    base, entry_type="refund_redeemed", issued=max(give, 0.0),
                    used=max(-give, 0.0),
                    description=lang_env._("Points spent on %s returned (refund)",
                                           order.display_name),
                ))
        return History.create(vals_list)
