from odoo import _, fields
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.http import request


class LoyaltyBirthdatePortal(CustomerPortal):
    """The member enters their birth date in *My Account* (Odoo's /my/account form)."""

    def _get_optional_fields(self):
        return [*super()._get_optional_fields(), "birthdate_date"]

    def details_form_validate(self, data, partner_creation=False):
        error, error_message = super().details_form_validate(
            data, partner_creation=partner_creation
        )
        value = (data.get("birthdate_date") or "").strip()
        if not value:
            return error, error_message
        try:
            birthdate = fields.Date.to_date(value)
        except ValueError:
            birthdate = None
        if not birthdate:
            error["birthdate_date"] = "error"
            error_message.append(_("Enter your birth date as a date, for example 1990-05-31."))
            return error, error_message
        # The partner's own rule, with its message in the member's language.
        if message := request.env["res.partner"]._loyalty_birthdate_error(birthdate):
            error["birthdate_date"] = "error"
            error_message.append(message)
        return error, error_message
