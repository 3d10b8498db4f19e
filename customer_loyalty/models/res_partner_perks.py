from odoo import api, fields, models


# A second class on res.partner on purpose: the tier perks (pricelist, perks shown), one concern
# per file (STYLE.md); membership, tier display and points stay in res_partner.py.
# pylint: disable=consider-merging-classes-inherited
class ResPartner(models.Model):
    """A member's tier perks on the contact: the tier's pricelist becomes the contact's pricelist
    (Odoo's ``property_product_pricelist``, which Sales, the POS and the website read), unless a
    pricelist was chosen by hand on the contact."""

    _inherit = "res.partner"

    loyalty_tier_pricelist_id = fields.Many2one(
        "product.pricelist", string="Tier Pricelist", compute="_compute_loyalty_tier_perks",
        help="The pricelist of the member's tier in this company.",
    )
    loyalty_tier_pricelist_overridden = fields.Boolean(
        string="Tier Pricelist Replaced", compute="_compute_loyalty_tier_perks",
        help="A pricelist chosen by hand on the contact replaces the tier's.",
    )
    loyalty_tier_perks_html = fields.Html(
        string="Perks", compute="_compute_loyalty_tier_perks", sanitize=False,
    )
    # The perks as lines of text, for the POS member panel.
    loyalty_tier_perk_lines = fields.Json(compute="_compute_loyalty_tier_perks")

    @api.depends("loyalty_tier_id", "specific_property_product_pricelist")
    @api.depends_context("company", "lang")
    def _compute_loyalty_tier_perks(self):
        tier_pricelists = self._loyalty_tier_pricelists()
        for partner in self:
            # sudo: cashiers and salespeople see the perks without access to loyalty.tier.
            tier = partner.loyalty_tier_id.sudo()
            pricelist = tier.pricelist_id.with_env(self.env)
            partner.loyalty_tier_pricelist_id = pricelist
            partner.loyalty_tier_pricelist_overridden = bool(
                pricelist.active
                and partner.specific_property_product_pricelist
                and partner.id not in tier_pricelists
            )
            partner.loyalty_tier_perks_html = tier._loyalty_perks_html() if tier else False
            partner.loyalty_tier_perk_lines = tier._loyalty_perks_text() if tier else []

    # Odoo's compute of the contact's pricelist, with the member's tier as a dependency, so that
    # a tier change (written set-wise by the tier engine) is seen at once; the rule itself is in
    # product.pricelist._get_partner_pricelist_multi.
    @api.depends("country_id", "specific_property_product_pricelist", "loyalty_tier_id")
    @api.depends_context("company", "country_code")
    def _compute_product_pricelist(self):
        return super()._compute_product_pricelist()

    def _inverse_product_pricelist(self):
        """Choosing the tier's pricelist on a member's contact is no choice by hand: the contact
        keeps following the tier. Any other pricelist chosen is kept, and replaces the tier's."""
        tier_pricelists = {
            partner.id: partner.loyalty_tier_id.sudo().pricelist_id.id
            for partner in self
            if partner.loyalty_tier_id.sudo().pricelist_id
        }
        followers = self.filtered(lambda p: p.id in tier_pricelists)
        result = super(ResPartner, self - followers)._inverse_product_pricelist()
        for partner in followers:
            chosen = partner.property_product_pricelist
            partner.specific_property_product_pricelist = (
                False if chosen.id == tier_pricelists[partner.id] else chosen
            )
        return result

    def _loyalty_tier_pricelists(self):
        """``{partner id: pricelist}`` of the contacts among ``self`` who get their tier's
        pricelist in the current company: members whose tier has an active pricelist of the
        company (or of none) and who have no pricelist chosen by hand on their contact (a
        company-wide default is none). Set-wise: the tiers and
        pricelists of all the contacts are read at once (prefetch), no query per contact."""
        company = self.env.company
        Pricelist = self.env["product.pricelist"]
        # A company-wide default of the contacts' pricelist (ir.default) is no choice by hand.
        company_default = self.env["ir.default"].sudo()._get(
            "res.partner", "specific_property_product_pricelist", company_id=company.id
        )
        result = {}
        for partner in self.with_context(active_test=False):
            chosen = partner.specific_property_product_pricelist
            if chosen._get_partner_pricelist_multi_filter_hook() and chosen.id != company_default:
                continue
            pricelist = partner.loyalty_tier_id.sudo().pricelist_id
            if pricelist.active and pricelist.company_id.id in (company.id, False):
                result[partner.id] = Pricelist.browse(pricelist.id)
        return result

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [*super()._load_pos_data_fields(config_id), "loyalty_tier_perk_lines"]
