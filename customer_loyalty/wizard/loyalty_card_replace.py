from odoo import _, fields, models

from ..models.loyalty_card_revoked import REVOKE_REASONS


class LoyaltyCardReplace(models.TransientModel):
    _name = "loyalty.card.replace"
    _description = "Replace Member Card"

    card_ids = fields.Many2many("loyalty.card", string="Member Cards", required=True)
    reason = fields.Selection(REVOKE_REASONS, required=True, default="lost")
    note = fields.Char()
    send_card = fields.Boolean(
        string="Send the New Card",
        default=True,
        help="Open the e-mail composer with the new card once it is issued.",
    )

    def action_replace(self):
        self.ensure_one()
        self.card_ids._loyalty_replace_card(reason=self.reason, note=self.note)
        card = self.card_ids[:1]
        if self.send_card and len(self.card_ids) == 1 and card.partner_id:
            return card.action_loyalty_send_card()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%(count)s member card(s) replaced.", count=len(self.card_ids)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
