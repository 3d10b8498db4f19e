from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Written by the tier engine (per company) so that contacts can be filtered and grouped by tier.
    loyalty_tier_id = fields.Many2one(
        "loyalty.tier", string="Membership Tier", company_dependent=True, readonly=True,
        copy=False,
    )
    loyalty_tier_color = fields.Integer(string="Tier Color", compute="_compute_loyalty_member_card")
    loyalty_member_card_id = fields.Many2one(
        "loyalty.card", string="Member Card", compute="_compute_loyalty_member_card"
    )
    loyalty_is_member = fields.Boolean(
        string="Is a Member", compute="_compute_loyalty_member_card",
        search="_search_loyalty_is_member",
    )
    loyalty_card_code = fields.Char(string="Card Number", compute="_compute_loyalty_member_card")
    loyalty_points = fields.Float(string="Points", compute="_compute_loyalty_member_card")
    loyalty_tier_downgrade_date = fields.Date(
        string="Tier Downgrade On", compute="_compute_loyalty_member_card"
    )
    loyalty_points_expiring = fields.Float(
        string="Points Expiring Soon", compute="_compute_loyalty_member_card"
    )
    loyalty_points_expiring_date = fields.Date(
        string="Points Expire On", compute="_compute_loyalty_member_card"
    )
    loyalty_tier_history_count = fields.Integer(compute="_compute_loyalty_tier_history_count")

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
            partner.loyalty_tier_color = partner.loyalty_tier_id.color
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
