from odoo import api, fields, models
from odoo.tools import float_round, ormcache


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    is_membership_program = fields.Boolean(
        compute="_compute_is_membership_program", search="_search_is_membership_program"
    )

    @api.model
    @ormcache()
    def _loyalty_membership_program_ids(self):
        """Ids of the companies' membership programs. Cached: every confirmation asks (through
        ``is_membership``); res.company clears the cache when a company's program changes."""
        return frozenset(self.env["res.company"].sudo().search([]).loyalty_program_id.ids)

    def _compute_is_membership_program(self):
        membership = self._loyalty_membership_program_ids()
        for program in self:
            program.is_membership_program = program.id in membership

    def _search_is_membership_program(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        programs = list(self._loyalty_membership_program_ids())
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", programs)]

    # Points rules of a membership program (the ledger, see loyalty.history) ----------
    points_rounding = fields.Float(
        default=1.0,
        help="Points earned on an order (after the tier multiplier) are rounded down to a "
        "multiple of this value: 1 gives whole points, which suits VND and every currency. "
        "0 keeps Odoo's two decimals.",
    )
    points_validity_months = fields.Integer(
        string="Points Expire After (months)",
        default=0,
        help="Points expire this many months after they were earned, oldest first. "
        "0: points never expire.",
    )
    points_expiry_warning_days = fields.Integer(
        string="Warn Members (days before expiry)",
        default=14,
        help="Members are e-mailed this many days before some of their points expire.",
    )
    points_pending_days = fields.Integer(
        string="Pending Period (days)",
        default=0,
        help="Points earned on an order can only be spent after this many days (the return "
        "window). 0: at once.",
    )
    points_pending_count_for_tier = fields.Boolean(
        string="Pending Points Count for Tiers",
        default=True,
        help="Whether points still pending count toward a tier whose metric is points earned.",
    )

    _sql_constraints = [
        (
            "points_validity_positive",
            "CHECK(points_validity_months >= 0 AND points_pending_days >= 0 "
            "AND points_expiry_warning_days >= 0 AND points_rounding >= 0)",
            "Expiry, pending and warning periods and the points rounding cannot be negative.",
        ),
    ]

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [
            *super()._load_pos_data_fields(config_id),
            "is_membership_program", "points_rounding",
        ]

    def _loyalty_round_points(self, points):
        """Round earned points down to the program's points rounding (never give more)."""
        self.ensure_one()
        if self.points_rounding:
            return float_round(
                points, precision_rounding=self.points_rounding, rounding_method="DOWN"
            )
        return float_round(points, precision_digits=2, rounding_method="DOWN")
