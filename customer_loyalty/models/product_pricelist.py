from odoo import models


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    def _get_partner_pricelist_multi(self, partner_ids):
        """Odoo's pricelist of each contact, with the membership tier's in between: a pricelist
        chosen by hand on the contact first, then the pricelist of the member's tier (in the
        current company), then Odoo's fallbacks (country group, default pricelist)."""
        result = super()._get_partner_pricelist_multi(partner_ids)
        partners = self.env["res.partner"].browse(partner_ids)
        result.update(partners._loyalty_tier_pricelists())
        return result
