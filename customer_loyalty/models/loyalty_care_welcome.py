from odoo import api, models
from odoo.tools import SQL


class LoyaltyCareEvent(models.Model):
    """The welcome of new members: an e-mail with their card, once per member and company, and
    a welcome call for the members entering a tier marked "Welcome call", once per member and
    tier. Journaled in the care journal and done by the care cron, so that enrolling a thousand
    customers renders nothing inside the enrolment itself."""

    _inherit = "loyalty.care.event"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _loyalty_create_welcome_events(self, companies):
        """Pending welcome events for the member cards and tier entries since the company's
        "Welcome From" moment: one statement each."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(SQL(
            """
            INSERT INTO loyalty_care_event (
                kind, company_id, partner_id, card_id, tier_id, due_date, state,
                create_uid, write_uid, create_date, write_date)
            SELECT 'welcome_email', card.company_id, card.partner_id, card.id, card.tier_id,
                   card.create_date::date, 'pending', %(uid)s, %(uid)s,
                   NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
              FROM loyalty_card card
              JOIN res_company c ON c.id = card.company_id
                               AND c.loyalty_program_id = card.program_id
             WHERE card.partner_id IS NOT NULL AND card.active AND c.loyalty_welcome_mail
               AND c.id = ANY(%(companies)s)
               AND card.create_date >= c.loyalty_welcome_date_from
            ON CONFLICT (company_id, partner_id) WHERE kind = 'welcome_email' DO NOTHING
            RETURNING id
            """,
            uid=self.env.uid, companies=companies.ids,
        ))
        ids = [row[0] for row in cr.fetchall()]
        cr.execute(SQL(
            """
            INSERT INTO loyalty_care_event (
                kind, company_id, partner_id, card_id, tier_id, due_date, state,
                create_uid, write_uid, create_date, write_date)
            SELECT DISTINCT ON (h.company_id, h.partner_id, h.new_tier_id)
                   'welcome_call', h.company_id, h.partner_id, h.card_id, h.new_tier_id,
                   h.date::date, 'pending', %(uid)s, %(uid)s,
                   NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
              FROM loyalty_tier_history h
              JOIN loyalty_tier t ON t.id = h.new_tier_id AND t.welcome_call
              JOIN res_company c ON c.id = h.company_id
             WHERE h.partner_id IS NOT NULL AND h.direction IN ('enrol', 'up')
               AND c.id = ANY(%(companies)s)
               AND h.date >= c.loyalty_welcome_date_from
             ORDER BY h.company_id, h.partner_id, h.new_tier_id, h.date, h.id
            ON CONFLICT (company_id, partner_id, tier_id) WHERE kind = 'welcome_call' DO NOTHING
            RETURNING id
            """,
            uid=self.env.uid, companies=companies.ids,
        ))
        ids += [row[0] for row in cr.fetchall()]
        return self.browse(ids)
