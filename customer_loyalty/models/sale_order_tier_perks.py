"""Tier perks on sales orders: tier-only promotions and category bonus points.

Imported before ``sale_order.py`` on purpose: this class sits below it in the method order, so
that the membership points it returns from ``_program_check_compute_points`` (Odoo's figure
plus the category bonus) are then multiplied by the tier and rounded by ``sale_order.py``, as
the POS does (``static/src/pos/tier_perks.js`` then ``pos_order.js``)."""

# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import float_round


class SaleOrder(models.Model):
    _inherit = "sale.order"

    loyalty_bonus_points = fields.Float(
        string="Category Bonus",
        compute="_compute_loyalty_bonus_points",
        help="Points of the tier's category bonus included in the points this order earns "
        "(the points with the bonus, less the points without it).",
    )

    # ------------------------------------------------------------------
    # Tier-only promotions
    # ------------------------------------------------------------------

    def _loyalty_program_refusal(self, program):
        """Why this order's customer may not get ``program`` (a tier-only promotion), or False."""
        self.ensure_one()
        if not program or program.id not in program._loyalty_tier_restricted_ids():
            return False
        if program.is_membership_program or not program.sudo().tier_ids:
            return False
        return program._loyalty_tier_refusal(self._loyalty_member_card().tier_id)

    def _program_check_compute_points(self, programs):
        """A tier-only program is not applicable to customers of other tiers (nor to customers
        who are not members): Odoo then neither offers it nor applies it, and removes it from
        a quotation it was applied to. The membership program's points get the category bonus
        of the member's tier (before the tier multiplier, see ``sale_order.py``)."""
        result = super()._program_check_compute_points(programs)
        for program in programs:
            refusal = self._loyalty_program_refusal(program)
            if refusal:
                result[program] = {"error": refusal}
        membership = self.company_id.loyalty_program_id
        if (
            membership in programs
            and result.get(membership, {}).get("points")
            and not self.env.context.get("loyalty_no_category_bonus")
        ):
            bonus = self._loyalty_category_bonus(membership)
            if bonus:
                result[membership]["points"][0] += bonus
        return result

    def _get_claimable_rewards(self, forced_coupons=None):
        result = super()._get_claimable_rewards(forced_coupons=forced_coupons)
        for coupon in list(result):
            if self._loyalty_program_refusal(coupon.program_id):
                del result[coupon]
        return result

    def _apply_program_reward(self, reward, coupon, **kwargs):
        refusal = self._loyalty_program_refusal(reward.program_id)
        if refusal:
            return {"error": refusal}
        return super()._apply_program_reward(reward, coupon, **kwargs)

    def _try_apply_code(self, code):
        """A code of a tier-only program (a promo code, a coupon, a next-order coupon) is refused
        with the reason; Odoo would accept a next-order coupon and offer nothing."""
        rule = self.env["loyalty.rule"].search(
            expression.AND(
                [self._get_trigger_domain(), [("mode", "=", "with_code"), ("code", "=", code)]]
            ),
            limit=1,
        )
        program = rule.program_id or self.env["loyalty.card"].search(
            [("code", "=", code)], limit=1
        ).program_id
        refusal = self._loyalty_program_refusal(program)
        if refusal:
            return {"error": refusal}
        return super()._try_apply_code(code)

    def action_confirm(self):
        self._loyalty_check_tier_promotions()
        bonus = {order: order.loyalty_bonus_points for order in self}
        res = super().action_confirm()
        for order, points in bonus.items():
            if points > 0 and order.state == "sale":
                card = order._loyalty_member_card()
                order.message_post(
                    body=_(
                        "Category bonus of the tier %(tier)s: +%(points)s, included in the "
                        "points earned.",
                        tier=card.tier_id.name,
                        points=card._format_points(points),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return res

    def _loyalty_check_tier_promotions(self):
        """Refuse to confirm a quotation holding a promotion reserved for another tier (the
        customer's tier may have changed since it was applied)."""
        for order in self.filtered(lambda o: o.state in ("draft", "sent")):
            programs = (
                order.order_line.reward_id.program_id
                | order.coupon_point_ids.filtered("points").coupon_id.program_id
                | order.applied_coupon_ids.program_id
            )
            for program in programs:
                refusal = order._loyalty_program_refusal(program)
                if refusal:
                    raise UserError(
                        _(
                            "%(reason)s %(customer)s cannot have it on %(order)s: remove it "
                            "from the order (or update the promotions).",
                            reason=refusal,
                            customer=order.partner_id.display_name,
                            order=order.display_name,
                        )
                    )

    # ------------------------------------------------------------------
    # Category bonus points
    # ------------------------------------------------------------------

    @api.depends("order_line.price_total", "partner_id", "state")
    def _compute_loyalty_bonus_points(self):
        for order in self:
            program = order.company_id.loyalty_program_id
            bonus = 0.0
            if (
                program and order.partner_id and order.state in ("draft", "sent")
                and order._loyalty_may_have_category_bonus()
            ):
                tier = order._loyalty_member_card().tier_id
                if tier.sudo().category_bonus_ids:
                    with_bonus = order._program_check_compute_points(program).get(program, {})
                    without = order.with_context(
                        loyalty_no_category_bonus=True
                    )._program_check_compute_points(program).get(program, {})
                    bonus = sum(with_bonus.get("points", [])) - sum(without.get("points", []))
            order.loyalty_bonus_points = max(bonus, 0.0)

    def _loyalty_may_have_category_bonus(self):
        """False when the company has no category bonus at all (no query)."""
        return self.company_id.id in self.env["loyalty.tier.category.bonus"]._loyalty_company_ids()

    def _loyalty_category_bonus(self, program):
        """The membership points the category bonus of the customer's tier adds, before the
        tier multiplier: for each per-amount or per-unit rule of ``program`` that gives points
        on this order, each of its lines of a category with a bonus earns its points again,
        times (bonus - 1). One bonus per line (the highest of its category path). Per-order
        rules get no bonus; reward lines and combo items get none."""
        self.ensure_one()
        if not self._loyalty_may_have_category_bonus():
            return 0.0
        tier = self._loyalty_member_card().tier_id
        if not tier.sudo().category_bonus_ids:
            return 0.0
        lines = self._get_not_rewarded_order_lines().filtered(
            lambda line: not line.combo_item_id and line.product_uom_qty > 0
        )
        multipliers = tier._loyalty_category_multipliers(lines.product_id.categ_id)
        lines = lines.filtered(lambda line: line.product_id.categ_id.id in multipliers)
        if not lines:
            return 0.0
        products_per_rule = program._get_valid_products(lines.product_id)
        bonus = 0.0
        for rule in self._loyalty_rules_giving_points(program):
            if rule.reward_point_mode not in ("money", "unit"):
                continue
            products = products_per_rule.get(rule, self.env["product.product"])
            extra = 0.0
            for line in lines.filtered(lambda line, p=products: line.product_id in p):
                factor = multipliers[line.product_id.categ_id.id] - 1.0
                if rule.reward_point_mode == "money":
                    amount = self._get_order_line_price(line, "price_total")
                    extra += rule.reward_point_amount * amount * factor
                else:
                    extra += rule.reward_point_amount * line.product_uom_qty * factor
            if rule.reward_point_mode == "money":
                # As sale_loyalty rounds a rule's points.
                extra = float_round(extra, precision_digits=2, rounding_method="DOWN")
            bonus += extra
        return bonus

    def _loyalty_rules_giving_points(self, program):
        """The rules of ``program`` whose conditions this order meets (code, minimum amount,
        minimum quantity), judged as sale_loyalty's ``_program_check_compute_points`` does."""
        self.ensure_one()
        products = self._get_not_rewarded_order_lines().filtered(
            lambda line: not line.combo_item_id
        )
        so_products_per_rule = program._get_valid_products(self.order_line.product_id)
        products_per_rule = program._get_valid_products(products.product_id)
        threshold_lines = (self.order_line - self._get_no_effect_on_threshold_lines()).filtered(
            lambda line: not line.combo_item_id
            and not (
                line.reward_id.reward_type == "discount"
                and (line.reward_id.program_id.trigger == "auto"
                     or line.reward_id.program_id == program)
            )
        )
        rules = []
        for rule in program.rule_ids:
            if rule.mode == "with_code" and rule not in self.code_enabled_rule_ids:
                continue
            if not rule.reward_point_amount or not products_per_rule.get(rule):
                continue
            rule_lines = self.env["sale.order.line"]
            for line in threshold_lines:
                if line.product_id in so_products_per_rule.get(rule, []):
                    rule_lines |= line._get_lines_with_price()
            untaxed = sum(rule_lines.mapped("price_subtotal"))
            taxed = untaxed + sum(rule_lines.mapped("price_tax"))
            checked = taxed if rule.minimum_amount_tax_mode == "incl" and taxed else untaxed
            if rule._compute_amount(self.currency_id) > checked:
                continue
            rule_products = products_per_rule[rule]
            qty = sum(
                products.filtered(lambda line, p=rule_products: line.product_id in p).mapped(
                    "product_uom_qty"
                )
            )
            if qty < rule.minimum_qty:
                continue
            rules.append(rule)
        return rules
