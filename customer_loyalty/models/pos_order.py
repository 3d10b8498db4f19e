from collections import defaultdict

from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round

from .loyalty_card_points import loyalty_points_flow


class PosOrder(models.Model):
    """Membership points on POS orders are written by the server when the order is synced
    (``sync_from_ui``), once per order, whether the POS was online or not: the client's
    ``confirm_coupon_programs`` / ``add_loyalty_history_lines`` round trip, which an offline POS
    never makes, no longer moves member points; it only receives the server's figures."""

    _inherit = "pos.order"

    def _process_saved_order(self, draft):
        order_id = super()._process_saved_order(draft)
        if not draft and self.state in ("paid", "done", "invoiced"):
            self._loyalty_process_membership()
        return order_id

    # -- accrual ---------------------------------------------------------------------

    def _loyalty_process_membership(self):
        """Earn membership points for these paid orders, take back (in proportion) the points
        of the orders they refund, and upgrade the member's tier. An exchange (returned items
        and new items in one order) does both. Idempotent: an order synced twice earns once."""
        self.env["loyalty.card"]._loyalty_tier_metric_forget(self)
        for order in self:
            company = order.company_id
            program = company.loyalty_program_id
            if not program:
                continue
            # A refund takes back the points of the original order's card, whether or not the
            # customer was selected again on the refund.
            refunded = order.lines.refunded_orderline_id.order_id
            if refunded:
                refunded._loyalty_sync_pos_refunds()
            if not order.lines.filtered(lambda line: not line.refunded_orderline_id):
                continue
            # Points are earned only in the shops where the program is available, as the POS
            # shows them only there.
            if not order.partner_id or program not in order.config_id.sudo()._get_program_ids():
                order._loyalty_refuse_foreign_redemptions(self.env["loyalty.card"])
                continue
            if company.loyalty_auto_enroll:
                card = company._loyalty_enroll(order.partner_id, reason="order")[:1]
            else:
                card = company._loyalty_member_cards(order.partner_id)[:1]
            order._loyalty_refuse_foreign_redemptions(card)
            if card:
                order._loyalty_accrue(card)

    def _loyalty_refuse_foreign_redemptions(self, card):
        """Reward lines paid with member points must be paid with the customer's own card."""
        self.ensure_one()
        foreign = self.lines.coupon_id.filtered("is_membership") - card
        if foreign:
            raise UserError(
                _(
                    "The points of member card %(code)s cannot pay for an order of %(customer)s.",
                    code=", ".join(foreign.mapped("code")),
                    customer=self.partner_id.display_name or _("an anonymous customer"),
                )
            )

    def _loyalty_accrue(self, card):
        """Write the order's line in the member's ledger, once: the points the order earns
        (computed here, never taken from the POS) and the points its rewards cost, after the
        same checks as a sales order's confirmation, under the card's lock: the rewards are
        the member program's, allowed for the member's tier, and paid with points the member
        can spend now (not pending, not spent meanwhile at another till)."""
        self.ensure_one()
        History = self.env["loyalty.history"].sudo()
        card = card.sudo()
        card._loyalty_lock()
        if History.search_count(
            [("card_id", "=", card.id), ("order_model", "=", self._name),
             ("order_id", "=", self.id), ("entry_type", "=", "order")],
            limit=1,
        ):
            return History
        reward_lines = self.lines.filtered(lambda line: line.coupon_id == card)
        won = self._loyalty_membership_points(card.program_id, card.tier_id)
        self._loyalty_check_redemption(card, reward_lines, won)
        spent = sum(reward_lines.mapped("points_cost"))
        if not won and not spent:
            return History
        with loyalty_points_flow():
            line = History.create(
                {
                    "card_id": card.id,
                    "order_model": self._name,
                    "order_id": self.id,
                    "entry_type": "order",
                    "issued": won,
                    "used": spent,
                    "description": self._loyalty_accrual_description(card, won),
                }
            )
        card._loyalty_update_tiers(reason="order", allow_downgrade=False, pos_order=self)
        return line

    def _loyalty_check_redemption(self, card, reward_lines, won=0.0):
        """The refusals of a sales order's confirmation, at POS sync (see
        ``sale.order._loyalty_check_redemptions``). As in Sales (and as the POS shows it), an
        order may spend the points it earns itself, unless they are pending (a pending period)
        or the program gives them for future orders only."""
        for line in reward_lines:
            if line.points_cost < 0:
                raise UserError(_("A reward cannot cost a negative number of points."))
            reward = line.reward_id.sudo()  # cashiers do not read tiers
            if reward and reward.program_id != card.program_id:
                raise UserError(
                    _("The reward “%(reward)s” cannot be paid with membership points.",
                      reward=reward.description)
                )
            if reward.tier_ids and card.tier_id not in reward.tier_ids:
                raise UserError(
                    _(
                        "The reward “%(reward)s” is reserved for %(tiers)s members.",
                        reward=reward.description,
                        tiers=", ".join(reward.tier_ids.mapped("name")),
                    )
                )
        cost = sum(reward_lines.mapped("points_cost"))
        if cost > 0:
            spendable = card._loyalty_spendable_points()[card.id]
            program = card.program_id
            if not program.points_pending_days and program.applies_on != "future":
                spendable += won
            if float_compare(cost, spendable, precision_digits=2) > 0:
                raise UserError(
                    _(
                        "%(customer)s cannot pay for “%(rewards)s” with points: it costs "
                        "%(cost)s, and the member can spend %(spendable)s now.",
                        customer=card.partner_id.display_name,
                        rewards=", ".join(reward_lines.reward_id.mapped("description")),
                        cost=card._format_points(cost),
                        spendable=card._format_points(spendable),
                    )
                )

    def _loyalty_membership_points(self, program, tier):
        """Points this order earns from the membership ``program``: the same rules and the same
        arithmetic as pos_loyalty's ``pointsForPrograms`` in the browser (amounts taxes
        included, rounded half-up to 0.01 per rule), then the tier multiplier and the
        program's rounding down, as our ``pointsForPrograms`` patch does."""
        self.ensure_one()
        # Combo items count (they carry the combo's price; the combo line itself is at 0), as in
        # the browser, which counts every line.
        # Returned items of an exchange are settled by the refund of their order, not here.
        lines = self.lines.filtered(lambda line: line.qty and not line.refunded_orderline_id)
        regular = lines.filtered(lambda line: not line.is_reward_line)
        if not program.rule_ids.filtered(lambda rule: rule.reward_point_mode == "money"):
            # Per-unit points: a combo is one unit, as in Sales, not one more per item (the
            # items' prices, which a per-amount rule needs, do not matter). See combo_points.js.
            regular = regular.filtered(lambda line: not line.combo_parent_id)
        # Reward lines of this program, gift cards and e-wallets don't count (no feedback loop).
        counted = lines.filtered(
            lambda line: not line.is_reward_line
            or (
                line.reward_id.program_id != program
                and line.reward_id.program_id.program_type not in ("gift_card", "ewallet")
            )
        )
        valid_products = program._get_valid_products(lines.product_id)
        points = 0.0
        for rule in program.rule_ids.filtered(lambda r: r.mode == "auto"):
            products = valid_products.get(rule, self.env["product.product"])
            rule_lines = counted.filtered(lambda line, p=products: line.product_id in p)
            incl = sum(rule_lines.mapped("price_subtotal_incl"))
            # Automatic discounts lower the points, not the amount checked against the rule's
            # minimum (as in the browser and in sale_loyalty).
            threshold_lines = rule_lines.filtered(
                lambda line: line.reward_id.reward_type != "discount"
                or line.reward_id.program_id.trigger != "auto"
            )
            if rule.minimum_amount_tax_mode == "incl":
                check = sum(threshold_lines.mapped("price_subtotal_incl"))
            else:
                check = sum(threshold_lines.mapped("price_subtotal"))
            if rule._compute_amount(self.currency_id) > check:
                continue
            qty = sum((regular & rule_lines).mapped("qty"))
            if qty < rule.minimum_qty:
                continue
            points += self._loyalty_category_bonus_points(rule, regular & rule_lines, tier)
            if rule.reward_point_mode == "order":
                points += rule.reward_point_amount
            elif rule.reward_point_mode == "money":
                points += float_round(
                    rule.reward_point_amount * incl, precision_rounding=0.01,
                    rounding_method="HALF-UP",
                )
            elif rule.reward_point_mode == "unit":
                points += rule.reward_point_amount * qty
        if points <= 0:
            return 0.0
        return program._loyalty_round_points(points * (tier.multiplier or 1.0))

    def _loyalty_refunded_ratio(self):
        """``{order: share of it refunded by paid POS refund orders}`` (0 to 1)."""
        refund_lines = self.env["pos.order.line"].sudo().search(
            [
                ("refunded_orderline_id.order_id", "in", self.ids),
                ("order_id.state", "in", ("paid", "done", "invoiced")),
            ]
        )
        refunded = defaultdict(float)
        for line in refund_lines:
            refunded[line.refunded_orderline_id.order_id] += -line.price_subtotal_incl
        return {
            order: min(refunded[order] / order.amount_total, 1.0) if order.amount_total > 0 else 0.0
            for order in self
        }

    def _loyalty_sync_pos_refunds(self):
        """Take back the points earned on these orders, and give back the points they spent, in
        proportion to what POS refunds returned (Odoo leaves both as they were). Idempotent."""
        return self.env["loyalty.history"]._loyalty_sync_refunds(
            self._name, self, self._loyalty_refunded_ratio()
        )

    # -- pos_loyalty's client round trip -------------------------------------------------

    def _loyalty_membership_coupon_keys(self, coupon_data):
        """Keys of ``coupon_data`` (pos_loyalty's per-coupon dict) that concern member cards:
        existing cards decided by the card itself, new ones by the program they claim."""
        program = self.company_id.loyalty_program_id
        ids = {key for key in coupon_data if key > 0} | {
            int(vals["giftCardId"]) for vals in coupon_data.values() if vals.get("giftCardId")
        }
        existing = self.env["loyalty.card"].sudo().browse(ids).exists().filtered("is_membership")
        return [
            key for key, vals in coupon_data.items()
            if key in existing.ids or (key < 0 and vals.get("program_id") == program.id)
            or vals.get("giftCardId") in existing.ids
        ]

    def validate_coupon_programs(self, point_changes, new_codes):
        """Before payment, the POS asks whether its rewards can be paid: for member cards the
        answer uses the points the member can spend now (pending points are not spendable)."""
        result = super().validate_coupon_programs(point_changes, new_codes)
        if not result.get("successful"):
            return result
        changes = {int(key): value for key, value in point_changes.items()}
        cards = self.env["loyalty.card"].sudo().browse(
            key for key in changes if key > 0
        ).exists().filtered("is_membership")
        spendable = cards._loyalty_spendable_points()
        for card in cards:
            change = changes[card.id]
            if change < 0 and float_compare(-change, spendable[card.id], precision_digits=2) > 0:
                return {
                    "successful": False,
                    "payload": {
                        "message": _(
                            "%(customer)s can spend %(spendable)s now (balance %(balance)s); "
                            "the rewards of this order cost %(cost)s. Remove a reward.",
                            customer=card.partner_id.display_name,
                            spendable=card._format_points(spendable[card.id]),
                            balance=card._format_points(card.points),
                            cost=card._format_points(-change),
                        ),
                        "updated_points": {card.id: card.points},
                    },
                }
        return result

    def confirm_coupon_programs(self, coupon_data):
        """Membership points were already written at sync, from the server's own figures: the
        client's figure for a member card is dropped (the entry is kept only to link the reward
        lines to the card, and only for the card of the order's customer); the POS may not
        create a member card (automatic enrolment, when on, made it at sync), nor use a member
        card as a gift card."""
        coupon_data = {int(k): v for k, v in coupon_data.items()}
        own = self.company_id._loyalty_member_cards(self.partner_id)
        for key in self._loyalty_membership_coupon_keys(coupon_data):
            vals = coupon_data[key]
            if vals.get("giftCardId") or (key > 0 and key not in own.ids) or (key < 0 and not own):
                del coupon_data[key]
                continue
            coupon_data[key] = dict(vals, points=0)
        with loyalty_points_flow():
            return super().confirm_coupon_programs(coupon_data)

    def add_loyalty_history_lines(self, coupon_data, coupon_updates):
        """Member cards' ledger lines are written at sync; only the other programs' go here."""
        id_mapping = {item["old_id"]: int(item["id"]) for item in coupon_updates}
        cards = self.env["loyalty.card"].browse(
            id_mapping.get(int(c["card_id"])) or int(c["card_id"]) for c in coupon_data
        ).exists()
        members = cards.filtered("is_membership").ids
        coupon_data = [
            c for c in coupon_data
            if (id_mapping.get(int(c["card_id"])) or int(c["card_id"])) not in members
        ]
        return super().add_loyalty_history_lines(coupon_data, coupon_updates)
