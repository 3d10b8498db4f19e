from odoo import _, models


class PosConfig(models.Model):
    _inherit = "pos.config"

    def loyalty_find_member(self, code):
        """Called by the POS when a scanned code is not a member card it has loaded (the
        member's contact was not among the partners loaded at start). Returns the member's
        partner id to load and select, or a message saying why nobody is selected."""
        self.ensure_one()
        code = (code or "").strip()
        Card = self.env["loyalty.card"].sudo()
        finder = getattr(Card, "_loyalty_find_by_code", None)
        if finder:
            found = finder(code)
            card, revoked = found["card"], found["revoked"]
        else:
            card, revoked = Card.search([("code", "=", code)], limit=1), False
        program = self.company_id.loyalty_program_id
        if revoked:
            return {
                "found": False,
                "message": _("This member card was replaced and is no longer valid: %s", code),
            }
        if not card or card.program_id != program or not card.partner_id or not card.active:
            return {"found": False, "message": _("No member card with the code %s.", code)}
        return {"found": True, "partner_id": card.partner_id.id, "card_id": card.id}
