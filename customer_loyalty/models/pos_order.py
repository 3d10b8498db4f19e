from collections import defaultdict

from odoo import _, models
from odoo.tools import float_round

from .loyalty_card import loyalty_points_flow


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
        """Earn (or, for a refund, take back) membership points for these paid orders, and
        upgrade the member's tier. Idempotent: an order synced twice earns once."""
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
                continue
            # Points are earned only in the shops where the program is available, as the POS
            # shows them only there.
            if not order.partner_id or program not in order.config_id.sudo()._get_program_ids():
                continue
            card = company._loyalty_member_cards(order.partner_id)[:1]
            if not card and company.loyalty_auto_enroll:
                card = (
                    self.env["loyalty.card"].sudo().with_company(company)
                    .with_context(loyalty_tier_reason="order")
                    .create({"program_id": program.id, "partner_id": order.partner_id.id})
                )
            if card:
                order._loyalty_accrue(card)

    def _loyalty_accrue(self, card):
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
        won = self._loyalty_membership_points(card.program_id, card.tier_id)
        spent = sum(self.lines.filtered(lambda line: line.coupon_id == card).mapped("points_cost"))
        if not won and not spent:
            return History
        line = History.create(
            {
                "card_id": card.id,
                "order_model": self._name,
                "order_id": self.id,
                "entry_type": "order",
                "issued": won,
                "used": spent,
                "description": _("Onsite %s", self.display_name),
            }
        )
        card._loyalty_sync_points()
        card._loyalty_update_tiers(reason="order", allow_downgrade=False, pos_order=self)
        return line

    def _loyalty_membership_points(self, program, tier):
        """Points this order earns from the membership ``program``: the same rules and the same
        arithmetic as pos_loyalty's ``pointsForPrograms`` in the browser (amounts taxes
        included, rounded half-up to 0.01 per rule), then the tier multiplier and the
        program's rounding down, as our ``pointsForPrograms`` patch does."""
        self.ensure_one()
        # Combo items count (they carry the combo's price; the combo line itself is at 0), as in
        # the browser, which counts every line.
        lines = self.lines.filtered(lambda line: line.qty)
        regular = lines.filtered(lambda line: not line.is_reward_line)
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
            excl = sum(rule_lines.mapped("price_subtotal"))
            check = incl if rule.minimum_amount_tax_mode == "incl" else excl
            if rule._compute_amount(self.currency_id) > check:
                continue
            qty = sum((regular & rule_lines).mapped("qty"))
            if qty < rule.minimum_qty:
                continue
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
        """Take back points earned on these orders in proportion to what POS refunds returned
        (Odoo leaves them: buy, earn, refund, keep the points). Idempotent."""
        History = self.env["loyalty.history"].sudo()
        cards = History.search(
            [("order_model", "=", self._name), ("order_id", "in", self.ids),
             ("entry_type", "=", "order"), ("card_id.program_id.is_membership_program", "=", True)]
        ).card_id
        if not cards:
            return History
        cards._loyalty_lock()
        totals = History._loyalty_order_totals(cards, self._name, self.ids)
        amounts = {
            key: (
                by_type["order"][0] - by_type["reversal"][1],
                by_type["refund"][1] - by_type["refund"][0],
            )
            for key, by_type in totals.items()
        }
        return History._loyalty_write_refunds(cards, self, amounts, self._loyalty_refunded_ratio())

    # -- pos_loyalty's client round trip -------------------------------------------------

    def _loyalty_membership_coupon_keys(self, coupon_data):
        """Keys of ``coupon_data`` (pos_loyalty's per-coupon dict) for the membership program."""
        program = self.company_id.loyalty_program_id
        return [key for key, vals in coupon_data.items() if vals.get("program_id") == program.id]

    def confirm_coupon_programs(self, coupon_data):
        """The membership points were already written at sync: neutralise the client's figure
        (kept only to link reward lines to the card), and don't let the POS create a member
        card for a customer who is not enrolled (unless automatic enrolment is on, in which case
        the card was created at sync too)."""
        coupon_data = {int(k): v for k, v in coupon_data.items()}
        for key in self._loyalty_membership_coupon_keys(coupon_data):
            coupon_data[key] = dict(coupon_data[key], points=0)
            if key < 0 and not self.company_id._loyalty_member_cards(self.partner_id):
                del coupon_data[key]
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
