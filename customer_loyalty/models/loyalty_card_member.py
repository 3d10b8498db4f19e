import re

from odoo import api, fields, models
from odoo.tools import SQL, formatLang


# A file of its own on purpose (STYLE.md: a file per concern; loyalty_card.py is past 900 lines).
class LoyaltyCard(models.Model):
    """How staff find and read members: search by phone, points with thousands separators."""

    _inherit = "loyalty.card"  # pylint: disable=consider-merging-classes-inherited

    member_phone = fields.Char(
        string="Phone", compute="_compute_member_contact", search="_search_member_phone",
        help="The member's phone or mobile number.",
    )
    member_email = fields.Char(related="partner_id.email", string="E-mail")

    @api.depends("partner_id.phone", "partner_id.mobile")
    def _compute_member_contact(self):
        for card in self:
            card.member_phone = card.partner_id.phone or card.partner_id.mobile

    def _search_member_phone(self, operator, value):
        """Match phone and mobile numbers on their digits: “0903 124 501”, “903124501” and
        “+84 90 312 4501” find the same member (a national number drops its leading 0)."""
        if operator != "ilike" or not isinstance(value, str):
            return NotImplemented
        digits = re.sub(r"\D", "", value)
        if len(digits) < 3:
            return [
                "|", ("partner_id.phone", "ilike", value), ("partner_id.mobile", "ilike", value)
            ]
        digits = digits.removeprefix("00") if value.strip().startswith("00") else digits
        digits = digits[1:] if value.strip().startswith("0") and len(digits) > 3 else digits
        pattern = f"%{digits}%"
        # Only contacts' ids come out of this query; the cards found are still filtered by the
        # user's rights on cards.
        self.env["res.partner"].flush_model(["phone", "mobile"])
        rows = self.env.execute_query(SQL(
            """SELECT id FROM res_partner
                WHERE regexp_replace(coalesce(phone, ''), '\\D', '', 'g') LIKE %(pattern)s
                   OR regexp_replace(coalesce(mobile, ''), '\\D', '', 'g') LIKE %(pattern)s""",
            pattern=pattern,
        ))
        return [("partner_id", "in", [row[0] for row in rows])]

    def _format_points(self, points):
        # Odoo prints "12345 Points"; members and staff read "12,345 Points" (in their language).
        self.ensure_one()
        if not self.program_id.is_membership_program:
            return super()._format_points(points)
        digits = 0 if points == int(points) else 2
        return f"{formatLang(self.env, points, digits=digits)} {self.point_name or ''}".strip()
