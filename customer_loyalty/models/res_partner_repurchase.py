from odoo import api, fields, models


class ResPartner(models.Model):
    """The customer's repurchase predictions and reminders, and who may be reminded how."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    loyalty_repurchase_prediction_ids = fields.One2many(
        "loyalty.repurchase.prediction", "partner_id", string="Repurchase Predictions",
        groups="customer_loyalty.group_loyalty_user",
    )
    loyalty_repurchase_reminder_ids = fields.One2many(
        "loyalty.repurchase.reminder", "partner_id", string="Repurchase Reminders",
        groups="customer_loyalty.group_loyalty_user",
    )

    @api.model
    def _loyalty_reminder_recipients(self, partners, channel):
        """The ``partners`` who may get a repurchase reminder by ``channel`` ("activity": a
        salesperson calls or writes them; "email": the reminder e-mail). The one place where
        the consent rules apply (``res.partner._loyalty_contactable``, purpose "reminder"): an
        e-mail needs an address that is neither blacklisted nor opted out of reminders; an
        activity is not given for a customer whose phone is blacklisted or who opted out of
        reminder calls (one without a phone still gets one: the salesperson may write)."""
        if not partners:
            return partners
        if channel == "email":
            return self._loyalty_contactable(partners, "email", "reminder")
        callable_ = self._loyalty_contactable(partners, "call", "reminder")
        opt_outs = partners._loyalty_purpose_opt_outs()
        return partners.filtered(
            lambda partner: partner in callable_
            or (not partner.phone_sanitized
                and ("call", "reminder") not in opt_outs.get(partner.id, set()))
        )
