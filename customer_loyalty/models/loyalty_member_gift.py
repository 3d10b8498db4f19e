import logging

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .loyalty_card_points import loyalty_points_flow
from .loyalty_tier_gift import OCCASIONS

_logger = logging.getLogger(__name__)

# Set once, when the gift is issued; everything else about a gift never changes.
GIFT_WRITABLE_FIELDS = {"mail_state"}


class LoyaltyMemberGift(models.Model):
    """The gifts given to members: the journal of welcome, birthday and anniversary gifts.

    One line per member, company, occasion and key (the tier reached for a welcome gift, the
    year for a birthday or an anniversary), enforced by a unique index: a second run of a cron,
    two crons at once or a manual "issue now" insert nothing the second time
    (``INSERT ... ON CONFLICT DO NOTHING``). Like the points ledger, lines are never edited
    or deleted; the points go through the ledger, the coupon is a card of an Odoo coupon program.
    """

    _name = "loyalty.member.gift"
    _description = "Member Gift"
    _order = "create_date desc, id desc"
    _rec_name = "display_name"

    partner_id = fields.Many2one(
        "res.partner", string="Member", required=True, readonly=True, index=True,
        ondelete="restrict",
    )
    card_id = fields.Many2one(
        "loyalty.card", string="Member Card", required=True, readonly=True, index=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    occasion = fields.Selection(OCCASIONS, required=True, readonly=True)
    gift_key = fields.Char(
        string="Key", required=True, readonly=True,
        help="What makes the gift unique for the member and occasion: the year of a birthday "
        "or an anniversary, the tier of a welcome gift.",
    )
    occasion_date = fields.Date(readonly=True, help="The day celebrated.")
    tier_id = fields.Many2one("loyalty.tier", readonly=True, ondelete="restrict")
    rule_id = fields.Many2one(
        "loyalty.tier.gift", string="Gift Rule", readonly=True, ondelete="set null"
    )
    points = fields.Float(readonly=True)
    history_id = fields.Many2one(
        "loyalty.history", string="Ledger Line", readonly=True, ondelete="restrict"
    )
    coupon_program_id = fields.Many2one("loyalty.program", readonly=True, ondelete="restrict")
    coupon_id = fields.Many2one(
        "loyalty.card", readonly=True, ondelete="restrict", index="btree_not_null"
    )
    coupon_code = fields.Char(related="coupon_id.code", string="Coupon Code")
    coupon_expiration_date = fields.Date(
        related="coupon_id.expiration_date", string="Coupon Expires"
    )
    state = fields.Selection(
        [("issued", "Issued"), ("used", "Used"), ("expired", "Expired")],
        compute="_compute_state",
        search="_search_state",
        help="Issued: the coupon can be used (a gift of points only is always issued). Used: the "
        "coupon was spent. Expired: the coupon's date passed before it was used.",
    )
    greeting = fields.Char(
        compute="_compute_greeting",
        help="The greeting of the gift's e-mail, in the reader's language.",
    )
    mail_state = fields.Selection(
        [
            ("none", "No e-mail"),
            ("pending", "To send"),
            ("sent", "Sent"),
            ("opted_out", "Opted out"),
        ],
        string="E-mail",
        default="none",
        readonly=True,
    )

    _sql_constraints = [
        (
            "member_occasion_key_unique",
            "UNIQUE(partner_id, company_id, occasion, gift_key)",
            "A member receives one gift per occasion and key.",
        ),
    ]

    @api.depends("occasion", "gift_key", "tier_id")
    def _compute_display_name(self):
        occasions = dict(self._fields["occasion"]._description_selection(self.env))
        for gift in self:
            gift.display_name = f"{occasions.get(gift.occasion, '')} {gift.gift_key or ''}".strip()
            if gift.occasion == "welcome" and gift.tier_id:
                gift.display_name = f"{occasions['welcome']}: {gift.tier_id.name}"

    @api.depends("occasion")
    @api.depends_context("lang")
    def _compute_greeting(self):
        greetings = {
            "birthday": self.env._("Happy birthday"),
            "anniversary": self.env._("Happy membership anniversary"),
            "welcome": self.env._("Welcome"),
        }
        for gift in self:
            gift.greeting = greetings.get(gift.occasion, "")

    @api.depends("coupon_id.points", "coupon_id.expiration_date")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for gift in self:
            coupon = gift.coupon_id
            if not coupon:
                gift.state = "issued"
            elif coupon.points <= 0:
                gift.state = "used"
            elif coupon.expiration_date and coupon.expiration_date < today:
                gift.state = "expired"
            else:
                gift.state = "issued"

    def _search_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Unsupported search on the state of a gift."))
        values = {value} if isinstance(value, str) else set(value or ())
        if operator in ("!=", "not in"):
            values = {"issued", "used", "expired"} - values
        today = fields.Date.context_today(self)
        domains = {
            "used": [("coupon_id", "!=", False), ("coupon_id.points", "<=", 0)],
            "expired": [
                ("coupon_id.points", ">", 0),
                ("coupon_id.expiration_date", "!=", False),
                ("coupon_id.expiration_date", "<", today),
            ],
            "issued": [
                "|",
                ("coupon_id", "=", False),
                "&",
                ("coupon_id.points", ">", 0),
                "|",
                ("coupon_id.expiration_date", "=", False),
                ("coupon_id.expiration_date", ">=", today),
            ],
        }
        parts = [domains[v] for v in sorted(values) if v in domains]
        if not parts:
            return [(0, "=", 1)]
        return ["|"] * (len(parts) - 1) + [leaf for part in parts for leaf in part]

    # ------------------------------------------------------------------
    # Append-only
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("loyalty_gift_issue"):
            raise UserError(
                _(
                    "Gifts are issued by the gift rules of the tiers (welcome, birthday, "
                    "anniversary)."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        internal = self.env.context.get("loyalty_gift_issue")
        if set(vals) - GIFT_WRITABLE_FIELDS and not internal:
            raise UserError(_("A gift given to a member cannot be changed."))
        return super().write(vals)

    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(_("A gift given to a member cannot be deleted."))

    # ------------------------------------------------------------------
    # Issuing
    # ------------------------------------------------------------------

    @api.model
    def _loyalty_give(self, requests):
        """Give the gifts ``requests`` (dicts from ``loyalty.tier.gift._loyalty_gift_request``)
        and return the gifts given now. A request whose member, company, occasion and key
        already have a gift gives nothing: the unique index decides, so concurrent runs cannot
        both give (the second waits for the first and then finds its line)."""
        gifts = self.browse()
        if not requests:
            return gifts
        self.flush_model()
        cols = (
            "partner_id", "card_id", "company_id", "occasion", "gift_key", "tier_id", "rule_id",
            "occasion_date", "points", "coupon_program_id",
        )
        rows = [
            SQL(
                "(%s, %s, %s, %s, %s, %s, %s, %s::date, %s, %s, 'none', %s, %s, "
                "NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC')",
                *(req.get(col) or None for col in cols[:8]),
                req.get("points") or 0.0,
                req.get("coupon_program_id") or None,
                self.env.uid,
                self.env.uid,
            )
            for req in requests
        ]
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO loyalty_member_gift (%s, mail_state, create_uid, write_uid,
                                                 create_date, write_date)
                VALUES %s
                ON CONFLICT (partner_id, company_id, occasion, gift_key) DO NOTHING
                RETURNING id
                """,
                SQL(", ").join(SQL.identifier(col) for col in cols),
                SQL(", ").join(rows),
            )
        )
        gifts = self.browse(row[0] for row in self.env.cr.fetchall())
        if not gifts:
            return gifts
        validity = {
            (req["partner_id"], req["company_id"], req["occasion"], str(req["gift_key"])):
                req.get("coupon_validity_days") or 0
            for req in requests
        }
        gifts = gifts.sudo().with_context(loyalty_gift_issue=True)
        gifts._loyalty_issue_points()
        gifts._loyalty_issue_coupons(validity)
        _logger.info("Member gifts: %s given", len(gifts))
        return gifts.with_env(self.env)

    def _loyalty_issue_points(self):
        """The points of the gifts, one ledger line each, in the member's language."""
        with_points = self.filtered(lambda g: g.points > 0 and g.card_id.is_membership)
        if not with_points:
            return
        vals_list = [
            {
                "card_id": gift.card_id.id,
                "entry_type": "gift",
                "issued": gift.points,
                "description": gift.with_env(gift.card_id._loyalty_member_env())
                ._loyalty_gift_description(),
            }
            for gift in with_points
        ]
        with loyalty_points_flow():
            lines = self.env["loyalty.history"].sudo().create(vals_list)
        with_points._loyalty_link("history_id", lines)

    def _loyalty_issue_coupons(self, validity):
        """One single-use coupon per gift with a coupon program, as Odoo's coupon generator
        makes them (``loyalty.generate.wizard``): a card of the program holding the points its
        reward needs, an expiry date, and its "gift" history line. Odoo's own creation e-mail
        is not sent: the gift's e-mail carries the code."""
        with_coupon = self.filtered("coupon_program_id")
        if not with_coupon:
            return
        today = fields.Date.context_today(self)
        vals_list = []
        for gift in with_coupon:
            program = gift.coupon_program_id
            days = validity.get(
                (gift.partner_id.id, gift.company_id.id, gift.occasion, gift.gift_key), 0
            )
            vals_list.append(
                {
                    "program_id": program.id,
                    "partner_id": gift.partner_id.id,
                    "points": max(program.reward_ids.mapped("required_points") or [1.0]),
                    "expiration_date": today + relativedelta(days=days) if days else False,
                }
            )
        coupons = self.env["loyalty.card"].sudo().with_context(loyalty_no_mail=True).create(
            vals_list
        )
        self.env["loyalty.history"].sudo().create(
            [
                {
                    "card_id": coupon.id,
                    "issued": coupon.points,
                    "description": gift.with_env(gift.card_id._loyalty_member_env())
                    ._loyalty_gift_description(),
                }
                for gift, coupon in zip(with_coupon, coupons, strict=True)
            ]
        )
        with_coupon._loyalty_link("coupon_id", coupons)

    def _loyalty_link(self, fname, records):
        """Set ``fname`` of each gift of ``self`` to the record of ``records`` at the same
        place, in one statement (a loop of writes would be one UPDATE per gift)."""
        self.env.cr.execute(
            SQL(
                "UPDATE loyalty_member_gift gift SET %s = v.target FROM (VALUES %s) "
                "AS v(id, target) WHERE gift.id = v.id",
                SQL.identifier(fname),
                SQL(", ").join(
                    SQL("(%s, %s)", gift.id, record.id)
                    for gift, record in zip(self, records, strict=True)
                ),
            )
        )
        self.invalidate_recordset([fname])

    def _loyalty_gift_description(self):
        self.ensure_one()
        if self.occasion == "welcome":
            return self.env._("Welcome gift: %(tier)s", tier=self.tier_id.name)
        if self.occasion == "birthday":
            return self.env._("Birthday gift %(year)s", year=self.gift_key)
        return self.env._("Membership anniversary gift %(year)s", year=self.gift_key)
