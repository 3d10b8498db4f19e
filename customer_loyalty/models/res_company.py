from odoo import _, api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    loyalty_program_id = fields.Many2one(
        "loyalty.program",
        string="Membership Program",
        domain="[('program_type', '=', 'loyalty'), ('company_id', 'in', [id, False])]",
        help="The loyalty program whose cards are this company's member cards.",
    )
    loyalty_auto_enroll = fields.Boolean(
        string="Enrol Customers Automatically",
        help="Give a member card to a customer at their first confirmed order.",
    )
    loyalty_tier_ids = fields.One2many("loyalty.tier", "company_id", string="Membership Tiers")

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._loyalty_install_membership()
        self.env.registry.clear_cache()  # loyalty.program._loyalty_membership_program_ids
        return companies

    def write(self, vals):
        res = super().write(vals)
        if "loyalty_program_id" in vals:
            self.env.registry.clear_cache()  # loyalty.program._loyalty_membership_program_ids
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()  # loyalty.program._loyalty_membership_program_ids
        return res

    @api.model
    def _loyalty_default_tier_values(self, currency):
        """Member / Silver / Gold / VIP on yearly spend; amounts scaled to the currency
        (Vietnamese đồng and other zero-decimal currencies get amounts in their own unit)."""
        scale = 25000 if currency.decimal_places == 0 else 1
        return [
            {"name": _("Member"), "sequence": 10, "threshold": 0, "color": 0, "multiplier": 1.0},
            {"name": _("Silver"), "sequence": 20, "threshold": 200 * scale, "color": 8,
             "multiplier": 1.2},
            {"name": _("Gold"), "sequence": 30, "threshold": 800 * scale, "color": 3,
             "multiplier": 1.5},
            {"name": _("VIP"), "sequence": 40, "threshold": 2000 * scale, "color": 1,
             "multiplier": 2.0},
        ]

    def _loyalty_install_membership(self):
        """Give every company (all of them when called on an empty recordset) a membership
        program and the four default tiers, unless it already has them. Safe to call again."""
        companies = self or self.sudo().search([])
        Program = self.env["loyalty.program"].sudo()
        for company in companies.sudo():
            if not company.loyalty_program_id:
                Program = Program.with_company(company)
                defaults = Program._program_type_default_values()["loyalty"]
                # 1 point per currency unit; per 1,000 units for zero-decimal currencies (VND).
                per_unit = 0.001 if company.currency_id.decimal_places == 0 else 1.0
                defaults["rule_ids"] = [
                    (5, 0, 0),
                    (0, 0, {"reward_point_mode": "money", "reward_point_amount": per_unit}),
                ]
                # A discount per point worth 5% of what earned it (1 point = 1/20 of the unit).
                defaults["reward_ids"] = [
                    (5, 0, 0),
                    (0, 0, {
                        "reward_type": "discount",
                        "discount_mode": "per_point",
                        "discount": 0.05 / per_unit,
                        "discount_applicability": "order",
                        "required_points": 100,
                    }),
                ]
                program = Program.create(
                    {
                        **defaults,
                        "name": _("Membership"),
                        "program_type": "loyalty",
                        "company_id": company.id,
                        "portal_point_name": _("Points"),
                    }
                )
                company.loyalty_program_id = program
            if not self.env["loyalty.tier"].sudo().search_count([("company_id", "=", company.id)]):
                self.env["loyalty.tier"].sudo().create(
                    [
                        dict(vals, company_id=company.id)
                        for vals in self._loyalty_default_tier_values(company.currency_id)
                    ]
                )
        return True

    def _loyalty_member_cards(self, partners):
        """Return the membership cards of ``partners`` in this company."""
        self.ensure_one()
        if not self.loyalty_program_id or not partners:
            return self.env["loyalty.card"]
        domain = [
            ("program_id", "=", self.loyalty_program_id.id),
            ("partner_id", "in", partners.ids),
        ]
        # Fetched with the search: every caller (order confirmation, POS, partner fields) reads
        # these fields right after, which would be a second query.
        return self.env["loyalty.card"].sudo().search_fetch(
            domain, ["program_id", "partner_id", "company_id", "tier_id", "points", "code"]
        )
