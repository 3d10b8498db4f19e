"""Tier perks on POS orders, enforced by the server at sync as in Sales: tier-only promotions
and category bonus points (the same figure as ``static/src/pos/tier_perks.js``)."""

# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools import float_round


class PosOrder(models.Model):
    _inherit = "pos.order"

    def _loyalty_customer_tier(self):
        self.ensure_one()
        return self.company_id._loyalty_member_cards(self.partner_id)[:1].sudo().tier_id

    def _process_saved_order(self, draft):
        if not draft and self.state == "draft":
            self._loyalty_check_tier_promotions()
        return super()._process_saved_order(draft)

    def _loyalty_check_tier_promotions(self):
        """Refuse (the POS keeps the order to sync again) an order holding a reward of a
        promotion reserved for other tiers than the customer's. Returned items are not checked:
        they were allowed when they were sold."""
        for order in self:
            lines = order.lines.filtered(lambda line: not line.refunded_orderline_id)
            programs = lines.reward_id.program_id.sudo().filtered(
                lambda p: p.tier_ids and not p.is_membership_program
            )
            if not programs:
                continue
            tier = order._loyalty_customer_tier()
            for program in programs:
                refusal = program._loyalty_tier_refusal(tier)
                if refusal:
                    raise UserError(
                        _(
                            "%(reason)s %(customer)s cannot have it: remove the reward from "
                            "the order.",
                            reason=refusal,
                            customer=order.partner_id.display_name
                            or _("an anonymous customer"),
                        )
                    )

    def confirm_coupon_programs(self, coupon_data):
        """Points and new coupons of a tier-only program (a next-order coupon, another loyalty
        card) are given only to customers of its tiers, whatever the POS sent."""
        coupon_data = {int(key): vals for key, vals in coupon_data.items()}
        Program = self.env["loyalty.program"].sudo()
        cards = self.env["loyalty.card"].sudo().browse(k for k in coupon_data if k > 0).exists()
        tier = self._loyalty_customer_tier()
        for key, vals in list(coupon_data.items()):
            card = cards.filtered(lambda c, k=key: c.id == k)
            program = card.program_id or Program.browse(vals.get("program_id")).exists()
            if program and not program.is_membership_program and program._loyalty_tier_refusal(
                tier
            ):
                if key < 0:
                    del coupon_data[key]
                else:
                    coupon_data[key] = dict(vals, points=0)
        return super().confirm_coupon_programs(coupon_data)

    # -- category bonus -----------------------------------------------------------------

    def _loyalty_category_bonus_points(self, rule, lines, tier):
        """Called by ``_loyalty_membership_points`` for each rule that gives points: what the
        category bonus of ``tier`` adds for ``lines`` (the rule's regular lines), before the
        tier multiplier. Each line of a category with a bonus earns the rule's points again,
        times (bonus - 1); per-amount points rounded half-up to 0.01 per rule as the POS does."""
        if (
            self.env.context.get("loyalty_no_category_bonus")
            or rule.reward_point_mode not in ("money", "unit")
            or not tier
            or self.company_id.id not in self.env[
                "loyalty.tier.category.bonus"
            ]._loyalty_company_ids()
        ):
            return 0.0
        multipliers = tier._loyalty_category_multipliers(lines.product_id.categ_id)
        if not multipliers:
            return 0.0
        extra = 0.0
        for line in lines.filtered(lambda line: line.qty > 0):
            factor = multipliers.get(line.product_id.categ_id.id, 1.0) - 1.0
            if factor <= 0:
                continue
            if rule.reward_point_mode == "money":
                extra += rule.reward_point_amount * line.price_subtotal_incl * factor
            else:
                extra += rule.reward_point_amount * line.qty * factor
        if rule.reward_point_mode == "money":
            extra = float_round(extra, precision_rounding=0.01, rounding_method="HALF-UP")
        return extra

    def _loyalty_accrual_description(self, card, won):
        """The member's ledger line of this order, in the member's language, with the category
        bonus it includes (no hidden effect)."""
        env = card._loyalty_member_env()
        text = env._("Onsite %s", self.display_name)
        bonus_companies = self.env["loyalty.tier.category.bonus"]._loyalty_company_ids()
        if not won or card.company_id.id not in bonus_companies:
            return text
        without = self.with_context(loyalty_no_category_bonus=True)._loyalty_membership_points(
            card.program_id, card.tier_id
        )
        if won > without:
            text = env._(
                "%(order)s (category bonus: +%(points)s)",
                order=text,
                points=card.with_env(env)._format_points(won - without),
            )
        return text
