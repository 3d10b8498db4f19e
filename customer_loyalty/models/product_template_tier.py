"""Combos reserved for tiers: a product (a combo, a bundle) sold only to members of some tiers,
refused to other customers on sales orders (``sale_order_combo_tier.py``) and in the Point of
Sale (``static/src/pos/combo_tier.js``, and at sync in ``pos_order_combo_tier.py``); and its
member prices, which are fixed-price rules of the tiers' pricelists
(``product_pricelist_item_tier.py``)."""

# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import _, api, fields, models, tools


class ProductTemplate(models.Model):
    _inherit = "product.template"

    loyalty_tier_ids = fields.Many2many(
        "loyalty.tier",
        "product_template_loyalty_tier_rel",
        "product_tmpl_id",
        "tier_id",
        string="Members of These Tiers Only",
        groups="customer_loyalty.group_loyalty_user",
        help="Only members of these tiers may buy this product, on sales orders and in the "
        "Point of Sale; other customers are refused with the reason. Empty: every customer.",
    )
    loyalty_member_price_ids = fields.One2many(
        "product.pricelist.item",
        "product_tmpl_id",
        string="Member Prices",
        domain=[("loyalty_tier_id", "!=", False), ("applied_on", "=", "1_product")],
        groups="customer_loyalty.group_loyalty_user",
        help="The price each tier's members pay: a fixed-price rule of the tier's pricelist, "
        "which Sales and the Point of Sale apply (a combo's items share it as Odoo shares the "
        "combo's price).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("loyalty_tier_ids") for vals in vals_list):
            self.env.registry.clear_cache()  # _loyalty_tier_restricted_template_ids
        return super().create(vals_list)

    def write(self, vals):
        if "loyalty_tier_ids" in vals:
            self.env.registry.clear_cache()  # _loyalty_tier_restricted_template_ids
        return super().write(vals)

    @api.model
    @tools.ormcache()
    def _loyalty_tier_restricted_template_ids(self):
        """The ids of the products reserved for tiers, so that an order without one (nearly
        every order) reads nothing more to check them. A stale id only costs a check."""
        self.env.cr.execute(
            "SELECT DISTINCT product_tmpl_id FROM product_template_loyalty_tier_rel"
        )
        return frozenset(row[0] for row in self.env.cr.fetchall())

    def _loyalty_tier_refusal(self, tier):
        """Why a customer whose member card holds ``tier`` (empty: no card or no tier) may not
        buy this product, or False."""
        self.ensure_one()
        tiers = self.sudo().loyalty_tier_ids  # cashiers and salespeople may not read tiers
        if not tiers or tier in tiers:
            return False
        return _(
            "“%(product)s” is reserved for %(tiers)s members.",
            product=self.name,
            tiers=", ".join(tiers.sorted(lambda t: t._rank_key()).mapped("name")),
        )


class ProductProduct(models.Model):
    _inherit = "product.product"

    # The POS does not load tiers: it compares the member's tier id with these, and says this.
    loyalty_pos_tier_ids = fields.Json(
        string="Tiers in the POS", compute="_compute_loyalty_pos_tier_ids"
    )
    loyalty_pos_tier_refusal = fields.Char(
        string="Refusal in the POS", compute="_compute_loyalty_pos_tier_ids"
    )

    @api.depends("product_tmpl_id.loyalty_tier_ids")
    @api.depends_context("lang")
    def _compute_loyalty_pos_tier_ids(self):
        for product in self:
            template = product.product_tmpl_id
            product.loyalty_pos_tier_ids = template.sudo().loyalty_tier_ids.ids
            product.loyalty_pos_tier_refusal = (
                product.loyalty_pos_tier_ids
                and template._loyalty_tier_refusal(self.env["loyalty.tier"])
            ) or False

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [
            *super()._load_pos_data_fields(config_id),
            "loyalty_pos_tier_ids",
            "loyalty_pos_tier_refusal",
        ]
