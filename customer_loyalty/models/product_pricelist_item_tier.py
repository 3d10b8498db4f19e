from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ProductPricelistItem(models.Model):
    """A member price is a rule of the tier's pricelist (Sales and the POS apply it, no price
    table of our own): the product form edits it by tier, and this model turns the tier into
    the tier's pricelist. A tier without a pricelist is refused with what to do: creating one
    would change what its members pay for every other product too."""

    _inherit = "product.pricelist.item"

    loyalty_tier_id = fields.Many2one(
        "loyalty.tier",
        string="Tier",
        compute="_compute_loyalty_tier_id",
        inverse="_inverse_loyalty_tier_id",
        search="_search_loyalty_tier_id",
        help="The tier whose members pay this price: the rule belongs to the tier's pricelist.",
    )

    @api.depends("pricelist_id")
    def _compute_loyalty_tier_id(self):
        # sudo: salespeople read member prices without reading the tiers' settings.
        tiers = self.env["loyalty.tier"].sudo().search(
            [("pricelist_id", "in", self.pricelist_id.ids)]
        )
        for item in self:
            tier = tiers.filtered(lambda t, i=item: t.pricelist_id == i.pricelist_id)
            item.loyalty_tier_id = tier.sorted(lambda t: t._rank_key())[:1].with_env(self.env)

    def _search_loyalty_tier_id(self, operator, value):
        if operator not in ("=", "!=", "in", "not in") or (
            operator in ("=", "!=") and value not in (False, None) and not isinstance(value, int)
        ):
            raise UserError(_("Member prices cannot be searched this way."))
        Tier = self.env["loyalty.tier"].sudo()
        if value in (False, None):
            pricelists = Tier.search([("pricelist_id", "!=", False)]).pricelist_id
            return [("pricelist_id", "not in" if operator == "=" else "in", pricelists.ids)]
        ids = [value] if isinstance(value, int) else list(value)
        pricelists = Tier.browse(ids).exists().pricelist_id
        return [("pricelist_id", "in" if operator in ("=", "in") else "not in", pricelists.ids)]

    def _inverse_loyalty_tier_id(self):
        for item in self.filtered("loyalty_tier_id"):
            pricelist = item._loyalty_tier_pricelist(item.loyalty_tier_id)
            if item.pricelist_id != pricelist:
                item.pricelist_id = pricelist

    @api.model
    def _loyalty_tier_pricelist(self, tier):
        """The pricelist a member price of ``tier`` belongs to, or a UserError saying what to
        do."""
        pricelist = tier.sudo().pricelist_id
        if not pricelist:
            raise UserError(
                _(
                    "The tier “%(tier)s” has no pricelist, so it cannot have member prices: "
                    "give it one in Loyalty › Configuration › Tiers (its Perks), then set the "
                    "member price again.",
                    tier=tier.name,
                )
            )
        return pricelist.with_env(self.env)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("loyalty_tier_id"):
                tier = self.env["loyalty.tier"].browse(vals.pop("loyalty_tier_id"))
                vals["pricelist_id"] = self._loyalty_tier_pricelist(tier).id
                vals.setdefault("compute_price", "fixed")
        return super().create(vals_list)
