# A class of its own on purpose: the perk lines of the perks other files define (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import api, models
from odoo.tools import formatLang


class LoyaltyTier(models.Model):
    """The lines of the enforced perks defined outside ``loyalty_tier_perks.py``: bonus points
    per product category, tier-only promotions, and the welcome, birthday and anniversary gifts.
    Each line says what the member gets, so that nothing applies without being shown."""

    _inherit = "loyalty.tier"

    # The perks shown follow these too (an override's decorators replace the original's).
    @api.depends(
        "pricelist_id", "description", "category_bonus_ids.multiplier",
        "category_bonus_ids.categ_id", "gift_ids.occasion", "gift_ids.points",
        "gift_ids.coupon_program_id", "gift_ids.active",
    )
    @api.depends_context("lang")
    def _compute_perks_html(self):
        return super()._compute_perks_html()

    def _loyalty_perk_lines(self):
        lines = super()._loyalty_perk_lines()
        # sudo: members (portal) and cashiers read the names of what the tier gives only.
        tier = self.sudo()
        env = self.env
        bonuses = tier.category_bonus_ids.sorted(lambda b: (-b.multiplier, b.categ_id.name))
        if bonuses:
            lines.append({
                "key": "category_bonus",
                "label": env._("Bonus points"),
                "value": ", ".join(
                    env._(
                        "×%(multiplier)s on %(category)s",
                        multiplier=formatLang(env, bonus.multiplier, digits=2).rstrip("0")
                        .rstrip(".,"),
                        category=bonus.categ_id.name,
                    )
                    for bonus in bonuses
                ),
            })
        promotions = env["loyalty.program"].sudo().search(
            [("tier_ids", "in", tier.ids), ("active", "=", True)], order="sequence, id"
        )
        if promotions:
            lines.append({
                "key": "promotions",
                "label": env._("Members' promotions"),
                "value": ", ".join(promotions.mapped("name")),
            })
        labels = {
            "welcome": env._("Welcome gift"),
            "birthday": env._("Birthday gift"),
            "anniversary": env._("Anniversary gift"),
        }
        points_name = tier.company_id.loyalty_program_id.portal_point_name or env._("points")
        for gift in tier.gift_ids.filtered("active").sorted(
            lambda g: ["welcome", "birthday", "anniversary"].index(g.occasion)
        ):
            given = []
            if gift.points:
                given.append(f"{formatLang(env, gift.points, digits=0)} {points_name}")
            if gift.coupon_program_id:
                given.append(gift.coupon_program_id.name)
            lines.append({
                "key": f"gift_{gift.occasion}",
                "label": labels[gift.occasion],
                "value": " + ".join(given),
            })
        return lines
