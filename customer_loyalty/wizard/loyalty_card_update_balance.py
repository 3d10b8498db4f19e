from odoo import _, models
from odoo.exceptions import AccessError, ValidationError


class LoyaltyCardUpdateBalance(models.TransientModel):
    """Odoo's balance-update wizard, for member cards: Loyalty Managers only, the reason is the
    ledger line's description, the ledger line is what changes the balance (Odoo's wizard writes
    the card's points itself), and the change is posted on the card's and member's chatter."""

    _inherit = "loyalty.card.update.balance"

    def action_update_card_point(self):
        card = self.card_id
        if not card.is_membership:
            return super().action_update_card_point()
        if not self.env.user.has_group("customer_loyalty.group_loyalty_manager"):
            raise AccessError(_("Only Loyalty Managers can adjust the points of a member card."))
        card = card.sudo()
        old_balance = card._loyalty_lock()[card.id]
        if self.new_balance < 0 or abs(self.new_balance - old_balance) < 0.005:
            # Odoo's own message (and its translations).
            raise ValidationError(
                _("New Balance should be positive and different then old balance.")
            )
        # sudo keeps the user, who is recorded on the ledger line.
        card._loyalty_adjust_balance(self.new_balance, description=self.description)
        body = _(
            "Points adjusted from %(old)s to %(new)s by %(user)s: %(reason)s",
            old=card._format_points(old_balance),
            new=card._format_points(card.points),
            user=self.env.user.name,
            reason=self.description,
        )
        card.message_post(body=body, subtype_xmlid="mail.mt_note")
        if card.partner_id:
            card.partner_id.message_post(body=body, subtype_xmlid="mail.mt_note")
        return True
