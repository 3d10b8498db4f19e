from odoo import _, models
from odoo.exceptions import AccessError


class LoyaltyCardUpdateBalance(models.TransientModel):
    """Odoo's balance-update wizard, for member cards: Loyalty Managers only, the reason is the
    ledger line's description, and the change is posted on the card's and member's chatter."""

    _inherit = "loyalty.card.update.balance"

    def action_update_card_point(self):
        card = self.card_id
        if not card.is_membership:
            return super().action_update_card_point()
        if not self.env.user.has_group("customer_loyalty.group_loyalty_manager"):
            raise AccessError(_("Only Loyalty Managers can adjust the points of a member card."))
        old_balance = card.points
        card._loyalty_lock()
        # The check above is the access check: Odoo's flow also writes the ledger and the card
        # and reads the program's communications, which a Loyalty Manager who is not a
        # salesperson may not do (sudo keeps the user, who is recorded on the ledger line).
        res = super(
            LoyaltyCardUpdateBalance,
            self.sudo().with_context(loyalty_entry_type="adjustment", tracking_disable=True),
        ).action_update_card_point()
        card._loyalty_sync_points()
        body = _(
            "Points adjusted from %(old)s to %(new)s by %(user)s: %(reason)s",
            old=card._format_points(old_balance),
            new=card._format_points(card.points),
            user=self.env.user.name,
            reason=self.description,
        )
        card.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        if card.partner_id:
            card.partner_id.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        return res
