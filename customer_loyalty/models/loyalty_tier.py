from itertools import pairwise

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Hex of Odoo's colour indexes 0-11 ($o-colors of web/static/src/scss/secondary_variables.scss),
# so that a printed card or the portal shows the tier in the colour of its badge in the back end.
TIER_COLORS = [
    "#a2a2a2", "#ee2d2d", "#dc8534", "#e8bb1d", "#5794dd", "#9f628f",
    "#db8865", "#41a9a2", "#304be0", "#ee2f8a", "#61c36e", "#9872e6",
]


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
        default=10, help="Tiers are ranked from the lowest (small sequence) to the highest."
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
    description = fields.Html(translate=True, help="Perks of this tier, shown to members.")
    card_ids = fields.One2many("loyalty.card", "tier_id", string="Member Cards")
    member_count = fields.Integer(compute="_compute_member_count")

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
        for company in self.company_id:
            tiers = self.search([("company_id", "=", company.id)])
            for metric in set(tiers.mapped("metric")):
                ladder = tiers.filtered(lambda t, m=metric: t.metric == m).sorted(
                    lambda t: (t.sequence, t.threshold, t.id)
                )
                for lower, higher in pairwise(ladder):
                    if higher.threshold == lower.threshold:
                        raise ValidationError(
                            _(
                                "Tiers “%(a)s” and “%(b)s” have the same threshold. "
                                "Give each tier its own threshold.",
                                a=lower.name,
                                b=higher.name,
                            )
                        )
                    if higher.threshold < lower.threshold:
                        raise ValidationError(
                            _(
                                "Tier “%(higher)s” comes after “%(lower)s” but has a lower "
                                "threshold (%(high_value)s < %(low_value)s). Thresholds must "
                                "increase with the tier order.",
                                higher=higher.name,
                                lower=lower.name,
                                high_value=higher.threshold,
                                low_value=lower.threshold,
                            )
                        )

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
