# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import models


class PosConfig(models.Model):
    _inherit = "pos.config"

    def use_coupon_code(self, code, creation_date, partner_id, pricelist_id):
        """A coupon of a tier-only program scanned for a customer of another tier (or no
        customer) is refused with the reason, as in Sales."""
        result = super().use_coupon_code(code, creation_date, partner_id, pricelist_id)
        if not result.get("successful"):
            return result
        program = self.env["loyalty.program"].sudo().browse(result["payload"].get("program_id"))
        partner = self.env["res.partner"].browse(partner_id or [])
        tier = self.company_id._loyalty_member_cards(partner)[:1].sudo().tier_id
        refusal = not program.is_membership_program and program._loyalty_tier_refusal(tier)
        if refusal:
            return {"successful": False, "payload": {"error_message": refusal}}
        return result
