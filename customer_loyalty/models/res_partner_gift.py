from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    """The member's open gift coupon (shown in the POS member panel) and "issue now"."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # A coupon code is what pays: internal users only, like the member card's code.
    loyalty_gift_coupon_code = fields.Char(
        string="Gift Coupon", compute="_compute_loyalty_gift_coupon", groups="base.group_user",
        help="The code of the member's unused birthday or anniversary gift coupon.",
    )
    loyalty_gift_coupon_reward = fields.Char(
        string="Gift Coupon Gives", compute="_compute_loyalty_gift_coupon",
        groups="base.group_user",
    )
    loyalty_gift_coupon_expiry = fields.Date(
        string="Gift Coupon Expires", compute="_compute_loyalty_gift_coupon",
        groups="base.group_user",
    )
    loyalty_gift_name = fields.Char(
        string="Gift", compute="_compute_loyalty_gift_coupon", groups="base.group_user"
    )

    @api.depends_context("company")
    def _compute_loyalty_gift_coupon(self):
        # sudo: cashiers read their customers' gifts without the Loyalty User group; only the
        # current company's gifts.
        gifts = self.env["loyalty.member.gift"].sudo().search(
            [
                ("partner_id", "in", self._origin.ids),
                ("company_id", "=", self.env.company.id),
                ("occasion", "in", ("birthday", "anniversary")),
                ("coupon_id", "!=", False),
                ("state", "=", "issued"),
            ],
            order="id desc",
        ).with_context(lang=self.env.lang)
        latest = {}
        for gift in gifts:
            latest.setdefault(gift.partner_id.id, gift)
        for partner in self:
            gift = latest.get(partner._origin.id)
            partner.loyalty_gift_coupon_code = gift.coupon_code if gift else False
            partner.loyalty_gift_coupon_reward = gift._loyalty_reward_text() if gift else False
            partner.loyalty_gift_coupon_expiry = gift.coupon_expiration_date if gift else False
            partner.loyalty_gift_name = gift.display_name if gift else False

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [
            *super()._load_pos_data_fields(config_id),
            "loyalty_gift_coupon_code", "loyalty_gift_coupon_reward",
            "loyalty_gift_coupon_expiry", "loyalty_gift_name",
        ]

    def action_loyalty_issue_occasion_gifts(self):
        """"Issue now" from the contact: the birthday and anniversary gifts due now."""
        self.env["loyalty.member.gift"]._loyalty_check_manager()
        cards = self.env.company._loyalty_member_cards(self)
        if not cards:
            raise UserError(_("The selected contacts have no member card in this company."))
        return cards.with_env(self.env).action_loyalty_issue_occasion_gifts()
