import ast
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _loyalty_prepare_outgoing(self, purpose, now=None):
        """Stamp the e-mails of the addon just created (``self``) for ``purpose``: the
        ``List-Unsubscribe`` headers of their recipient (one-click, RFC 8058) and, when they
        were created in the recipient's quiet hours, a ``scheduled_date`` at the end of them
        (Odoo's mail queue sends nothing before it). One UPDATE for all of them. Every sending
        feature of the addon calls it on the mails it creates."""
        mails = self.sudo().filtered("recipient_ids")
        if not mails:
            return self
        now = now or fields.Datetime.now()
        # The company of each mail's record, read per model (one read per model).
        by_model = defaultdict(set)
        for mail in mails:
            if mail.model and mail.res_id:
                by_model[mail.model].add(mail.res_id)
        company_of = {}
        for model, res_ids in by_model.items():
            records = self.env[model].sudo().browse(res_ids).exists()
            if "company_id" in records._fields:
                for record in records:
                    company_of[(model, record.id)] = record.company_id
        default_company = self.env.company
        by_company = defaultdict(lambda: self.env["res.partner"])
        for mail in mails:
            company = company_of.get((mail.model, mail.res_id)) or default_company
            by_company[company] |= mail.recipient_ids[:1]
        send_after = {}
        for company, partners in by_company.items():
            for partner_id, when in partners._loyalty_send_after(company, now).items():
                send_after[(company.id, partner_id)] = when
        rows = []
        for mail in mails:
            partner = mail.recipient_ids[:1]
            company = company_of.get((mail.model, mail.res_id)) or default_company
            url = partner._loyalty_unsubscribe_url(purpose)
            headers = self._loyalty_parse_headers(mail.headers)
            headers.update({
                "List-Unsubscribe": f"<{url}/oneclick>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            })
            # The later of the quiet hours' end and a date the template already set.
            when = max(
                filter(None, [send_after.get((company.id, partner.id)), mail.scheduled_date]),
                default=None,
            )
            rows.append(SQL("(%s, %s::timestamp, %s)", mail.id, when, repr(headers)))
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            UPDATE mail_mail m SET scheduled_date = v.scheduled_date, headers = v.headers
              FROM (VALUES %s) AS v(id, scheduled_date, headers)
             WHERE m.id = v.id
            """,
            SQL(", ").join(rows),
        ))
        mails.invalidate_recordset(["scheduled_date", "headers"])
        later = {when for when in send_after.values() if when}
        if later:
            cron = self.env.ref("mail.ir_cron_mail_scheduler_action", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger_list(sorted(later))
        return self

    @api.model
    def _loyalty_parse_headers(self, headers):
        if not headers:
            return {}
        try:
            parsed = ast.literal_eval(headers)
        except (ValueError, SyntaxError):
            return {}
        return parsed if isinstance(parsed, dict) else {}
