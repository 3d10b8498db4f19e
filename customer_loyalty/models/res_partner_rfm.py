import logging
from datetime import datetime, time

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

RFM_SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("potential_loyalist", "Potential Loyalist"),
    ("new", "New"),
    ("promising", "Promising"),
    ("need_attention", "Need Attention"),
    ("at_risk", "At Risk"),
    ("cant_lose", "Can't Lose Them"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
]

# The segment of a customer from R (rows, 5 = bought most recently) and FM = (F + M) / 2
# rounded half up (columns 1..5). It is the widely used R × F segment map of RFM analysis
# (Champions "5[4-5]", Loyal "[3-4][4-5]", Potential Loyalist "[4-5][2-3]", New "51",
# Promising "41", Need Attention "33", About to Sleep "3[1-2]", At Risk "[1-2][3-4]",
# Can't Lose Them "[1-2]5", Hibernating "[1-2][1-2]") read against FM, with two changes for the
# ten segments shops name: "About to Sleep" (R 3, FM 1-2) is Need Attention, and R 1 / FM 1
# (the oldest, rarest, smallest customers) is Lost. Customers with counted orders before the
# window and none in it are Lost too (with no scores).
RFM_GRID = {
    5: ("new", "potential_loyalist", "potential_loyalist", "champions", "champions"),
    4: ("promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"),
    3: ("need_attention", "need_attention", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    1: ("lost", "hibernating", "at_risk", "at_risk", "cant_lose"),
}

REFRESHED_AT_PARAM = "customer_loyalty.retention_refreshed_at"


def rfm_segment(recency, frequency, monetary):
    """The segment of scores ``recency``, ``frequency``, ``monetary`` (1..5): the grid above."""
    return RFM_GRID[recency][(frequency + monetary + 1) // 2 - 1]


class ResPartner(models.Model):
    """RFM scores and segment of each customer, per company.

    A contact may buy in several companies: its scores are company-dependent fields (one value
    per company, Odoo's jsonb columns), so a filter, a group-by or a domain on them reads the
    scores of the current company, and each company ranks its own customers. They are written by
    ``_loyalty_rfm_compute`` (the daily cron) on the commercial partner of the orders (the
    retention facts count an order on its customer's commercial partner); contacts of a
    company have none of their own.
    """

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    loyalty_rfm_recency = fields.Integer(
        string="RFM Recency", company_dependent=True, readonly=True, copy=False,
        help="1 to 5: the quintile of the customer's last order date among the company's "
        "customers of the RFM window (5: the most recent).",
    )
    loyalty_rfm_frequency = fields.Integer(
        string="RFM Frequency", company_dependent=True, readonly=True, copy=False,
        help="1 to 5: the quintile of the customer's number of orders in the RFM window.",
    )
    loyalty_rfm_monetary = fields.Integer(
        string="RFM Monetary", company_dependent=True, readonly=True, copy=False,
        help="1 to 5: the quintile of the customer's net revenue in the RFM window.",
    )
    loyalty_rfm_score = fields.Char(
        string="RFM Score", company_dependent=True, readonly=True, copy=False,
        help="Recency, frequency and monetary scores, e.g. 545.",
    )
    loyalty_rfm_segment = fields.Selection(
        RFM_SEGMENTS, string="RFM Segment", company_dependent=True, readonly=True, copy=False,
    )
    loyalty_rfm_date = fields.Date(
        string="RFM Computed On", company_dependent=True, readonly=True, copy=False,
        help="The reference date of the RFM scores: the window ends on it.",
    )

    # ------------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------------

    @api.model
    def _cron_loyalty_rfm(self):
        """Daily: refresh the retention facts unless they were refreshed today, then score
        every company's customers."""
        self._loyalty_refresh_facts_if_stale()
        return self._loyalty_rfm_compute()

    @api.model
    def _loyalty_refresh_facts_if_stale(self):
        param = self.env["ir.config_parameter"].sudo().get_param(REFRESHED_AT_PARAM)
        start_of_day = datetime.combine(fields.Date.context_today(self), time.min)
        if not param or fields.Datetime.to_datetime(param) < start_of_day:
            self.env["loyalty.retention.order"]._loyalty_refresh()

    def _loyalty_rfm_sql(self, company_ids):
        """Per (company, customer) of ``company_ids`` who has a counted order up to the
        company's reference date: the scores and the segment, in one statement.

        Scores are quintiles by rank: ``1 + floor(5 * (rank - 1) / n)`` where ``rank`` is
        ``RANK()`` (ties share the first rank of their group) over the ``n`` customers with an
        order in the window, ascending (the oldest last order, the fewest orders, the smallest
        revenue rank first). It is ``ntile(5)`` when there are no ties, but, unlike
        ``ntile``, equal values always get the same score (``ntile`` splits a group of ties
        between two scores by row order)."""
        grid = SQL(" ").join(
            SQL("WHEN %s THEN %s", f"{recency}{fm}", segment)
            for recency, row in RFM_GRID.items()
            for fm, segment in enumerate(row, start=1)
        )

        def score(expr):
            return SQL(
                "(1 + FLOOR(5.0 * (RANK() OVER (PARTITION BY company_id ORDER BY %s) - 1)"
                " / COUNT(*) OVER (PARTITION BY company_id)))::int",
                expr,
            )

        return SQL(
            """
            WITH params AS (
                SELECT c.id AS company_id,
                       COALESCE(c.loyalty_rfm_reference_date, %(today)s::date) AS ref_day,
                       (COALESCE(c.loyalty_rfm_reference_date, %(today)s::date)
                        - make_interval(months => GREATEST(COALESCE(c.loyalty_rfm_months, 12), 1))
                       )::date AS start_day
                  FROM res_company c
                 WHERE c.id IN %(company_ids)s
            ), agg AS (
                SELECT o.company_id, o.partner_id, p.ref_day,
                       MAX(o.day) FILTER (WHERE o.day > p.start_day) AS last_day,
                       COUNT(*) FILTER (WHERE o.day > p.start_day) AS frequency,
                       SUM(o.revenue) FILTER (WHERE o.day > p.start_day) AS monetary
                  FROM loyalty_retention_order o
                  JOIN params p ON p.company_id = o.company_id
                 WHERE o.is_counted AND o.day <= p.ref_day
                 GROUP BY o.company_id, o.partner_id, p.ref_day
            ), scored AS (
                SELECT company_id, partner_id,
                       %(r)s AS r, %(f)s AS f, %(m)s AS m
                  FROM agg
                 WHERE frequency > 0
            )
            SELECT a.company_id, a.partner_id, a.ref_day, s.r, s.f, s.m,
                   CASE WHEN s.r IS NULL THEN 'lost'
                        ELSE CASE s.r::text || ((s.f + s.m + 1) / 2)::text %(grid)s END
                   END AS segment
              FROM agg a
              LEFT JOIN scored s ON s.company_id = a.company_id AND s.partner_id = a.partner_id
            """,
            today=fields.Date.context_today(self),
            company_ids=tuple(company_ids),
            r=score(SQL("last_day")),
            f=score(SQL("frequency")),
            m=score(SQL("monetary")),
            grid=grid,
        )

    @api.model
    def _loyalty_rfm_compute(self, companies=None):
        """Score the customers of ``companies`` (all companies by default) from the retention
        facts and write the scores on the contacts, set-wise: one query computes them, one
        UPDATE writes the contacts whose scores changed (a second run writes nothing), and the
        scores of customers who no longer have a counted order in a company are removed.
        Returns the number of contacts written."""
        companies = companies or self.env["res.company"].sudo().search([])
        if not companies:
            return 0
        self.env["res.company"].flush_model(["loyalty_rfm_months", "loyalty_rfm_reference_date"])
        self.flush_model()
        fnames = ["loyalty_rfm_recency", "loyalty_rfm_frequency", "loyalty_rfm_monetary",
                  "loyalty_rfm_score", "loyalty_rfm_segment", "loyalty_rfm_date"]
        company_keys = [str(cid) for cid in companies.ids]
        # Each jsonb column keeps the other companies' values: ``- keys`` drops the companies
        # scored here, ``||`` puts back their new values.
        sets = SQL(", ").join(
            SQL(
                "%(col)s = NULLIF(COALESCE(p.%(col)s, '{}'::jsonb) - %(keys)s::text[]"
                " || COALESCE(n.%(col)s, '{}'::jsonb), '{}'::jsonb)",
                col=SQL.identifier(fname), keys=company_keys,
            )
            for fname in fnames
        )
        differs = SQL(" OR ").join(
            SQL(
                "(NULLIF(COALESCE(p.%(col)s, '{}'::jsonb) - %(keys)s::text[]"
                " || COALESCE(n.%(col)s, '{}'::jsonb), '{}'::jsonb)) IS DISTINCT FROM p.%(col)s",
                col=SQL.identifier(fname), keys=company_keys,
            )
            for fname in fnames
        )
        query = SQL(
            """
            WITH rfm AS (%(rfm)s), new AS (
                SELECT partner_id,
                       jsonb_object_agg(company_id::text, r) FILTER (WHERE r IS NOT NULL)
                           AS loyalty_rfm_recency,
                       jsonb_object_agg(company_id::text, f) FILTER (WHERE f IS NOT NULL)
                           AS loyalty_rfm_frequency,
                       jsonb_object_agg(company_id::text, m) FILTER (WHERE m IS NOT NULL)
                           AS loyalty_rfm_monetary,
                       jsonb_object_agg(company_id::text, r::text || f::text || m::text)
                           FILTER (WHERE r IS NOT NULL) AS loyalty_rfm_score,
                       jsonb_object_agg(company_id::text, segment) AS loyalty_rfm_segment,
                       jsonb_object_agg(company_id::text, ref_day) AS loyalty_rfm_date
                  FROM rfm
                 GROUP BY partner_id
            ), targets AS (
                SELECT * FROM new
                 UNION ALL
                -- contacts scored in these companies before, with no counted order now
                SELECT id, NULL, NULL, NULL, NULL, NULL, NULL
                  FROM res_partner
                 WHERE loyalty_rfm_date ?| %(keys)s::text[]
                   AND id NOT IN (SELECT partner_id FROM new)
            )
            UPDATE res_partner p
               SET %(sets)s
              FROM targets n
             WHERE p.id = n.partner_id AND (%(differs)s)
            """,
            rfm=self._loyalty_rfm_sql(companies.ids),
            keys=company_keys,
            sets=sets,
            differs=differs,
        )
        self.env.cr.execute(query)
        written = self.env.cr.rowcount
        self.invalidate_model(fnames)
        _logger.info(
            "RFM: %s contact(s) rescored in %s company(ies)", written, len(companies)
        )
        return written

    # ------------------------------------------------------------------
    # Figures for the dashboard
    # ------------------------------------------------------------------

    @api.model
    def _loyalty_rfm_segment_counts(self, filters=None):
        """``{segment: {tier_id or False: number of customers}}`` for the current company (or
        ``filters["company_ids"]``: each company's customers with that company's scores),
        optionally restricted by ``filters["tier_ids"]`` (the contact's tier in the company).
        Period, shop, salesperson and category filters do not apply: a segment is the state of
        the customer on the RFM reference date, over the whole window."""
        if not self.env.su and not self.env.user.has_group("customer_loyalty.group_loyalty_user"):
            raise AccessError(_("Only loyalty users can read the RFM segments."))
        filters = filters or {}
        company_ids = filters.get("company_ids") or [self.env.company.id]
        counts = {key: {} for key, _label in RFM_SEGMENTS}
        self.flush_model(["loyalty_rfm_segment", "loyalty_tier_id"])
        tier_ids = filters.get("tier_ids")
        rows = self.env.execute_query(SQL(
            """
            SELECT p.loyalty_rfm_segment->>c.key AS segment,
                   (p.loyalty_tier_id->>c.key)::int AS tier_id, COUNT(*)
              FROM res_partner p
              JOIN unnest(%(keys)s::text[]) AS c(key) ON p.loyalty_rfm_segment ? c.key
             WHERE p.active %(tier)s
             GROUP BY 1, 2
            """,
            keys=[str(cid) for cid in company_ids],
            tier=SQL("AND (p.loyalty_tier_id->>c.key)::int IN %s", tuple(tier_ids))
            if tier_ids else SQL(),
        ))
        for segment, tier_id, count in rows:
            if segment in counts:
                bucket = counts[segment]
                bucket[tier_id or False] = bucket.get(tier_id or False, 0) + count
        return counts
