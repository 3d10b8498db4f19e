from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, create_index, float_is_zero

from .loyalty_card import _POINTS_FLOW

# The amounts of a ledger line: once written, they are never changed.
LEDGER_FIELDS = {
    "card_id", "issued", "used", "order_model", "order_id", "entry_type", "balance_after",
    "expiry_date", "available_date",
}


class LoyaltyHistory(models.Model):
    """The points ledger of member cards, on top of Odoo's ``loyalty.history``.

    For membership cards the ledger is append-only, like an accounting journal: a correction
    (cancellation, refund, expiry, adjustment) is a new line, never an edit or a deletion, and
    the card's balance always equals the sum of ``issued - used`` of its lines.
    """

    _inherit = "loyalty.history"
    _order = "create_date desc, id desc"

    card_id = fields.Many2one(index=True)  # every ledger query is per card
    entry_type = fields.Selection(
        [
            ("order", "Order"),
            ("reversal", "Cancellation"),
            ("refund", "Refund"),
            ("expiry", "Expiry"),
            ("adjustment", "Manual adjustment"),
            ("other", "Other"),
        ],
        string="Type",
        default="other",
        required=True,
        readonly=True,
    )
    partner_id = fields.Many2one(related="card_id.partner_id", store=True, index=True)
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
        if members and not (
            _POINTS_FLOW.get() or members._loyalty_is_privileged()
        ):
            # Odoo lets salespeople and cashiers create history lines; a member's ledger line
            # without its balance change would break "balance = sum of the ledger".
            raise AccessError(
                _("Only the order flows and Loyalty Managers can write a member's points ledger.")
            )
        if members and not self.env.context.get("loyalty_cards_locked"):
            # Serialise ledger writes per card: two transactions cannot interleave balances.
            members._loyalty_lock()
        today = fields.Date.context_today(self)
        balances = members._loyalty_ledger_sums() if members else {}
        default_type = self.env.context.get("loyalty_entry_type")
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
            balance = balances.get(card.id, 0.0) + vals["issued"] - vals["used"]
            balances[card.id] = balance
            vals["balance_after"] = balance
            program = card.program_id
            if vals.get("issued", 0.0) > 0:
                if program.points_validity_months and not vals.get("expiry_date"):
                    validity = relativedelta(months=program.points_validity_months)
                    vals["expiry_date"] = today + validity
                if (
                    vals["entry_type"] == "order"
                    and program.points_pending_days
                    and not vals.get("available_date")
                ):
                    vals["available_date"] = today + relativedelta(days=program.points_pending_days)
        return super().create(vals_list)

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
        what already expired) and gives back the points spent (less what was already given
        back). Returns the new lines."""
        totals = self._loyalty_order_totals(cards, order_model, orders.ids)
        expired = {
            card.id: card._loyalty_expired_share(order_model, orders.ids) for card in cards
        }
        vals_list = []
        for (card_id, order_id), by_type in totals.items():
            earned, spent = by_type["order"]
            taken_back = by_type["refund"][1] - by_type["refund"][0] + by_type["reversal"][1]
            given_back = by_type["reversal"][0]
            lost = expired.get(card_id, {}).get(order_id, 0.0)
            used, issued = max(earned - taken_back - lost, 0.0), spent - given_back
            rounding = self.env["loyalty.card"].browse(card_id).currency_id.rounding or 0.01
            if abs(used) < rounding and abs(issued) < rounding:
                continue
            vals_list.append(
                {
                    "card_id": card_id,
                    "order_model": order_model,
                    "order_id": order_id,
                    "entry_type": "reversal",
                    "issued": max(issued, 0.0) + max(-used, 0.0),
                    "used": max(used, 0.0) + max(-issued, 0.0),
                    "description": description(orders.browse(order_id)),
                }
            )
        return self.sudo().create(vals_list)

    @api.model
    def _loyalty_write_refunds(self, cards, orders, amounts, ratios):
        """Write the refund lines that bring what was taken back from each order to its
        refunded share. ``amounts``: ``{(card_id, order_id): (earned, already taken back)}``;
        ``ratios``: ``{order: share refunded}``. Only the difference is written (idempotent),
        and points of the order that already expired are not taken back a second time."""
        vals_list = []
        for (card_id, order_id), (earned, already) in amounts.items():
            order = orders.browse(order_id)
            card = cards.browse(card_id)
            target = card.program_id._loyalty_round_points(max(earned, 0.0) * ratios[order])
            lost = card._loyalty_expired_share(orders._name, [order_id]).get(order_id, 0.0)
            delta = min(target, max(earned - lost, 0.0)) - already
            if float_is_zero(delta, precision_digits=2):
                continue
            vals_list.append(
                {
                    "card_id": card_id,
                    "order_model": orders._name,
                    "order_id": order_id,
                    "entry_type": "refund",
                    "used": max(delta, 0.0),
                    "issued": max(-delta, 0.0),
                    "description": _("Refund on %s", order.display_name),
                }
            )
        lines = self.sudo().create(vals_list)
        lines.card_id._loyalty_sync_points()
        return lines

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
