from collections import defaultdict

from odoo import _, api, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_is_zero

from .loyalty_card_points import loyalty_points_flow


class SaleOrderLine(models.Model):
    """Reward lines paid with member points.

    sale_loyalty moves the card's points by hand when a reward line of a confirmed order is
    added, changed or removed. For member cards the hand-made change is dropped (see
    ``loyalty_card_points.py``) and the ledger line written here (or by
    ``sale.order._update_loyalty_history``) moves the balance instead."""

    _inherit = "sale.order.line"

    @api.constrains("coupon_id", "points_cost", "reward_id", "order_partner_id")
    def _check_loyalty_member_reward(self):
        for line in self.filtered(lambda line: line.coupon_id.is_membership):
            card = line.coupon_id
            if line.points_cost < 0:
                raise ValidationError(
                    _("A reward cannot cost a negative number of points (%(reward)s).",
                      reward=line.name)
                )
            if line.reward_id and line.reward_id.program_id != card.program_id:
                raise ValidationError(
                    _(
                        "The reward “%(reward)s” is not a reward of %(program)s: it cannot be "
                        "paid with the member's points.",
                        reward=line.reward_id.description,
                        program=card.program_id.name,
                    )
                )
            if card not in line.order_id._loyalty_cards_of_customer():
                raise ValidationError(
                    _(
                        "The member card %(code)s is not the card of %(customer)s: its points "
                        "cannot pay for this order.",
                        code=card.code,
                        customer=line.order_id.partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        with loyalty_points_flow():
            return super().create(vals_list)

    def write(self, vals):
        if "points_cost" not in vals:
            return super().write(vals)
        confirmed = self.filtered(
            lambda line: line.state == "sale" and line.coupon_id.is_membership
        )
        # On a confirmed order, the only change of a member reward's cost that Odoo makes is
        # the reset of a reward being removed (cost and price set to zero): the points go back
        # to the member. Any other change would move points without a redemption.
        resetting = vals.get("points_cost") == 0 and vals.get("price_unit") == 0
        changed = confirmed.filtered(
            lambda line: not float_is_zero(
                line.points_cost - vals["points_cost"], precision_digits=2
            )
        )
        if changed and not resetting:
            raise UserError(
                _(
                    "The points cost of a reward on a confirmed order cannot be changed. Cancel "
                    "the order, or remove the reward."
                )
            )
        give_back = {line: line.points_cost for line in changed}
        with loyalty_points_flow():
            res = super().write(vals)
        self._loyalty_give_back_points(give_back)
        return res

    def unlink(self):
        # Odoo gives the points of removed reward lines of a confirmed order back by hand (and
        # removes the other lines of the same reward with them).
        keys = {
            (line.reward_id, line.coupon_id, line.reward_identifier_code)
            for line in self if line.reward_id
        }
        related = self | self.order_id.order_line.filtered(
            lambda line: (line.reward_id, line.coupon_id, line.reward_identifier_code) in keys
        )
        give_back = {
            line: line.points_cost
            for line in related
            if line.state == "sale" and line.coupon_id.is_membership and line.points_cost
        }
        orders = {line: line.order_id for line in give_back}
        with loyalty_points_flow():
            res = super().unlink()
        self._loyalty_give_back_points(give_back, orders)
        return res

    @api.model
    def _loyalty_give_back_points(self, give_back, orders=None):
        """One ledger line per (card, order) returning the points of reward lines removed from
        (or reset on) confirmed orders. ``give_back``: ``{line: points}``."""
        totals = defaultdict(float)
        for line, points in give_back.items():
            order = (orders or {}).get(line) or line.order_id
            totals[line.coupon_id, order] += points
        vals_list = [
            {
                "card_id": card.id,
                "order_model": order._name,
                "order_id": order.id,
                "entry_type": "order",
                "issued": points,
                "description": card._loyalty_member_env()._(
                    "Reward removed from %s", order.display_name
                ),
            }
            for (card, order), points in totals.items()
            if points > 0
        ]
        if vals_list:
            with loyalty_points_flow():
                self.env["loyalty.history"].sudo().create(vals_list)
