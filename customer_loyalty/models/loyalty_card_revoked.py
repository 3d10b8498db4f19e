from odoo import fields, models

REVOKE_REASONS = [
    ("lost", "Lost"),
    ("stolen", "Stolen"),
    ("damaged", "Damaged"),
    ("other", "Other"),
]


class LoyaltyCardRevoked(models.Model):
    """A member card code that no longer works: the card it was printed on was lost, stolen or
    damaged and the member got a new code (see ``loyalty.card._loyalty_replace_card``).

    Kept so that the shop can tell a revoked code from an unknown one when it is presented, and as
    an audit trail: lines are written by the replacement only and never changed.
    """

    _name = "loyalty.card.revoked"
    _description = "Revoked Member Card Code"
    _order = "revoked_on desc, id desc"
    _rec_name = "code"

    card_id = fields.Many2one(
        "loyalty.card", string="Member Card", required=True, index=True, ondelete="cascade",
        readonly=True,
    )
    partner_id = fields.Many2one(related="card_id.partner_id", string="Member")
    company_id = fields.Many2one(related="card_id.company_id", store=True, index=True)
    code = fields.Char(required=True, readonly=True)
    revoked_on = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users", string="Revoked By", readonly=True, default=lambda self: self.env.user
    )
    reason = fields.Selection(
        REVOKE_REASONS,
        required=True,
        default="lost",
        readonly=True,
    )
    note = fields.Char(readonly=True)

    _sql_constraints = [
        # A code is revoked once: the card then carries a new code, and revoked codes cannot be
        # given to a card again (see loyalty.card._check_code_not_revoked).
        ("code_unique", "UNIQUE(code)", "This card code has already been revoked."),
    ]
