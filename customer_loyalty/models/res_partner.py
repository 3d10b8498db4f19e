from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Written by the tier engine (per company) so that contacts can be filtered and grouped by tier.
    loyalty_tier_id = fields.Many2one(
        "loyalty.tier", string="Membership Tier", company_dependent=True, readonly=True,
        copy=False,
    )
    # Computed from loyalty_tier_id alone: list and kanban badges read no member card.
    loyalty_tier_color = fields.Integer(
        string="Tier Color", compute="_compute_loyalty_tier_display"
    )
    # The tier's colours as the printed card shows them (loyalty.tier._color_hex), for the POS.
    loyalty_tier_color_hex = fields.Char(
        string="Tier Color (hex)", compute="_compute_loyalty_tier_display"
    )
    loyalty_tier_text_hex = fields.Char(
        string="Tier Text Color (hex)", compute="_compute_loyalty_tier_display"
    )
    # The card's code is a secret (it is what the QR code says): internal users only.
    loyalty_member_card_id = fields.Many2one(
        "loyalty.card", string="Member Card", compute="_compute_loyalty_member_card",
        groups="base.group_user",
    )
    loyalty_is_member = fields.Boolean(
        string="Is a Member", compute="_compute_loyalty_member_card",
        search="_search_loyalty_is_member",
    )
    loyalty_card_code = fields.Char(
        string="Card Number", compute="_compute_loyalty_member_card",
        search="_search_loyalty_card_code", groups="base.group_user"
    )
    loyalty_tier_name = fields.Char(string="Tier Name", compute="_compute_loyalty_tier_display")
    # The tier's id as a number, for the POS (which does not load tiers) to match tier-only
    # rewards.
    loyalty_tier_ref = fields.Integer(compute="_compute_loyalty_tier_display")
    loyalty_tier_multiplier = fields.Float(
        string="Tier Multiplier", compute="_compute_loyalty_tier_display"
    )
    loyalty_tier_perks = fields.Html(string="Tier Perks", compute="_compute_loyalty_tier_display")
    loyalty_points = fields.Float(
        string="Points", compute="_compute_loyalty_member_card", groups="base.group_user"
    )
    loyalty_tier_downgrade_date = fields.Date(
        string="Tier Downgrade On", compute="_compute_loyalty_member_card", groups="base.group_user"
    )
    # A compute of their own: they run the ledger's expiry query, which only forms and the POS
    # need, not the partner lists.
    loyalty_points_expiring = fields.Float(
        string="Points Expiring Soon", compute="_compute_loyalty_points_expiring",
        groups="base.group_user",
    )
    loyalty_points_expiring_date = fields.Date(
        string="Points Expire On", compute="_compute_loyalty_points_expiring",
        groups="base.group_user",
    )
    loyalty_tier_history_count = fields.Integer(compute="_compute_loyalty_tier_history_count")
    loyalty_qr_code = fields.Binary(
        string="Member Card QR Code", compute="_compute_loyalty_qr_code",
        groups="customer_loyalty.group_loyalty_user",
    )

    @api.depends_context("company")
    def _compute_loyalty_member_card(self):
        cards = self.env.company._loyalty_member_cards(self._origin)
        card_by_partner = {card.partner_id.id: card for card in cards}
        for partner in self:
            card = card_by_partner.get(partner._origin.id, self.env["loyalty.card"])
            partner.loyalty_member_card_id = card
            partner.loyalty_is_member = bool(card)
            partner.loyalty_card_code = card.code
            partner.loyalty_points = card.points
            partner.loyalty_tier_downgrade_date = card.tier_downgrade_date

    @api.depends("loyalty_tier_id")
    @api.depends_context("company")
    def _compute_loyalty_tier_display(self):
        for partner in self:
            # sudo: cashiers (POS users) load these fields without access to loyalty.tier.
            tier = partner.loyalty_tier_id.sudo()
            partner.loyalty_tier_color = tier.color
            partner.loyalty_tier_color_hex = tier._color_hex()
            partner.loyalty_tier_text_hex = tier._color_text_hex()
            partner.loyalty_tier_name = tier.name
            partner.loyalty_tier_ref = tier.id
            partner.loyalty_tier_multiplier = tier.multiplier or 1.0
            partner.loyalty_tier_perks = tier.description

    @api.depends_context("company")
    def _compute_loyalty_points_expiring(self):
        cards = self.env.company._loyalty_member_cards(self._origin)
        card_by_partner = {card.partner_id.id: card for card in cards}
        for partner in self:
            card = card_by_partner.get(partner._origin.id, self.env["loyalty.card"])
            partner.loyalty_points_expiring = card.points_expiring
            partner.loyalty_points_expiring_date = card.points_expiring_date

    def _search_loyalty_is_member(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        program = self.env.company.loyalty_program_id
        query = self.env["loyalty.card"].sudo()._search(
            [("program_id", "=", program.id), ("partner_id", "!=", False)]
        )
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", query.subselect("partner_id"))]

    def _search_loyalty_card_code(self, operator, value):
        if operator not in ("=", "ilike", "=ilike", "like", "in"):
            return NotImplemented
        cards = self.env["loyalty.card"].sudo()._search(
            [("code", operator, value), ("program_id.is_membership_program", "=", True)]
        )
        return [("id", "in", cards.subselect("partner_id"))]

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [
            *super()._load_pos_data_fields(config_id),
            "loyalty_card_code", "loyalty_is_member", "loyalty_tier_name", "loyalty_tier_color",
            "loyalty_tier_ref",
            "loyalty_tier_color_hex", "loyalty_tier_text_hex",
            "loyalty_tier_multiplier", "loyalty_tier_perks", "loyalty_points",
            "loyalty_points_expiring", "loyalty_points_expiring_date",
        ]

    def _compute_loyalty_tier_history_count(self):
        counts = dict(
            self.env["loyalty.tier.history"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.loyalty_tier_history_count = counts.get(partner, 0)

    def action_loyalty_enroll(self):
        """Give the selected contacts a member card of the current company (bulk-safe: contacts
        who are already members are skipped)."""
        if not self.env.user.has_group(
            "customer_loyalty.group_loyalty_user"
        ) and not self.env.user.has_group("point_of_sale.group_pos_user"):
            raise AccessError(_("Only Loyalty users and cashiers can enrol members."))
        company = self.env.company
        if not company.loyalty_program_id:
            raise UserError(
                _("Choose a membership program for %(company)s in Settings first.",
                  company=company.name)
            )
        existing = company._loyalty_member_cards(self).partner_id
        to_enroll = self - existing
        if addresses := to_enroll.filtered(lambda p: not p.is_company and p.type != "contact"):
            raise UserError(
                _("Enrol the customer, not one of their addresses: %(names)s",
                  names=", ".join(addresses.mapped("display_name")))
            )
        cards = self.env["loyalty.card"].sudo().create(
            [{"program_id": company.loyalty_program_id.id, "partner_id": p.id, "points": 0}
             for p in to_enroll]
        ) if to_enroll else self.env["loyalty.card"]
        message = _(
            "%(new)s contact(s) enrolled, %(old)s already member(s).",
            new=len(cards), old=len(existing),
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if cards else "info",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.depends_context("company")
    def _compute_loyalty_qr_code(self):
        for partner in self:
            partner.loyalty_qr_code = partner.loyalty_member_card_id.qr_code

    def action_loyalty_print_card(self):
        """Print the member cards of the selected contacts (current company)."""
        cards = self.env.company._loyalty_member_cards(self)
        if not cards:
            raise UserError(_("The selected contacts have no member card in this company."))
        return cards.with_env(self.env).action_loyalty_print_card()

    def action_loyalty_send_card(self):
        self.ensure_one()
        card = self.loyalty_member_card_id.with_env(self.env)
        if not card:
            raise UserError(_("%(name)s has no member card in this company.", name=self.name))
        return card.action_loyalty_send_card()

    def action_loyalty_view_card(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "loyalty.card",
            "view_mode": "form",
            "res_id": self.loyalty_member_card_id.id,
            "views": [(self.env.ref("customer_loyalty.loyalty_member_card_view_form").id, "form")],
        }

    def action_loyalty_view_tier_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_loyalty.action_loyalty_tier_history"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
