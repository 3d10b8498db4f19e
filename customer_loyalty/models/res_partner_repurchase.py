from odoo import api, fields, models
from odoo.tools import SQL


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
        the consent rules per channel apply; for now e-mails go to partners with an address
        that is not blacklisted."""
        if channel != "email" or not partners:
            return partners
        partners.flush_recordset(["email_normalized"])
        self.env.cr.execute(SQL(
            """
            SELECT p.id FROM res_partner p
             WHERE p.id = ANY(%s) AND COALESCE(p.email_normalized, '') <> ''
               AND NOT EXISTS (SELECT 1 FROM mail_blacklist b
                                WHERE b.email = p.email_normalized AND b.active)
            """,
            partners.ids,
        ))
        return self.browse([row[0] for row in self.env.cr.fetchall()])
