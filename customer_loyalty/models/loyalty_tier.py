from itertools import pairwise

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount, formatLang, ormcache

# The one list of the tiers' colours: the hex of Odoo's colour indexes 0-11 ($o-colors of
# web/static/src/scss/secondary_variables.scss, the colours of the colour picker and of the back
# end's tags, which show the tier badges). The printed card and the portal use it here; the POS
# reads it from the server (res.partner.loyalty_tier_color_hex); a test compares it with Odoo's.
TIER_COLORS = [
    "#a2a2a2", "#ee2d2d", "#dc8534", "#e8bb1d", "#5794dd", "#9f628f",
    "#db8865", "#41a9a2", "#304be0", "#ee2f8a", "#61c36e", "#9872e6",
]

# What the tier engine and the points multiplier read of a company's ladder (cached, see
# LoyaltyTier._loyalty_ladder_rows); a change of one of them (or of ``active``) clears the cache.
LADDER_FIELDS = ("company_id", "sequence", "threshold", "metric", "window_months", "multiplier")


class LoyaltyTier(models.Model):
    """A membership level (Member, Silver, Gold, VIP) of a company's membership program.

    Tiers are ordered by ``sequence`` from the lowest to the highest. A member holds the highest
    tier whose qualifying metric, measured over the tier's rolling window, reaches its threshold.
    """

    _name = "loyalty.tier"
    _description = "Membership Tier"
    _order = "company_id, sequence, threshold, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        string="Tier Order",
        default=lambda self: self._default_sequence(),
        help="Tiers are ranked from the lowest (small order) to the highest. A new tier comes "
        "after the existing ones.",
    )
    active = fields.Boolean(default=True)
    color = fields.Integer(string="Color Index")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    metric = fields.Selection(
        [
            ("spend", "Qualifying spend"),
            ("points", "Points earned"),
            ("orders", "Number of orders"),
        ],
        string="Qualifying Metric",
        required=True,
        default="spend",
        help="What a member must reach during the rolling window to hold this tier: "
        "the total of confirmed orders (taxes included, in the company currency), "
        "the points earned, or the number of confirmed orders.",
    )
    threshold = fields.Float(
        required=True,
        default=0.0,
        digits=(16, 2),
        help="Minimum value of the qualifying metric over the rolling window.",
    )
    window_months = fields.Integer(
        string="Rolling Window (months)",
        required=True,
        default=12,
        help="Orders older than this many months no longer count toward the tier.",
    )
    grace_days = fields.Integer(
        string="Grace Period (days)",
        default=30,
        help="A member who no longer qualifies keeps this tier for this many days "
        "before being downgraded.",
    )
    multiplier = fields.Float(
        string="Points Multiplier",
        default=1.0,
        digits=(16, 2),
        help="Points earned by members of this tier are multiplied by this factor.",
    )
    multiplier_text = fields.Char(
        string="Multiplier", compute="_compute_multiplier_text",
        help="The multiplier as the reader's language writes it (1,5 in Vietnamese).",
    )
    description = fields.Html(translate=True, help="Perks of this tier, shown to members.")
    card_ids = fields.One2many("loyalty.card", "tier_id", string="Member Cards")
    member_count = fields.Integer(compute="_compute_member_count")

    def _default_sequence(self, company=None):
        """After the company's tiers (archived ones included): a new tier is a new top tier."""
        company = company or self.env.company
        tiers = self.sudo().with_context(active_test=False).search(
            [("company_id", "=", company.id)], order="sequence desc", limit=1
        )
        return tiers.sequence + 10 if tiers else 10

    @api.model_create_multi
    def create(self, vals_list):
        # The field default only knows the current company; a tier created for another company
        # (or several tiers at once) goes after that company's tiers.
        next_sequence = {}
        for vals in vals_list:
            if "sequence" in vals:
                continue
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            sequence = next_sequence.get(company.id) or self._default_sequence(company)
            vals["sequence"] = sequence
            next_sequence[company.id] = sequence + 10
        self.env.registry.clear_cache()  # _loyalty_ladder_rows
        return super().create(vals_list)

    def write(self, vals):
        if {*LADDER_FIELDS, "active"} & set(vals):
            self.env.registry.clear_cache()  # _loyalty_ladder_rows
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()  # _loyalty_ladder_rows
        return super().unlink()

    @api.model
    @ormcache("company_id")
    def _loyalty_ladder_rows(self, company_id):
        """``((id, company_id, sequence, threshold, metric, window_months, multiplier), ...)``
        of the company's active tiers, in the tiers' order. Cached: every confirmation reads the
        ladder (the multiplier, the tier update) and tiers seldom change; a change of a tier's
        company, order, threshold, metric, window, multiplier or archiving clears it."""
        tiers = self.sudo().with_context(active_test=True).search_fetch(
            [("company_id", "=", company_id)], list(LADDER_FIELDS)
        )
        return tuple(
            (tier.id, tier.company_id.id, tier.sequence, tier.threshold, tier.metric,
             tier.window_months, tier.multiplier)
            for tier in tiers
        )

    @api.depends("multiplier")
    @api.depends_context("lang")
    def _compute_multiplier_text(self):
        decimal_point = self.env["res.lang"]._get_data(code=self.env.lang or "en_US").decimal_point
        for tier in self:
            text = formatLang(self.env, tier.multiplier or 1.0, digits=2)
            if decimal_point and decimal_point in text:
                text = text.rstrip("0").rstrip(decimal_point)
            tier.multiplier_text = text

    def _compute_member_count(self):
        counts = dict(
            self.env["loyalty.card"]._read_group(
                [("tier_id", "in", self.ids)], ["tier_id"], ["__count"]
            )
        )
        for tier in self:
            tier.member_count = counts.get(tier, 0)

    @api.constrains("threshold", "window_months", "grace_days", "multiplier")
    def _check_values(self):
        # No SQL CHECK twins on purpose: the ORM inserts before it validates and _check_ladder
        # flushes, so a CHECK would always fire first with an anonymous message.
        for tier in self:
            if tier.threshold < 0:
                raise ValidationError(
                    _("The threshold of tier “%(tier)s” cannot be negative.", tier=tier.name)
                )
            if tier.window_months <= 0:
                raise ValidationError(
                    _(
                        "The rolling window of tier “%(tier)s” must be at least one month.",
                        tier=tier.name,
                    )
                )
            if tier.grace_days < 0:
                raise ValidationError(
                    _("The grace period of tier “%(tier)s” cannot be negative.", tier=tier.name)
                )
            if tier.multiplier <= 0:
                raise ValidationError(
                    _(
                        "The points multiplier of tier “%(tier)s” must be greater than zero.",
                        tier=tier.name,
                    )
                )

    @api.constrains("sequence", "threshold", "metric", "company_id", "active")
    def _check_ladder(self):
        """Within a company and a metric, a higher tier needs a strictly higher threshold."""
        # Odoo runs constraints in the order of their names: check the values of the tiers first,
        # so that a negative threshold is reported as negative, not as a ladder out of order.
        self._check_values()
        for company in self.company_id:
            tiers = self.search([("company_id", "=", company.id)])
            for metric in set(tiers.mapped("metric")):
                ladder = tiers.filtered(lambda t, m=metric: t.metric == m).sorted(
                    lambda t: (t.sequence, t.threshold, t.id)
                )
                for lower, higher in pairwise(ladder):
                    if higher.threshold > lower.threshold:
                        continue
                    # Name the tier being edited first: it is the one the user can fix.
                    tier, other = (lower, higher) if lower in self and higher not in self else (
                        higher, lower
                    )
                    if higher.threshold == lower.threshold:
                        raise ValidationError(
                            _(
                                "Tier “%(tier)s” has the same threshold as tier “%(other)s” "
                                "(%(value)s). Give each tier its own threshold.",
                                tier=tier.name,
                                other=other.name,
                                value=tier._format_threshold(tier.threshold),
                            )
                        )
                    raise ValidationError(
                        _(
                            "Tier “%(tier)s” (order %(sequence)s, threshold %(value)s) and tier "
                            "“%(other)s” (order %(other_sequence)s, threshold %(other_value)s) "
                            "are out of order: a tier that comes later in the order needs a "
                            "higher threshold. Change the order or the threshold of “%(tier)s”.",
                            tier=tier.name,
                            sequence=tier.sequence,
                            value=tier._format_threshold(tier.threshold),
                            other=other.name,
                            other_sequence=other.sequence,
                            other_value=tier._format_threshold(other.threshold),
                        )
                    )

    def _format_threshold(self, value):
        """``value`` as the tier's metric reads: an amount in the company currency for spend,
        a whole number (with thousands separators) for points and orders."""
        self.ensure_one()
        if self.metric == "spend":
            return format_amount(self.env, value, self.company_id.currency_id)
        return formatLang(self.env, value, digits=0 if value == int(value) else 2)

    def _rank_key(self):
        """Sort key of a tier, lowest first; an empty tier ranks below every tier."""
        if not self:
            return (-1, -1.0, -1)
        self.ensure_one()
        return (self.sequence, self.threshold, self.id)

    def _color_hex(self):
        """Hex colour of the tier's colour index (grey for no tier)."""
        if not self:
            return TIER_COLORS[0]
        self.ensure_one()
        return TIER_COLORS[(self.color or 0) % len(TIER_COLORS)]

    def _color_text_hex(self):
        """Black or white, whichever reads better on :meth:`_color_hex`."""
        red, green, blue = (int(self._color_hex()[i : i + 2], 16) for i in (1, 3, 5))
        luminance = 0.299 * red + 0.587 * green + 0.114 * blue
        return "#212529" if luminance > 160 else "#ffffff"

    def _window_start(self, now=None):
        self.ensure_one()
        now = now or fields.Datetime.now()
        return now - relativedelta(months=self.window_months)

    def action_view_members(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_loyalty.action_loyalty_members"
        )
        action["domain"] = [("tier_id", "=", self.id)]
        return action
