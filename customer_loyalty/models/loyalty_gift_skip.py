from odoo import fields, models

SKIP_REASONS = [
    ("birthdate_recent", "Birth date set or changed recently"),
    ("joined_recent", "Joined recently"),
]


class LoyaltyGiftSkip(models.Model):
    """The birthday and anniversary gifts the daily run did not give, and why: one line per
    member, company, occasion and year, written by the run (``loyalty.member.gift``
    ``_loyalty_issue_occasion_gifts``) and refreshed when it checks the member again. Members
    without a birth date have no line: the "Members without a birth date" list shows them."""

    _name = "loyalty.gift.skip"
    _description = "Gift Not Given"
    _order = "checked_date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Member", required=True, readonly=True, index=True,
        ondelete="cascade",
    )
    card_id = fields.Many2one(
        "loyalty.card", string="Member Card", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    occasion = fields.Selection(
        [("birthday", "Birthday"), ("anniversary", "Membership anniversary")],
        required=True, readonly=True,
    )
    gift_key = fields.Char(string="Year", required=True, readonly=True)
    occasion_date = fields.Date(readonly=True, help="The day that would have been celebrated.")
    reason = fields.Selection(SKIP_REASONS, required=True, readonly=True)
    checked_date = fields.Date(
        string="Checked On", readonly=True, help="The member's day of the last run that checked."
    )

    _sql_constraints = [
        (
            "member_occasion_key_unique",
            "UNIQUE(partner_id, company_id, occasion, gift_key)",
            "A gift not given is listed once per member, occasion and year.",
        ),
    ]
