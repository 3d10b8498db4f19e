# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import ormcache


class LoyaltyTierCategoryBonus(models.Model):
    """Bonus points of a tier on a product category (and its sub-categories): the points an
    order line of the category earns from the membership program are multiplied by
    ``multiplier``, on top of the tier's multiplier (Gold x1.5 with x2 on Services: a service
    line earns x3). One bonus per line: when several categories of the line's category path
    have a bonus, the highest applies (never the product of them)."""

    _name = "loyalty.tier.category.bonus"
    _description = "Membership Tier Category Bonus"
    _order = "tier_id, categ_id"

    tier_id = fields.Many2one("loyalty.tier", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="tier_id.company_id", store=True, index=True)
    categ_id = fields.Many2one(
        "product.category", string="Product Category", required=True, ondelete="cascade",
        help="Products of this category and of its sub-categories.",
    )
    multiplier = fields.Float(
        string="Bonus Multiplier",
        default=2.0,
        digits=(16, 2),
        help="Points earned on these products are multiplied by this factor, on top of the "
        "tier's multiplier.",
    )

    _sql_constraints = [
        (
            "tier_categ_unique",
            "UNIQUE(tier_id, categ_id)",
            "A tier has one bonus per product category.",
        ),
    ]

    @api.model
    @ormcache()
    def _loyalty_company_ids(self):
        """Ids of the companies with a category bonus. Cached: every points computation of an
        order asks, and most shops have none (then the bonus costs no query at all)."""
        return frozenset(
            company.id for [company] in self.sudo()._read_group([], ["company_id"])
        )

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.constrains("multiplier")
    def _check_multiplier(self):
        for bonus in self:
            if bonus.multiplier <= 1.0:
                raise ValidationError(
                    _(
                        "The bonus of the tier “%(tier)s” on “%(category)s” must multiply the "
                        "points by more than 1 (for example 2 for double points).",
                        tier=bonus.tier_id.name,
                        category=bonus.categ_id.display_name,
                    )
                )


class LoyaltyTier(models.Model):
    _inherit = "loyalty.tier"

    category_bonus_ids = fields.One2many(
        "loyalty.tier.category.bonus", "tier_id", string="Category Bonuses"
    )

    def _loyalty_category_multipliers(self, categories):
        """``{category id: bonus multiplier}`` of this tier for ``categories`` (product.category),
        only those with a bonus: the highest bonus among the category and its parents."""
        bonuses = {b.categ_id.id: b.multiplier for b in self.sudo().category_bonus_ids}
        if not bonuses:
            return {}
        result = {}
        for category in categories:
            path = [int(cid) for cid in (category.parent_path or "").split("/") if cid]
            best = max((bonuses[cid] for cid in path if cid in bonuses), default=0.0)
            if best > 1.0:
                result[category.id] = best
        return result


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The POS reads ``{category id: multiplier}`` of the member's tier (sub-categories included)
    # and applies it as the server does when the order is synced.
    loyalty_category_bonus = fields.Json(compute="_compute_loyalty_category_bonus")

    @api.depends("loyalty_tier_id")
    def _compute_loyalty_category_bonus(self):
        Category = self.env["product.category"].sudo()
        per_tier = {}  # the POS loads many members of few tiers
        for partner in self:
            tier = partner.loyalty_tier_id.sudo()
            if tier not in per_tier:
                per_tier[tier] = {}
                if tier.category_bonus_ids:
                    categories = Category.search(
                        [("id", "child_of", tier.category_bonus_ids.categ_id.ids)]
                    )
                    per_tier[tier] = {
                        str(cid): multiplier
                        for cid, multiplier in tier._loyalty_category_multipliers(
                            categories
                        ).items()
                    }
            partner.loyalty_category_bonus = per_tier[tier]

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [*super()._load_pos_data_fields(config_id), "loyalty_category_bonus"]
