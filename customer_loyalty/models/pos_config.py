from odoo import _, models


class PosConfig(models.Model):
    _inherit = "pos.config"

    def loyalty_find_member(self, code):
        """Called by the POS when a scanned or typed code is not a member card it has loaded.
        Answers only for member codes: ``{'member': True, 'found': True, 'partner_id': ...}``
        for an active member card of this shop's company (the member's contact is loaded and
        selected), ``{'member': True, 'found': False, 'message': ...}`` for a revoked, archived
        or other company's member code, and ``{'member': False}`` for anything else (a gift
        card, an eWallet, a coupon, a promotion code), which the POS then handles as Odoo
        does."""
        self.ensure_one()
        code = (code or "").strip()
        Card = self.env["loyalty.card"].sudo()
        found = Card._loyalty_find_by_code(code)
        card, revoked = found["card"], found["revoked"]
        if revoked:
            return {
                "member": True,
                "found": False,
                "message": _("This member card was replaced and is no longer valid: %s", code),
            }
        if not card:
            archived = Card.with_context(active_test=False).search_count(
                [("code", "in", list({code, code.lower()})), ("is_membership", "=", True)],
                limit=1,
            )
            if not archived:
                return {"member": False}
        program = self.company_id.loyalty_program_id
        if not card or card.program_id != program or not card.partner_id or not card.active:
            return {
                "member": True,
                "found": False,
                "message": _("No member card with the code %s in this shop.", code),
            }
        return {"member": True, "found": True, "partner_id": card.partner_id.id,
                "card_id": card.id}
