from odoo import fields, models


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    is_membership_program = fields.Boolean(
        compute="_compute_is_membership_program", search="_search_is_membership_program"
    )

    def _compute_is_membership_program(self):
        membership = self.env["res.company"].sudo().search([]).loyalty_program_id
        for program in self:
            program.is_membership_program = program in membership

    def _search_is_membership_program(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        programs = self.env["res.company"].sudo().search([]).loyalty_program_id
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", programs.ids)]
