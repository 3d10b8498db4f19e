from collections import defaultdict

from odoo import _, api, fields, models

from .loyalty_card import loyalty_points_flow


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "loyalty.customer.tier.mixin"]

    def _loyalty_member_card(self):
        self.ensure_one()
        return self.company_id._loyalty_member_cards(self.partner_id)[:1]

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
            multiplier = card.tier_id.multiplier or 1.0
            result[membership]["points"] = [
                membership._loyalty_round_points(points * multiplier) if points > 0 else points
                for points in result[membership]["points"]
            ]
        return result

    def action_confirm(self):
        orders = self._loyalty_membership_orders()
        for company in orders.company_id.filtered("loyalty_auto_enroll"):
            partners = orders.filtered(lambda o, co=company: o.company_id == co).partner_id
            new = partners - company._loyalty_member_cards(partners).partner_id
            if new:
                self.env["loyalty.card"].sudo().with_company(company).with_context(
                    loyalty_tier_reason="order"
                ).create([
                    {"program_id": company.loyalty_program_id.id, "partner_id": p.id, "points": 0}
                    for p in new
                ])
        # Lock the member cards before Odoo checks the balances, so that two confirmations
        # spending the same points are serialised and the second one sees the first.
        self._loyalty_cards_to_lock()._loyalty_lock()
        with loyalty_points_flow():
            res = super(SaleOrder, self.with_context(loyalty_cards_locked=True)).action_confirm()
        # An order confirmed again after a cancellation may have standing credit notes.
        orders.filtered("invoice_ids")._loyalty_sync_refunds()
        orders._loyalty_update_member_tiers()
        return res

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

    def _get_real_points_for_coupon(self, coupon, post_confirm=False):
        """Points still pending (inside the return window) cannot be spent, nor can the points
        this quotation will earn, which are pending once it is confirmed. A balance below
        zero (points spent, then the order that earned them cancelled or refunded) pays for
        nothing, but does not stop the member from buying without a reward."""
        points = super()._get_real_points_for_coupon(coupon, post_confirm=post_confirm)
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
            cards |= order._loyalty_member_card()
        return cards.filtered("is_membership")

    def _update_loyalty_history(self, coupon_id, points):
        """Odoo edits the order's ledger line when a reward is added to a confirmed order;
        member ledgers are append-only, so this writes a new line instead."""
        if not coupon_id.is_membership:
            return super()._update_loyalty_history(coupon_id, points)
        self.ensure_one()
        self.env["loyalty.history"].sudo().create(
            {
                "card_id": coupon_id.id,
                "order_model": self._name,
                "order_id": self.id,
                "entry_type": "order",
                "used": points,
                "description": _("Order %s", self.display_name),
            }
        )
        return None

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
                lambda order: self.env._("Cancellation of %s", order.display_name),
            )
            cards._loyalty_sync_points()
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
        """Take back (or give back) the points earned on these orders in proportion to what
        their posted credit notes refund. Idempotent: it writes only the difference between
        what should have been taken back and what already was.

        Only the order's current confirmation counts: a cancellation settles everything before
        it (see ``_action_cancel``), so an order confirmed again after a cancellation earns
        anew and its standing credit notes take their share of the new points."""
        orders = self.filtered(lambda o: o.state == "sale")
        cards = orders._loyalty_cards_to_lock()
        if not cards:
            return self.env["loyalty.history"]
        cards._loyalty_lock()
        History = self.env["loyalty.history"].sudo()
        # {(card_id, order_id): [earned, taken back by refunds]} since the last cancellation
        current = defaultdict(lambda: [0.0, 0.0])
        lines = History.search(
            [
                ("card_id", "in", cards.ids),
                ("order_model", "=", self._name),
                ("order_id", "in", orders.ids),
            ],
            order="id",
        )
        for line in lines:
            key = (line.card_id.id, line.order_id)
            if line.entry_type == "reversal":
                current[key] = [0.0, 0.0]
            elif line.entry_type == "order":
                current[key][0] += line.issued
            elif line.entry_type == "refund":
                current[key][1] += line.used - line.issued
        return History._loyalty_write_refunds(
            cards, orders, dict(current), orders._loyalty_refunded_ratio()
        )
