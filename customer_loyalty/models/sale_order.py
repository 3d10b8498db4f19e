from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from .loyalty_card_points import loyalty_points_flow
from .loyalty_memo import loyalty_memo, memo_of


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "loyalty.customer.tier.mixin"]

    def _loyalty_member_card(self):
        self.ensure_one()
        return self.company_id._loyalty_member_cards(self.partner_id)[:1]

    def _loyalty_cards_of_customer(self):
        """The member cards whose points may pay for rewards on these orders: their customers'."""
        cards = self.env["loyalty.card"]
        for order in self:
            cards |= order.company_id._loyalty_member_cards(order.partner_id)
        return cards

    def _loyalty_membership_orders(self):
        """Orders whose customer holds (or may get) a card of the company's membership program."""
        return self.filtered(lambda o: o.company_id.loyalty_program_id and o.partner_id)

    def _program_check_compute_points(self, programs):
        """The membership program only gives points to members (a customer who is not enrolled
        gets none; automatic enrolment, when enabled, happens at confirmation). Members' points
        are multiplied by their tier's multiplier, then rounded down to the program's points
        rounding."""
        result = super()._program_check_compute_points(programs)
        membership = self.company_id.loyalty_program_id
        if membership not in programs:
            return result
        card = self._loyalty_member_card()
        if not card:
            result[membership] = {
                "error": _("%(customer)s is not a member of %(program)s.",
                           customer=self.partner_id.display_name, program=membership.name)
            }
        elif "points" in result.get(membership, {}):
            if card.tier_id:
                # The ladder is cached: the multiplier is read without a query.
                self.env["loyalty.card"]._loyalty_company_tiers(card.company_id)
            multiplier = card.tier_id.multiplier or 1.0
            result[membership]["points"] = [
                membership._loyalty_round_points(points * multiplier) if points > 0 else points
                for points in result[membership]["points"]
            ]
        return result

    def action_confirm(self):
        # The member cards, their pending points and the tier ladder are looked up once for the
        # whole confirmation (see loyalty_memo.py).
        with loyalty_memo():
            orders = self._loyalty_membership_orders()
            for company in orders.company_id.filtered("loyalty_auto_enroll"):
                partners = orders.filtered(lambda o, co=company: o.company_id == co).partner_id
                company._loyalty_enroll(partners, reason="order")
            # Lock the member cards that the orders spend before Odoo checks the balances, so
            # that two confirmations spending the same points are serialised and the second one
            # sees the first (the lock also reads the pending points that the check subtracts).
            # A card an order only earns on is locked when its ledger line moves its balance.
            cards = self._loyalty_cards_to_lock()
            (cards & self.order_line.coupon_id)._loyalty_lock(with_pending=True)
            self._loyalty_note_unspent_cards(cards)
            self._loyalty_check_redemptions()
            with loyalty_points_flow():
                res = super().action_confirm()
            # An order confirmed again after a cancellation may have standing credit notes (its
            # invoice lines, not invoice_ids: no computation of the invoices of a new order).
            orders.filtered(lambda o: o.order_line.invoice_lines)._loyalty_sync_refunds()
            orders._loyalty_update_member_tiers()
        return res

    def _loyalty_check_redemptions(self):
        """Refuse, with the figures, an order whose rewards cost more member points than the
        member can spend (Odoo's own check only says that "one or more rewards" are invalid)."""
        for order in self.filtered(lambda o: o.state in ("draft", "sent")):
            member_rewards = order.order_line.filtered(
                lambda line: line.reward_id and line.coupon_id.is_membership
            )
            for line in member_rewards:
                refusal = order._loyalty_reward_refusal(line.reward_id)
                if refusal:
                    raise UserError(refusal)
            # Only what the order spends can be refused (an order spending nothing passes).
            for card in member_rewards.coupon_id:
                available = order._get_real_points_for_coupon(card)
                if available >= 0:
                    continue
                lines = order.order_line.filtered(lambda line, c=card: line.coupon_id == c)
                cost = sum(lines.mapped("points_cost"))
                pending = card._loyalty_pending_points().get(card.id, 0.0)
                raise UserError(
                    _(
                        "%(customer)s cannot pay for “%(rewards)s” with points: it costs "
                        "%(cost)s, and the member can spend %(spendable)s now (balance "
                        "%(balance)s, of which %(pending)s pending until the return period "
                        "ends). Remove the reward or lower it.",
                        customer=order.partner_id.display_name,
                        rewards=", ".join(lines.reward_id.mapped("description")),
                        cost=card._format_points(cost),
                        spendable=card._format_points(max(card.points - pending, 0.0)),
                        balance=card._format_points(card.points),
                        pending=card._format_points(pending),
                    )
                )

    def _loyalty_update_member_tiers(self):
        """Upgrade the members of these (just confirmed) orders at once; downgrades wait for
        the daily review."""
        for order in self.filtered(lambda o: o.state == "sale"):
            # The order of a member's contact counts for the member (see _loyalty_metric_sql).
            customers = order.partner_id | order.partner_id.parent_id
            cards = order.company_id._loyalty_member_cards(customers)
            cards._loyalty_update_tiers(reason="order", order=order, allow_downgrade=False)

    # ------------------------------------------------------------------
    # Points: multiplier, pending points, tier-only rewards, locks, ledger on cancel/refund
    # ------------------------------------------------------------------

    loyalty_points_preview = fields.Float(
        string="Points to Earn",
        compute="_compute_loyalty_points_preview",
        help="Membership points this order gives the customer once confirmed "
        "(tier multiplier included).",
    )

    loyalty_card_id = fields.Many2one(
        "loyalty.card", string="Member Card", compute="_compute_loyalty_points_spendable"
    )
    loyalty_points_spendable = fields.Float(
        string="Spendable Points",
        compute="_compute_loyalty_points_spendable",
        digits=(16, 0),
        help="Points the customer can spend on rewards now: the balance less points still "
        "pending (inside the return period).",
    )

    @api.depends("partner_id", "company_id")
    def _compute_loyalty_points_spendable(self):
        for order in self:
            card = order.company_id._loyalty_member_cards(order.partner_id)[:1]
            order.loyalty_card_id = card
            order.loyalty_points_spendable = (
                card._loyalty_spendable_points()[card.id] if card else 0.0
            )

    @api.depends("order_line.price_total", "partner_id", "state")
    def _compute_loyalty_points_preview(self):
        for order in self:
            program = order.company_id.loyalty_program_id
            points = 0.0
            if program and order.partner_id and order.state in ("draft", "sent"):
                status = order._program_check_compute_points(program).get(program, {})
                points = sum(status.get("points", []))
            elif program and order.state == "sale":
                points = sum(
                    order.coupon_point_ids.filtered(
                        lambda p, pr=program: p.coupon_id.program_id == pr
                    ).mapped("points")
                )
            order.loyalty_points_preview = points

    def _loyalty_note_unspent_cards(self, cards):
        """Before sale_loyalty confirms these orders, note the member cards among ``cards``
        that an order earns on without spending them (see ``_get_real_points_for_coupon``)."""
        unspent = memo_of("unspent_cards")
        if unspent is None:
            return
        for order in self:
            spent = order.order_line.coupon_id
            checked = order.applied_coupon_ids | order.coupon_point_ids.coupon_id | spent
            for card in (cards & checked) - spent:
                unspent[order.id, card.id] = True

    def _get_real_points_for_coupon(self, coupon, post_confirm=False):
        """Points still pending (inside the return window) cannot be spent, nor can the points
        this quotation will earn, which are pending once it is confirmed. A balance below
        zero (points spent, then the order that earned them cancelled or refunded) pays for
        nothing, but does not stop the member from buying without a reward."""
        points = super()._get_real_points_for_coupon(coupon, post_confirm=post_confirm)
        unspent = memo_of("unspent_cards")
        if unspent and unspent.pop((self.id, coupon.id), None):
            # sale_loyalty's check before confirming asks, once per card, whether the order
            # spends more than the card holds. A card the order does not spend never does (a
            # figure below zero is zero, see below): its pending points need no query.
            return max(points, 0.0)
        if coupon.is_membership:
            points -= coupon._loyalty_pending_points().get(coupon.id, 0.0)
            program = coupon.program_id
            if (
                program.points_pending_days
                and program.applies_on != "future"
                and self.state not in ("sale", "done")
            ):
                own = self.coupon_point_ids.filtered(lambda pe: pe.coupon_id == coupon)
                points -= sum(own.mapped("points"))
            if points < 0 and not self.order_line.filtered(lambda line: line.coupon_id == coupon):
                points = 0.0
        return points

    def _loyalty_reward_refusal(self, reward):
        """Why this order's customer may not claim ``reward`` (tier-only rewards), or False."""
        self.ensure_one()
        if not reward.tier_ids:
            return False
        tier = self._loyalty_member_card().tier_id
        if tier in reward.tier_ids:
            return False
        return _(
            "The reward “%(reward)s” is reserved for %(tiers)s members.",
            reward=reward.description,
            tiers=", ".join(reward.tier_ids.mapped("name")),
        )

    def _get_claimable_rewards(self, forced_coupons=None):
        result = super()._get_claimable_rewards(forced_coupons=forced_coupons)
        for coupon in list(result):
            result[coupon] = result[coupon].filtered(
                lambda r: not self._loyalty_reward_refusal(r)
            )
            if not result[coupon]:
                del result[coupon]
        return result

    def _apply_program_reward(self, reward, coupon, **kwargs):
        refusal = self._loyalty_reward_refusal(reward)
        if refusal:
            return {"error": refusal}
        return super()._apply_program_reward(reward, coupon, **kwargs)

    def _loyalty_cards_to_lock(self):
        cards = (
            self.applied_coupon_ids | self.coupon_point_ids.coupon_id | self.order_line.coupon_id
        )
        for order in self:
            company, partner = order.company_id, order.partner_id
            # A card of the order's own in the membership program, active, of its customer, is
            # the member card (one per member, see loyalty_card.init): no search for it.
            own = cards.filtered(
                lambda c, co=company, p=partner: c.is_membership and c.active
                and c.program_id == co.loyalty_program_id and c.partner_id == p
            )
            if len(own) == 1:
                company._loyalty_member_cards_remember(partner.ids, own)
            cards |= order._loyalty_member_card()
        return cards.filtered("is_membership")

    def _update_loyalty_history(self, coupon_id, points):
        """Odoo edits the order's ledger line when a reward is added to a confirmed order;
        member ledgers are append-only, so this writes a new line instead, once the card is
        locked and the member is known to have the points."""
        if not coupon_id.is_membership:
            return super()._update_loyalty_history(coupon_id, points)
        self.ensure_one()
        coupon_id._loyalty_lock()
        spendable = coupon_id._loyalty_spendable_points()[coupon_id.id]
        if points > 0 and float_compare(points, spendable, precision_digits=2) > 0:
            raise UserError(
                _(
                    "%(customer)s can spend %(spendable)s now; this reward costs %(cost)s.",
                    customer=coupon_id.partner_id.display_name,
                    spendable=coupon_id._format_points(spendable),
                    cost=coupon_id._format_points(points),
                )
            )
        self.env["loyalty.history"].sudo().create(
            {
                "card_id": coupon_id.id,
                "order_model": self._name,
                "order_id": self.id,
                "entry_type": "order",
                "issued": max(-points, 0.0),
                "used": max(points, 0.0),
                "description": coupon_id._loyalty_member_env()._("Order %s", self.display_name),
            }
        )
        return None

    def _add_loyalty_history_lines(self):
        # The ledger line's description ("Order S00012") in the customer's language.
        return super(
            SaleOrder, self.with_context(lang=self.partner_id.lang or self.env.lang)
        )._add_loyalty_history_lines()

    def _add_points_for_coupon(self, coupon_points):
        """On a confirmed order Odoo adds the points of a recomputation to the card by hand,
        with no ledger line; a member's points were earned at confirmation and change only by
        cancellation or refund, so member cards keep them."""
        if self.state == "sale":
            coupon_points = {
                coupon: points for coupon, points in coupon_points.items()
                if not coupon.is_membership
            }
        return super()._add_points_for_coupon(coupon_points)

    def _compute_loyalty_data(self):
        """The order's footer ("Issued / Used"): for member cards, what the order's current
        confirmation earned and spent, net of refunds (Odoo adds up every line ever written for
        the order, so an order cancelled and confirmed again showed its points twice)."""
        super()._compute_loyalty_data()
        orders = self.filtered(lambda o: o.state == "sale" and o.id and o.loyalty_data)
        if not orders:
            return
        lines = self.env["loyalty.history"].sudo().search(
            [("order_model", "=", self._name), ("order_id", "in", orders.ids)], order="id"
        )
        others = defaultdict(lambda: [0.0, 0.0])  # order_id -> [issued, used]
        members = defaultdict(lambda: [0.0, 0.0])  # (card_id, order_id) -> [earned, spent]
        for line in lines:
            if not line.is_membership:
                others[line.order_id][0] += line.issued
                others[line.order_id][1] += line.used
                continue
            key = (line.card_id.id, line.order_id)
            if line.entry_type == "reversal":  # a cancellation settles everything before it
                members[key] = [0.0, 0.0]
            elif line.entry_type == "order":
                members[key][0] += line.issued
                members[key][1] += line.used
            elif line.entry_type == "refund":
                members[key][0] -= line.used - line.issued
            elif line.entry_type == "refund_redeemed":
                members[key][1] -= line.issued - line.used
        totals = defaultdict(lambda: [0.0, 0.0])
        for order_id, (issued, used) in others.items():
            totals[order_id][0] += issued
            totals[order_id][1] += used
        for (_card_id, order_id), (earned, spent) in members.items():
            totals[order_id][0] += earned
            totals[order_id][1] += spent
        for order in orders:
            issued, cost = totals[order.id]
            order.loyalty_data = dict(order.loyalty_data, issued=issued, cost=cost)

    def _action_cancel(self):
        previously_confirmed = self.filtered(lambda s: s.state == "sale")
        cards = previously_confirmed._loyalty_cards_to_lock()
        cards._loyalty_lock()
        with loyalty_points_flow():
            res = super(SaleOrder, self.with_context(loyalty_ledger_keep=True))._action_cancel()
        self.env["loyalty.card"]._loyalty_tier_metric_forget(previously_confirmed)
        if cards:
            self.env["loyalty.history"]._loyalty_reverse_orders(
                cards,
                self._name,
                previously_confirmed,
                lambda order, env: env._("Cancellation of %s", order.display_name),
            )
        return res

    def _loyalty_refunded_ratio(self):
        """``{order: share of the order refunded by posted credit notes}`` (0 to 1)."""
        ratios = {}
        lines = self.env["account.move.line"].sudo().search(
            [
                ("sale_line_ids.order_id", "in", self.ids),
                ("move_id.move_type", "=", "out_refund"),
                ("move_id.state", "=", "posted"),
                ("display_type", "=", "product"),
            ]
        )
        refunded = defaultdict(float)
        for line in lines:
            for order in line.sale_line_ids.order_id:
                refunded[order] += line.price_total
        for order in self:
            total = order.amount_total
            ratios[order] = min(refunded[order] / total, 1.0) if total > 0 else 0.0
        return ratios

    def _loyalty_sync_refunds(self):
        """Take back (or give back) the points earned and spent on these orders in proportion
        to what their posted credit notes refund (see ``loyalty.history._loyalty_sync_refunds``).
        Idempotent."""
        orders = self.filtered(lambda o: o.state == "sale")
        if not orders:
            return self.env["loyalty.history"]
        return self.env["loyalty.history"]._loyalty_sync_refunds(
            self._name, orders, orders._loyalty_refunded_ratio()
        )
