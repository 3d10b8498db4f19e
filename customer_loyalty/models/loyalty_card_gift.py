from odoo import _, fields, models
from odoo.exceptions import UserError


class LoyaltyCard(models.Model):
    """"Issue now": a Loyalty Manager gives a member's birthday or anniversary gift at once,
    through the rules of the daily run (the same window, the anti-abuse rules, one gift per
    year and occasion)."""

    _inherit = "loyalty.card"  # pylint: disable=consider-merging-classes-inherited

    member_gift_ids = fields.One2many("loyalty.member.gift", "card_id", string="Gifts")

    def action_loyalty_issue_occasion_gifts(self):
        """Give the birthday and anniversary gifts due now to the members of ``self``."""
        Gift = self.env["loyalty.member.gift"]
        Gift._loyalty_check_manager()
        self._loyalty_check_members()
        result = Gift.sudo()._loyalty_issue_occasion_gifts(cards=self)
        gifts = result["gifts"]
        gifts._loyalty_send_gift_mails_now()
        reasons = dict(
            self.env["loyalty.gift.skip"]._fields["reason"]._description_selection(self.env)
        )
        messages = []
        if gifts:
            messages.append(
                _("Given: %(gifts)s.", gifts=", ".join(gifts.with_env(self.env).mapped(
                    lambda g: f"{g.partner_id.name} ({g.display_name})")))
            )
        for row in result["skipped"]:
            messages.append(
                _(
                    "Not given to %(member)s (%(year)s): %(reason)s.",
                    member=self.env["res.partner"].browse(row.partner_id).name,
                    year=row.year, reason=reasons[row.reason],
                )
            )
        if not messages:
            raise UserError(
                _(
                    "No birthday or anniversary gift is due now for these members: the date is "
                    "not within the days the gifts are issued (see the Loyalty settings), the "
                    "gift of this year was already given, the member has no birth date, or the "
                    "member's tier has no such gift."
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if gifts else "warning",
                "message": " ".join(messages),
                "sticky": bool(result["skipped"]),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
