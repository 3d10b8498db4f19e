import logging
from collections import namedtuple
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, split_every

_logger = logging.getLogger(__name__)

OCCASION_KINDS = ("birthday", "anniversary")

Candidate = namedtuple(
    "Candidate",
    "card_id partner_id company_id occasion year occasion_date rule_id reason",
)


class LoyaltyMemberGift(models.Model):
    """Birthday and anniversary gifts: the daily run that finds the members whose day is due
    and gives them their tier's gift, and the e-mail that tells them."""

    _inherit = "loyalty.member.gift"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _cron_issue_occasion_gifts(self, batch_size=500):
        """The daily run: give the birthday and anniversary gifts due. Idempotent (see
        ``_loyalty_give``); in the scheduler, each batch is committed. Their e-mails are
        rendered by a cron of their own, triggered at once (rendering is most of the time)."""
        in_scheduler = bool(self.env.context.get("ir_cron_progress_id"))
        result = self.sudo()._loyalty_issue_occasion_gifts(
            batch_size=batch_size, commit=in_scheduler
        )
        if any(gift.mail_state == "pending" for gift in result["gifts"]):
            mail_cron = self.env.ref(
                "customer_loyalty.ir_cron_loyalty_occasion_gift_mails", raise_if_not_found=False
            )
            if mail_cron:
                mail_cron.sudo()._trigger()
        return result

    @api.model
    def _cron_send_gift_mails(self, batch_size=200):
        """Queue the e-mails of the gifts waiting for one, committing each batch in the
        scheduler."""
        in_scheduler = bool(self.env.context.get("ir_cron_progress_id"))
        return self.sudo()._loyalty_send_gift_mails(batch_size=batch_size, commit=in_scheduler)

    @api.model
    def _loyalty_issue_occasion_gifts(
        self, cards=None, occasions=OCCASION_KINDS, batch_size=500, commit=False
    ):
        """Give the birthday and anniversary gifts due today (in each member's time zone) to
        the members of every company, or to ``cards`` only ("issue now"). Returns
        ``{'gifts': gifts given, 'skipped': [Candidate], 'no_birthdate': count}``."""
        now = fields.Datetime.now()
        rows = self._loyalty_occasion_candidates(now, cards=cards, occasions=occasions)
        due = [row for row in rows if not row.reason]
        skipped = [row for row in rows if row.reason]
        self._loyalty_record_skips(skipped, now)
        gifts = self.browse()
        Rule = self.env["loyalty.tier.gift"].sudo()
        Card = self.env["loyalty.card"].sudo()
        done = 0
        for batch in split_every(batch_size, due, list):
            rules = Rule.browse({row.rule_id for row in batch})
            batch_cards = Card.browse({row.card_id for row in batch})
            rules.fetch(["points", "coupon_program_id", "coupon_validity_days", "occasion",
                         "tier_id", "company_id"])
            batch_cards.fetch(["partner_id", "company_id"])
            requests = [
                Rule.browse(row.rule_id)._loyalty_gift_request(
                    Card.browse(row.card_id), row.year, row.occasion_date
                )
                for row in batch
            ]
            given = self._loyalty_give(requests)
            given._loyalty_set_mail_state()
            given._loyalty_forget_skips()
            gifts |= given
            done += len(batch)
            if commit:
                self.env["ir.cron"]._notify_progress(done=len(batch), remaining=len(due) - done)
                self.env.cr.commit()  # pylint: disable=invalid-commit
        no_birthdate = self._loyalty_count_no_birthdate(cards) if "birthday" in occasions else 0
        _logger.info(
            "Birthday and anniversary gifts: %s given, %s not given (anti-abuse rules), "
            "%s member(s) without a birth date",
            len(gifts), len(skipped), no_birthdate,
        )
        return {"gifts": gifts, "skipped": skipped, "no_birthdate": no_birthdate}

    @api.model
    def _loyalty_occasion_candidates(self, now, cards=None, occasions=OCCASION_KINDS):
        """The birthdays and anniversaries to give now, as ``Candidate`` rows, in one query
        over all members: those whose day minus the company's lead days falls within
        [today - catch-up window, today], "today" being the date at ``now`` (UTC) in the
        member's time zone (else the company's, else UTC), 29 February celebrated on the
        company's chosen day in other years, for the members whose current tier has a gift
        for the occasion and who have no gift for it that year yet. ``reason`` is set on the
        rows the anti-abuse rules hold back."""
        self.env.flush_all()
        # An empty recordset of cards is no card, not every card.
        card_filter = (
            SQL("AND card.id IN %s", tuple(cards.ids) or (0,)) if cards is not None else SQL()
        )
        self.env.cr.execute(SQL(
            """
            WITH zone AS (SELECT name FROM pg_timezone_names),
            settings AS (
                SELECT c.id AS company_id, c.loyalty_program_id AS program_id,
                       COALESCE(c.loyalty_gift_lead_days, 0) AS lead_days,
                       COALESCE(c.loyalty_gift_catchup_days, 0) AS catchup_days,
                       COALESCE(c.loyalty_gift_feb29, 'feb28') AS feb29,
                       COALESCE(c.loyalty_gift_birthdate_min_days, 0) AS birthdate_min_days,
                       COALESCE(c.loyalty_gift_membership_min_days, 0) AS member_min_days,
                       COALESCE(ctz.name, 'UTC') AS tz
                  FROM res_company c
                  JOIN res_partner cp ON cp.id = c.partner_id
                  LEFT JOIN zone ctz ON ctz.name = cp.tz
                 WHERE c.loyalty_program_id IS NOT NULL AND c.active
            ),
            -- Only the members whose day and month (of birth, of enrolment in UTC) are within
            -- two days of the widest window of the companies: a cheap test on every member,
            -- the exact dates in their time zones on the few left.
            member AS (
                SELECT card.id AS card_id, card.partner_id, s.company_id, card.tier_id,
                       s.lead_days, s.catchup_days, s.feb29, s.birthdate_min_days,
                       s.member_min_days, p.birthdate_date, p.birthdate_changed_date,
                       to_char(p.birthdate_date, 'MM-DD') IN %(days)s AS birthday_near,
                       to_char(card.create_date, 'MM-DD') IN %(days)s AS anniversary_near,
                       (%(now)s::timestamp AT TIME ZONE 'UTC'
                           AT TIME ZONE COALESCE(ptz.name, s.tz))::date AS today,
                       (card.create_date AT TIME ZONE 'UTC'
                           AT TIME ZONE COALESCE(ptz.name, s.tz))::date AS joined
                  FROM loyalty_card card
                  JOIN settings s ON s.program_id = card.program_id
                  JOIN res_partner p ON p.id = card.partner_id
                  LEFT JOIN zone ptz ON ptz.name = p.tz
                 WHERE card.active AND card.partner_id IS NOT NULL AND p.active
                   AND card.tier_id IN (SELECT tier_id FROM loyalty_tier_gift
                                         WHERE active AND occasion IN %(occasions)s)
                   AND (to_char(p.birthdate_date, 'MM-DD') IN %(days)s
                        OR to_char(card.create_date, 'MM-DD') IN %(days)s)
                   %(card_filter)s
            ),
            occasion AS (
                SELECT m.*, 'birthday' AS occasion, m.birthdate_date AS origin
                  FROM member m WHERE 'birthday' IN %(occasions)s AND m.birthday_near
                 UNION ALL
                SELECT m.*, 'anniversary', m.joined
                  FROM member m WHERE 'anniversary' IN %(occasions)s AND m.anniversary_near
            ),
            dated AS (
                SELECT o.*, y.year,
                       CASE WHEN extract(month FROM o.origin) = 2
                                 AND extract(day FROM o.origin) = 29
                                 AND NOT ((mod(y.year, 4) = 0 AND mod(y.year, 100) <> 0)
                                          OR mod(y.year, 400) = 0)
                            THEN CASE WHEN o.feb29 = 'mar1' THEN make_date(y.year, 3, 1)
                                      ELSE make_date(y.year, 2, 28) END
                            ELSE make_date(y.year, extract(month FROM o.origin)::int,
                                           extract(day FROM o.origin)::int)
                       END AS occasion_date
                  FROM occasion o
                 CROSS JOIN LATERAL (
                       SELECT extract(year FROM o.today)::int + k AS year
                         FROM generate_series(-1, 1) AS k
                 ) AS y
                 WHERE y.year > extract(year FROM o.origin)
            )
            SELECT d.card_id, d.partner_id, d.company_id, d.occasion, d.year, d.occasion_date,
                   g.id,
                   CASE WHEN d.occasion = 'birthday' AND d.birthdate_changed_date IS NOT NULL
                             AND d.birthdate_changed_date > d.today - d.birthdate_min_days
                        THEN 'birthdate_recent'
                        WHEN d.joined > d.today - d.member_min_days
                        THEN 'joined_recent'
                   END
              FROM dated d
              JOIN loyalty_tier_gift g
                ON g.tier_id = d.tier_id AND g.occasion = d.occasion AND g.active
             WHERE d.occasion_date - d.lead_days BETWEEN d.today - d.catchup_days AND d.today
               AND NOT EXISTS (
                   SELECT 1 FROM loyalty_member_gift mg
                    WHERE mg.partner_id = d.partner_id AND mg.company_id = d.company_id
                      AND mg.occasion = d.occasion AND mg.gift_key = d.year::text)
             ORDER BY d.card_id, d.occasion
            """,
            now=now,
            days=self._loyalty_window_days(now),
            occasions=tuple(occasions),
            card_filter=card_filter,
        ))
        return [Candidate(*row) for row in self.env.cr.fetchall()]

    @api.model
    def _loyalty_window_days(self, now):
        """The days of the year ('MM-DD') that a gift due at ``now`` can celebrate, whatever
        the member's time zone (within a day of UTC) and enrolment time (within another): the
        widest window of the companies, two days wider on each side. 29 February is in when
        28 February or 1 March is."""
        self.env.cr.execute(
            "SELECT COALESCE(MAX(loyalty_gift_lead_days), 0), "
            "COALESCE(MAX(loyalty_gift_catchup_days), 0) FROM res_company"
        )
        lead, catchup = self.env.cr.fetchone()
        today = now.date()
        days = {
            (today + timedelta(days=offset)).strftime("%m-%d")
            for offset in range(-catchup - 2, lead + 3)
        }
        if days & {"02-28", "03-01"}:
            days.add("02-29")
        return tuple(sorted(days))

    @api.model
    def _loyalty_record_skips(self, skipped, now):
        """List the gifts the anti-abuse rules held back (one line per member, occasion and
        year, refreshed by each run)."""
        cr = self.env.cr
        if skipped:
            cr.execute(SQL(
                """
                INSERT INTO loyalty_gift_skip (partner_id, card_id, company_id, occasion,
                                               gift_key, occasion_date, reason, checked_date,
                                               create_uid, write_uid, create_date, write_date)
                VALUES %s
                ON CONFLICT (partner_id, company_id, occasion, gift_key)
                DO UPDATE SET reason = EXCLUDED.reason, checked_date = EXCLUDED.checked_date,
                              write_date = EXCLUDED.write_date
                """,
                SQL(", ").join(
                    SQL("(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        row.partner_id, row.card_id, row.company_id, row.occasion,
                        str(row.year), row.occasion_date, row.reason, now.date(),
                        self.env.uid, self.env.uid, now, now)
                    for row in skipped
                ),
            ))
            self.env["loyalty.gift.skip"].invalidate_model()

    def _loyalty_forget_skips(self):
        """The gifts ``self`` were given: they are no longer listed as held back."""
        if not self:
            return
        self.env.cr.execute(SQL(
            """
            DELETE FROM loyalty_gift_skip s
             USING loyalty_member_gift g
             WHERE g.id IN %s AND g.partner_id = s.partner_id AND g.company_id = s.company_id
               AND g.occasion = s.occasion AND g.gift_key = s.gift_key
            """,
            tuple(self.ids),
        ))
        self.env["loyalty.gift.skip"].invalidate_model()

    @api.model
    def _loyalty_count_no_birthdate(self, cards=None):
        """Members whose tier has a birthday gift but who have no birth date."""
        # An empty recordset of cards is no card, not every card.
        card_filter = (
            SQL("AND card.id IN %s", tuple(cards.ids) or (0,)) if cards is not None else SQL()
        )
        self.env.cr.execute(SQL(
            """
            SELECT count(*)
              FROM loyalty_card card
              JOIN res_company c ON c.loyalty_program_id = card.program_id
              JOIN res_partner p ON p.id = card.partner_id
             WHERE card.active AND p.active AND p.birthdate_date IS NULL
               AND card.tier_id IN (SELECT tier_id FROM loyalty_tier_gift
                                     WHERE active AND occasion = 'birthday')
               %s
            """,
            card_filter,
        ))
        return self.env.cr.fetchone()[0]

    def _loyalty_set_mail_state(self):
        """Gifts to members who accept gift e-mails (an address, not blacklisted, not opted
        out of gifts) get their e-mail ("To send"); the others get the gift without one
        ("Opted out"). One statement."""
        if not self:
            return
        self.flush_recordset()
        self.env["res.partner"].flush_model(["email_normalized"])
        self.env["loyalty.consent"].flush_model()
        self.env.cr.execute(SQL(
            """
            UPDATE loyalty_member_gift g
               SET mail_state = CASE WHEN %s THEN 'pending' ELSE 'opted_out' END
              FROM res_partner p
             WHERE p.id = g.partner_id AND g.id IN %s
            """,
            self.env["res.partner"]._loyalty_consent_sql("p", "email", "gift"),
            tuple(self.ids),
        ))
        self.invalidate_recordset(["mail_state"])

    @api.model
    def _loyalty_send_gift_mails(self, batch_size=200, commit=False, domain_ids=None):
        """Queue the e-mail of every gift waiting for one (``mail_state`` "To send"), in
        batches; each gift's state becomes "Sent" in the transaction that queues its e-mail,
        so that no e-mail goes twice. Rendered in the member's language by the template."""
        template = self.env.ref(
            "customer_loyalty.mail_template_occasion_gift", raise_if_not_found=False
        )
        if not template:
            return 0
        Gift = self.sudo().with_context(loyalty_gift_issue=True)
        domain = [("mail_state", "=", "pending"), ("occasion", "in", OCCASION_KINDS)]
        if domain_ids is not None:
            domain.append(("id", "in", domain_ids))
        sent = 0
        Partner = self.env["res.partner"]
        while batch := Gift.search(domain, order="id", limit=batch_size):
            # The member may have opted out since the gift was given (one query per batch).
            allowed = Partner._loyalty_contactable(batch.partner_id, "email", "gift")
            to_send = batch.filtered(lambda gift, allowed=allowed: gift.partner_id in allowed)
            (batch - to_send).write({"mail_state": "opted_out"})
            if to_send:
                template.sudo().send_mail_batch(
                    to_send.ids, email_layout_xmlid="customer_loyalty.mail_layout_gift"
                )._loyalty_prepare_outgoing("gift")
                to_send.write({"mail_state": "sent"})
            sent += len(to_send)
            if commit:
                self.env["ir.cron"]._notify_progress(
                    done=len(batch), remaining=Gift.search_count(domain)
                )
                self.env.cr.commit()  # pylint: disable=invalid-commit
        if sent:
            _logger.info("Birthday and anniversary gifts: %s e-mail(s) queued", sent)
        return sent

    # ------------------------------------------------------------------
    # For the e-mail
    # ------------------------------------------------------------------

    def _loyalty_reward_text(self):
        """What the gift's coupon gives, in the current language."""
        self.ensure_one()
        return ", ".join(self.coupon_program_id.reward_ids.mapped("description"))

    @api.model
    def _loyalty_check_manager(self):
        if not self.env["loyalty.card"]._loyalty_is_privileged():
            raise AccessError(
                _("Only Loyalty Managers can issue birthday and anniversary gifts.")
            )

    def _loyalty_send_gift_mails_now(self):
        """Queue the e-mails of these gifts now (an "issue now")."""
        pending = self.filtered(lambda g: g.mail_state == "pending")
        if pending:
            self.sudo()._loyalty_send_gift_mails(domain_ids=pending.ids)
