from odoo import _, api, fields, models


# A second class on pos.config on purpose: the tier pricelists in the shops, one concern per
# file (STYLE.md); the member lookup stays in pos_config.py.
# pylint: disable=consider-merging-classes-inherited
class PosConfig(models.Model):
    """The tiers' pricelists in a shop: the POS can only switch to a pricelist the shop offers."""

    _inherit = "pos.config"

    loyalty_pricelist_warning = fields.Text(
        string="Tier Pricelists Not Available", compute="_compute_loyalty_pricelist_warning",
        help="Tier pricelists this shop does not offer: members of those tiers pay the shop's "
        "default prices here.",
    )

    @api.depends("use_pricelist", "pricelist_id", "available_pricelist_ids", "company_id")
    def _compute_loyalty_pricelist_warning(self):
        # sudo: the POS settings are read by POS managers, who may not read the tiers.
        tiers = self.env["loyalty.tier"].sudo().search(
            [("company_id", "in", self.company_id.ids), ("pricelist_id", "!=", False)]
        )
        for config in self:
            if not config._loyalty_serves_members():
                config.loyalty_pricelist_warning = False
                continue
            available = config._get_available_pricelists()
            missing = tiers.filtered(
                lambda t, c=config, a=available: t.company_id == c.company_id
                and t.pricelist_id not in a
            )
            config.loyalty_pricelist_warning = "\n".join(
                config._loyalty_pricelist_missing_message(tier.pricelist_id, tier)
                for tier in missing
            ) or False

    def _loyalty_serves_members(self):
        """Whether the company's membership program runs in this shop (the shops whose
        pricelists matter to the tiers)."""
        self.ensure_one()
        program = self.company_id.sudo().loyalty_program_id
        return bool(
            program.pos_ok and (not program.pos_config_ids or self in program.pos_config_ids)
        )

    def _loyalty_pricelist_missing_message(self, pricelist, tier):
        """What to change so that ``pricelist``, the pricelist of ``tier``, applies in this
        shop."""
        self.ensure_one()
        if pricelist.currency_id != self.currency_id:
            return _(
                "The pricelist “%(pricelist)s” of the tier “%(tier)s” is in %(currency)s and "
                "cannot be used in the point of sale “%(shop)s”, which sells in "
                "%(shop_currency)s: give the tier a pricelist in %(shop_currency)s.",
                pricelist=pricelist.name, tier=tier.name, currency=pricelist.currency_id.name,
                shop=self.name, shop_currency=self.currency_id.name,
            )
        return _(
            "The pricelist “%(pricelist)s” of the tier “%(tier)s” is not available in the point "
            "of sale “%(shop)s”, so members of the tier pay the shop's default prices there. In "
            "Point of Sale › Configuration › Settings, tick Flexible Pricelists and add "
            "“%(pricelist)s” to the Available Pricelists of “%(shop)s”.",
            pricelist=pricelist.name, tier=tier.name, shop=self.name,
        )
