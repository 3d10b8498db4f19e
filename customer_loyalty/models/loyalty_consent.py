from odoo import _, api, fields, models
from odoo.exceptions import UserError

# How the addon reaches a member. SMS and calls share the phone number, so Odoo's
# ``phone.blacklist`` blocks both; ``mail.blacklist`` blocks every e-mail.
CHANNELS = [
    ("email", "E-mail"),
    ("sms", "SMS"),
    ("call", "Phone calls"),
]
# Why the addon writes to a member. Each sending feature names its purpose:
#   reminder  - reminders: points about to expire, appointment and package reminders
#   service   - membership and after-sales care: tier changes, member card, care follow-ups,
#               package notices
#   gift      - gifts and birthdays: birthday, anniversary and welcome gift messages
#   marketing - promotions and newsletters
PURPOSES = [
    ("reminder", "Reminders"),
    ("service", "Membership and care"),
    ("gift", "Gifts and birthdays"),
    ("marketing", "Promotions"),
]
PURPOSE_KEYS = tuple(key for key, _label in PURPOSES)
CHANNEL_KEYS = tuple(key for key, _label in CHANNELS)
SOURCES = [
    ("unsubscribe", "Unsubscribe link"),
    ("staff", "Staff"),
    ("pos", "Point of Sale"),
    ("portal", "Portal"),
    ("import", "Import"),
]


class LoyaltyConsent(models.Model):
    """The journal of a member's opt-outs and opt-ins, and the single store of the opt-outs per
    purpose: the latest line of a member, channel and purpose says whether they opted out.

    "No e-mail at all" and "no SMS or calls at all" are not stored here: they are Odoo's
    ``mail.blacklist`` and ``phone.blacklist``, which mass mailing and SMS marketing use too.
    Changing them through the addon writes a line of scope "all" to the journal (who, when,
    from where), but the blacklists alone say whether a member is blocked. Lines are never
    edited or deleted."""

    _name = "loyalty.consent"
    _description = "Member Communication Consent"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, readonly=True, index=True,
        ondelete="cascade",
    )
    channel = fields.Selection(
        [*CHANNELS, ("phone", "SMS and calls")], required=True, readonly=True,
        help="SMS and calls: the phone blacklist, which blocks both.",
    )
    purpose = fields.Selection(
        [*PURPOSES, ("all", "Everything (blacklist)")], required=True, readonly=True,
    )
    opt_out = fields.Boolean(
        string="Opted Out", readonly=True,
        help="Set: the contact asked not to be contacted; not set: they agreed again.",
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    source = fields.Selection(SOURCES, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", readonly=True, default=lambda self: self.env.user,
        help="The user who recorded it (the public user for an unsubscribe link).",
    )
    note = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "all_only_for_blacklists",
            "CHECK((purpose <> 'all' OR channel IN ('email', 'phone'))"
            " AND (channel <> 'phone' OR purpose = 'all'))",
            "A whole channel is blocked by the e-mail or phone blacklist only.",
        ),
    ]

    def init(self):
        # The latest line per member, channel and purpose is what the crons read.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS loyalty_consent_latest_idx "
            "ON loyalty_consent (partner_id, channel, purpose, id DESC)"
        )

    def write(self, vals):
        if self and vals:
            raise UserError(
                _("Consent records cannot be changed: record a new opt-in or opt-out.")
            )
        return super().write(vals)

    def unlink(self):
        if self:
            raise UserError(
                _("Consent records cannot be deleted: they are the proof of consent.")
            )
        return super().unlink()

    @api.depends("channel", "purpose", "opt_out")
    def _compute_display_name(self):
        channels = dict(self._fields["channel"]._description_selection(self.env))
        purposes = dict(self._fields["purpose"]._description_selection(self.env))
        for line in self:
            line.display_name = _(
                "%(channel)s / %(purpose)s: %(state)s",
                channel=channels.get(line.channel),
                purpose=purposes.get(line.purpose),
                state=_("opted out") if line.opt_out else _("opted in"),
            )
