from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

from .loyalty_consent import CHANNEL_KEYS, CHANNELS, PURPOSE_KEYS, PURPOSES

# The sources staff may name through the context (RPC included); "unsubscribe" and "portal"
# are recorded by the public routes only.
STAFF_SOURCES = ("staff", "pos", "import")
# The channel-wide blacklist field of each channel.
BLOCK_FIELD = {"email": "loyalty_no_email", "sms": "loyalty_no_phone", "call": "loyalty_no_phone"}


def _purpose_field(channel, purpose):
    return f"loyalty_no_{channel}_{purpose}"


def _consent_flag(string):
    """A purpose opt-out of the contact form: a view of the latest journal line."""
    return fields.Boolean(
        string=string, compute="_compute_loyalty_consent", readonly=False,
        groups="base.group_user",
    )


PURPOSE_FIELDS = {
    _purpose_field(channel, purpose): (channel, purpose)
    for channel in CHANNEL_KEYS for purpose in PURPOSE_KEYS
}


class ResPartner(models.Model):
    """Communication consent: who may be contacted, through which channel, for what.

    Effective consent of a contact for a channel and a purpose = an address for the channel,
    not on Odoo's blacklist of the channel (``mail.blacklist`` for e-mail, ``phone.blacklist``
    for SMS and calls) and no opt-out for the purpose (the latest ``loyalty.consent`` line of
    the contact, channel and purpose). Nothing else is stored: the purpose fields below are
    views of the journal, the "no e-mail" and "no SMS or calls" fields views of the
    blacklists; writing them (``write``) records a journal line and, for the latter two, adds
    or archives the blacklist entry."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    loyalty_consent_ids = fields.One2many(
        "loyalty.consent", "partner_id", string="Consent Journal", readonly=True,
        groups="customer_loyalty.group_loyalty_user",
    )
    loyalty_no_email = fields.Boolean(
        string="No E-mail at All", compute="_compute_loyalty_consent",
        readonly=False, groups="base.group_user",
        help="The e-mail address is on Odoo's e-mail blacklist: no e-mail of any kind, mass "
        "mailings included.",
    )
    loyalty_no_phone = fields.Boolean(
        string="No SMS or Calls at All", compute="_compute_loyalty_consent",
        readonly=False, groups="base.group_user",
        help="The phone number is on Odoo's phone blacklist: no SMS and no calls of any kind.",
    )
    loyalty_no_email_reminder = _consent_flag("No Reminder E-mails")
    loyalty_no_email_service = _consent_flag("No Membership and Care E-mails")
    loyalty_no_email_gift = _consent_flag("No Gift E-mails")
    loyalty_no_email_marketing = _consent_flag("No Promotion E-mails")
    loyalty_no_sms_reminder = _consent_flag("No Reminder SMS")
    loyalty_no_sms_service = _consent_flag("No Membership and Care SMS")
    loyalty_no_sms_gift = _consent_flag("No Gift SMS")
    loyalty_no_sms_marketing = _consent_flag("No Promotion SMS")
    loyalty_no_call_reminder = _consent_flag("No Reminder Calls")
    loyalty_no_call_service = _consent_flag("No Membership and Care Calls")
    loyalty_no_call_gift = _consent_flag("No Gift Calls")
    loyalty_no_call_marketing = _consent_flag("No Promotion Calls")
    loyalty_do_not_contact = fields.Char(
        string="Do Not Contact", compute="_compute_loyalty_consent", groups="base.group_user",
        help="What the contact must not be contacted for, by channel (\"; \" between channels).",
    )

    # ------------------------------------------------------------------
    # The set-wise API for every sending feature of the addon
    # ------------------------------------------------------------------

    @api.model
    def _loyalty_consent_sql(self, alias, channel, purpose):
        """An SQL condition true when the contact ``alias`` (a res_partner alias) may be
        contacted by ``channel`` for ``purpose``: to filter recipients inside a cron's query."""
        if channel not in CHANNEL_KEYS or purpose not in PURPOSE_KEYS:
            raise UserError(_("Unknown channel or purpose: %(channel)s, %(purpose)s",
                              channel=channel, purpose=purpose))
        partner = SQL.identifier(alias)
        if channel == "email":
            reachable = SQL(
                """COALESCE(%(p)s.email_normalized, '') <> '' AND NOT EXISTS (
                       SELECT 1 FROM mail_blacklist bl
                        WHERE bl.email = %(p)s.email_normalized AND bl.active)""",
                p=partner,
            )
        else:
            reachable = SQL(
                """COALESCE(%(p)s.phone_sanitized, '') <> '' AND NOT EXISTS (
                       SELECT 1 FROM phone_blacklist bl
                        WHERE bl.number = %(p)s.phone_sanitized AND bl.active)""",
                p=partner,
            )
        return SQL(
            """(%(reachable)s AND NOT COALESCE((
                   SELECT c.opt_out FROM loyalty_consent c
                    WHERE c.partner_id = %(p)s.id AND c.channel = %(channel)s
                      AND c.purpose = %(purpose)s
                    ORDER BY c.id DESC LIMIT 1), FALSE))""",
            reachable=reachable, p=partner, channel=channel, purpose=purpose,
        )

    @api.model
    def _loyalty_contactable(self, partner_ids, channel, purpose):
        """The contacts among ``partner_ids`` (ids or a recordset) that may be contacted by
        ``channel`` ("email", "sms", "call") for ``purpose`` ("reminder", "service", "gift",
        "marketing"): with an address for the channel, not blacklisted, not opted out of the
        purpose. One query, whatever the number of contacts. Returns a recordset."""
        ids = tuple(getattr(partner_ids, "ids", partner_ids) or ())
        if not ids:
            return self.browse()
        self.env["res.partner"].flush_model(["email_normalized", "phone_sanitized"])
        self.env["loyalty.consent"].flush_model()
        self.env["mail.blacklist"].flush_model()
        self.env["phone.blacklist"].flush_model()
        self.env.cr.execute(SQL(
            "SELECT p.id FROM res_partner p WHERE p.id IN %s AND %s",
            ids, self._loyalty_consent_sql("p", channel, purpose),
        ))
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _loyalty_purpose_opt_outs(self):
        """{partner id: {(channel, purpose), ...}} of the purposes these contacts opted out
        of (their latest line), in one query."""
        result = {partner_id: set() for partner_id in self.ids}
        if not self.ids:
            return result
        self.env["loyalty.consent"].flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT DISTINCT ON (partner_id, channel, purpose) partner_id, channel, purpose, opt_out
              FROM loyalty_consent
             WHERE partner_id IN %s AND purpose <> 'all'
             ORDER BY partner_id, channel, purpose, id DESC
            """,
            tuple(self.ids),
        ))
        for partner_id, channel, purpose, opt_out in self.env.cr.fetchall():
            if opt_out:
                result[partner_id].add((channel, purpose))
        return result

    # ------------------------------------------------------------------
    # The contact form and the POS
    # ------------------------------------------------------------------

    @api.depends("email_normalized", "phone_sanitized", "loyalty_consent_ids")
    @api.depends_context("lang")
    def _compute_loyalty_consent(self):
        partners = self.filtered("id")
        opt_outs = partners.sudo()._loyalty_purpose_opt_outs()
        channel_names = dict(CHANNELS)
        purpose_names = dict(PURPOSES)
        channel_labels = dict(self.env["loyalty.consent"]._fields["channel"]
                              ._description_selection(self.env))
        purpose_labels = dict(self.env["loyalty.consent"]._fields["purpose"]
                              ._description_selection(self.env))
        for partner in self:
            sudo = partner.sudo()
            partner.loyalty_no_email = sudo.is_blacklisted
            partner.loyalty_no_phone = sudo.phone_sanitized_blacklisted
            mine = opt_outs.get(partner.id, set())
            for fname, key in PURPOSE_FIELDS.items():
                partner[fname] = key in mine
            parts = []
            for channel in CHANNEL_KEYS:
                label = channel_labels.get(channel, channel_names[channel])
                if partner[BLOCK_FIELD[channel]]:
                    parts.append(_("%(channel)s: all", channel=label))
                    continue
                purposes = [purpose_labels.get(p, purpose_names[p])
                            for p in PURPOSE_KEYS if (channel, p) in mine]
                if purposes:
                    parts.append(_("%(channel)s: %(purposes)s", channel=label,
                                   purposes=", ".join(purposes)))
            partner.loyalty_do_not_contact = "; ".join(parts)

    def _loyalty_consent_source(self):
        source = self.env.context.get("loyalty_consent_source") or "staff"
        if source not in STAFF_SOURCES:
            raise UserError(_("Consent can be recorded by staff as from the staff, the Point "
                              "of Sale or an import only."))
        return source

    @api.model_create_multi
    def create(self, vals_list):
        consents = [self._loyalty_pop_consent(vals) for vals in vals_list]
        partners = super().create(vals_list)
        if any(consents):
            for partner, consent in zip(partners, consents, strict=True):
                partner._loyalty_write_consent(consent)
        return partners

    def write(self, vals):
        consent = self._loyalty_pop_consent(vals)
        result = super().write(vals) if vals else True
        if consent:
            self._loyalty_write_consent(consent)
        return result

    @api.model
    def _loyalty_pop_consent(self, vals):
        """The consent values of ``vals`` (removed from it): they are not stored on the
        contact but in the journal and the blacklists."""
        names = [*PURPOSE_FIELDS, "loyalty_no_email", "loyalty_no_phone"]
        return {name: bool(vals.pop(name)) for name in names if name in vals}

    def _loyalty_write_consent(self, consent):
        """Record what changes in ``consent`` ({field: value}) for these contacts (the write
        on them has checked the rights)."""
        self.check_access("write")
        source = self._loyalty_consent_source()
        current = self.sudo()._loyalty_purpose_opt_outs()
        changes = []
        for partner in self:
            sudo = partner.sudo()
            for fname, value in consent.items():
                if fname == "loyalty_no_email":
                    if value != sudo.is_blacklisted:
                        changes.append((partner, "email", "all", value))
                elif fname == "loyalty_no_phone":
                    if value != sudo.phone_sanitized_blacklisted:
                        changes.append((partner, "phone", "all", value))
                else:
                    channel, purpose = PURPOSE_FIELDS[fname]
                    if value != ((channel, purpose) in current[partner.id]):
                        changes.append((partner, channel, purpose, value))
        self._loyalty_record_consent(changes, source)

    def _loyalty_record_consent(self, changes, source, note=None):
        """Record ``changes`` [(partner, channel, purpose, opt_out)]: a journal line each, and
        for purpose "all" the blacklist entry itself (added or archived, with a note on it).
        The callers checked the rights (the write on the contact, or the token of the link)."""
        if not changes:
            return self.env["loyalty.consent"]
        sources = dict(self.env["loyalty.consent"]._fields["source"]
                       ._description_selection(self.env))
        for partner, channel, purpose, opt_out in changes:
            if purpose != "all":
                continue
            message = _("Recorded for %(contact)s by %(user)s (%(origin)s)",
                        contact=partner.display_name, user=self.env.user.display_name,
                        origin=sources.get(source, source))
            if channel == "email":
                if not partner.email_normalized:
                    raise UserError(_("%(contact)s has no valid e-mail address to block.",
                                      contact=partner.display_name))
                blacklist = self.env["mail.blacklist"].sudo()
                if opt_out:
                    blacklist._add(partner.email_normalized, message=message)
                else:
                    blacklist._remove(partner.email_normalized, message=message)
            else:
                if not partner.phone_sanitized:
                    raise UserError(_("%(contact)s has no valid phone number to block.",
                                      contact=partner.display_name))
                blacklist = self.env["phone.blacklist"].sudo()
                if opt_out:
                    blacklist._add([partner.phone_sanitized], message=message)
                else:
                    blacklist._remove([partner.phone_sanitized], message=message)
        lines = self.env["loyalty.consent"].sudo().create([
            {"partner_id": partner.id, "channel": channel, "purpose": purpose,
             "opt_out": opt_out, "source": source, "note": note}
            for partner, channel, purpose, opt_out in changes
        ])
        # The blacklists are no dependency of the computed fields: forget them all.
        self.env["res.partner"].invalidate_model([
            "loyalty_consent_ids", "loyalty_do_not_contact", "loyalty_no_email",
            "loyalty_no_phone", "is_blacklisted", "phone_sanitized_blacklisted",
            "phone_blacklisted", "mobile_blacklisted", *PURPOSE_FIELDS,
        ])
        return lines

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [*super()._load_pos_data_fields(config_id), "loyalty_do_not_contact"]

    # ------------------------------------------------------------------
    # Unsubscribe links
    # ------------------------------------------------------------------

    def _loyalty_unsubscribe_token(self, purpose):
        """The secret of the unsubscribe link of this contact and purpose (HMAC with the
        database secret, as mass mailing's links)."""
        self.ensure_one()
        return tools.hmac(self.env(su=True), "customer_loyalty-unsubscribe", (self.id, purpose))

    def _loyalty_unsubscribe_url(self, purpose):
        """The public link that opts this contact out of ``purpose`` e-mails."""
        self.ensure_one()
        token = self._loyalty_unsubscribe_token(purpose)
        return f"{self.get_base_url()}/loyalty/unsubscribe/{self.id}/{purpose}/{token}"

    # ------------------------------------------------------------------
    # Quiet hours
    # ------------------------------------------------------------------

    def _loyalty_send_after(self, company=None, now=None):
        """{partner id: UTC datetime or False}: when a message to each contact may go out, given
        the quiet hours of ``company`` (default: the current one) in the contact's time zone
        (else the company's, else the user's, else UTC). False: now is fine."""
        company = company or self.env.company
        now = now or fields.Datetime.now()
        start, end = company.loyalty_quiet_start, company.loyalty_quiet_end
        if not company.loyalty_quiet_hours or start == end:
            return dict.fromkeys(self.ids, False)
        start_t, end_t = _float_time(start), _float_time(end)
        fallback = company.partner_id.tz or self.env.user.tz or "UTC"
        result = {}
        for partner in self:
            try:
                zone = pytz.timezone(partner.tz or fallback)
            except pytz.UnknownTimeZoneError:
                zone = pytz.utc
            local = pytz.utc.localize(now).astimezone(zone)
            clock = local.time().replace(tzinfo=None)
            if start_t < end_t:
                quiet = start_t <= clock < end_t
                day = local.date()
            else:  # over midnight, e.g. 21:00-08:00
                quiet = clock >= start_t or clock < end_t
                day = local.date() + timedelta(days=1) if clock >= start_t else local.date()
            if not quiet:
                result[partner.id] = False
                continue
            resume = zone.localize(datetime.combine(day, end_t))
            result[partner.id] = resume.astimezone(pytz.utc).replace(tzinfo=None)
        return result


def _float_time(value):
    hours = int(value)
    minutes = min(round((value - hours) * 60), 59)
    return time(hours % 24, minutes)
