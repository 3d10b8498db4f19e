# Classes of their own on purpose: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError


class LoyaltyProgram(models.Model):
    """Tier-only promotions: any program other than the membership program (a discount, buy X
    get Y, a free product, a promo code, coupons, next-order coupons...) may be reserved for
    members of some tiers. Sales (``sale_order_tier_promotion.py``) and the POS (in the browser
    and at sync, ``pos_order_tier_promotion.py``) ask ``_loyalty_tier_refusal``."""

    _inherit = "loyalty.program"

    tier_ids = fields.Many2many(
        "loyalty.tier",
        "loyalty_program_tier_rel",
        "program_id",
        "tier_id",
        string="Reserved for Tiers",
        help="Only members of these tiers get this promotion, in Sales and in the Point of "
        "Sale. Empty: every customer, as in Odoo.",
    )
    # The POS does not load tiers: it compares the member's tier id with these.
    pos_tier_ids = fields.Json(compute="_compute_pos_tier_ids")
    # What the POS says when it refuses the program (the same sentence as the server's).
    pos_tier_refusal = fields.Char(compute="_compute_pos_tier_ids")

    @api.depends("tier_ids")
    @api.depends_context("lang")
    def _compute_pos_tier_ids(self):
        for program in self:
            program.pos_tier_ids = program.sudo().tier_ids.ids
            program.pos_tier_refusal = (
                program.pos_tier_ids and program._loyalty_tier_refusal(self.env["loyalty.tier"])
            ) or False

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [*super()._load_pos_data_fields(config_id), "pos_tier_ids", "pos_tier_refusal"]

    @api.model_create_multi
    def create(self, vals_list):
        programs = super().create(vals_list)
        if any(vals.get("tier_ids") for vals in vals_list):
            self.env.registry.clear_cache()  # _loyalty_tier_restricted_ids
        return programs

    def write(self, vals):
        res = super().write(vals)
        if "tier_ids" in vals:
            self.env.registry.clear_cache()  # _loyalty_tier_restricted_ids
        return res

    @api.model
    @tools.ormcache()
    def _loyalty_tier_restricted_ids(self):
        """Ids of the programs reserved for tiers: most orders hold none, and then nothing
        more is read to check them (a program deleted since only costs the full check)."""
        self.env.cr.execute("SELECT DISTINCT program_id FROM loyalty_program_tier_rel")
        return frozenset(row[0] for row in self.env.cr.fetchall())

    @api.constrains("tier_ids", "company_id")
    def _check_tier_ids(self):
        for program in self.filtered("tier_ids"):
            if program.is_membership_program:
                raise ValidationError(
                    _(
                        "The membership program “%(program)s” cannot be reserved for tiers: it "
                        "is how members earn their tier. Reserve its rewards instead.",
                        program=program.name,
                    )
                )
            foreign = program.tier_ids.filtered(
                lambda t, p=program: p.company_id and t.company_id != p.company_id
            )
            if foreign:
                raise ValidationError(
                    _(
                        "The program “%(program)s” cannot be reserved for the tiers %(tiers)s "
                        "of another company.",
                        program=program.name,
                        tiers=", ".join(foreign.mapped("name")),
                    )
                )

    def _loyalty_tier_refusal(self, tier):
        """Why a customer whose member card holds ``tier`` (empty: no card or no tier) may not
        get this program, or False. The same sentence as a tier-only reward's."""
        self.ensure_one()
        program = self.sudo()  # cashiers and salespeople do not read tiers
        if not program.tier_ids or tier in program.tier_ids:
            return False
        return _(
            "The promotion “%(program)s” is reserved for %(tiers)s members.",
            program=program.name,
            tiers=", ".join(program.tier_ids.mapped("name")),
        )
