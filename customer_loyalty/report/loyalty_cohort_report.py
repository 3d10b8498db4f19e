from odoo import fields, models
from odoo.tools import SQL


class LoyaltyCohortReport(models.Model):
    """Cohorts: the customers (commercial partners in a company) grouped by the month of their
    first counted order (a known customer, not fully refunded), and how many of them have a
    counted order N months later (N = 0 is the first month: every customer of the cohort).

    One row per cohort segment and month since the first order, from 0 to the current month.
    A segment is the tier, POS shop, salesperson and sales team of the customer's first order, so
    that each customer is in one segment and the counts add up. The retention share of a group
    is its active customers over its cohort customers (see ``_read_group_select``), right for a
    cell (cohort x month) and for a column (all cohorts that reached that month)."""

    _name = "loyalty.cohort.report"
    _description = "Customer Cohorts"
    _auto = False
    _order = "cohort_month desc, months_since"
    _rec_name = "cohort_month"

    company_id = fields.Many2one("res.company", readonly=True)
    cohort_month = fields.Date(
        string="Cohort", readonly=True, help="The month of the customers' first order."
    )
    months_since = fields.Integer(
        string="Months Since First Order", readonly=True, aggregator=False,
    )
    month = fields.Date(readonly=True, help="The month counted: the cohort's month + N months.")
    tier_id = fields.Many2one(
        "loyalty.tier", string="Tier at First Order", readonly=True,
    )
    config_id = fields.Many2one(
        "pos.config", string="First Shop", readonly=True,
        help="The POS shop of the customer's first order (empty for a sales order).",
    )
    user_id = fields.Many2one(
        "res.users", string="First Salesperson", readonly=True,
        help="The salesperson (or cashier) of the customer's first order.",
    )
    team_id = fields.Many2one("crm.team", string="First Sales Team", readonly=True)
    cohort_customers = fields.Integer(
        readonly=True,
        help="The customers of the cohort (in a total over several months: per month).",
    )
    active_customers = fields.Integer(
        readonly=True, help="The cohort's customers with an order in that month."
    )
    retention_rate = fields.Float(
        string="Still Buying (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Active customers / cohort customers x 100.",
    )

    def _read_group_select(self, aggregate_spec, query):
        fname, __, func = aggregate_spec.partition(":")
        active = self._field_to_sql(self._table, "active_customers", query)
        size = self._field_to_sql(self._table, "cohort_customers", query)
        months = self._field_to_sql(self._table, "months_since", query)
        if fname == "retention_rate" and func in ("avg", "sum"):
            return SQL("SUM(%s) * 100.0 / NULLIF(SUM(%s), 0)", active, size)
        if fname == "cohort_customers" and func in ("avg", "sum"):
            # every month of a cohort repeats its customers: count them once per month
            return SQL("SUM(%s) / NULLIF(COUNT(DISTINCT %s), 0)", size, months)
        return super()._read_group_select(aggregate_spec, query)

    @property
    def _table_query(self):
        this_month = fields.Date.context_today(self).replace(day=1)
        return SQL(
            """
            WITH customer AS (
                SELECT company_id, partner_id, cohort_month,
                       COALESCE(tier_id, 0) AS tier_id, COALESCE(config_id, 0) AS config_id,
                       COALESCE(user_id, 0) AS user_id, COALESCE(team_id, 0) AS team_id
                  FROM loyalty_retention_order
                 WHERE is_counted AND customer_order_number = 1
            ),
            segment AS (
                SELECT company_id, cohort_month, tier_id, config_id, user_id, team_id,
                       COUNT(*) AS size
                  FROM customer
                 GROUP BY company_id, cohort_month, tier_id, config_id, user_id, team_id
            ),
            active AS (
                SELECT c.company_id, c.cohort_month, c.tier_id, c.config_id, c.user_id,
                       c.team_id,
                       ((date_part('year', a.month) - date_part('year', c.cohort_month)) * 12
                        + date_part('month', a.month) - date_part('month', c.cohort_month)
                       )::int AS months_since,
                       COUNT(*) AS active
                  FROM customer c
                  JOIN (SELECT DISTINCT company_id, partner_id, month
                          FROM loyalty_retention_order
                         WHERE is_counted) a
                    ON a.company_id = c.company_id AND a.partner_id = c.partner_id
                 GROUP BY 1, 2, 3, 4, 5, 6, 7
            )
            SELECT row_number() OVER (
                       ORDER BY s.company_id, s.cohort_month, s.tier_id, s.config_id, s.user_id,
                                s.team_id, m.months_since
                   ) AS id,
                   s.company_id, s.cohort_month, m.months_since,
                   (s.cohort_month + m.months_since * interval '1 month')::date AS month,
                   NULLIF(s.tier_id, 0) AS tier_id, NULLIF(s.config_id, 0) AS config_id,
                   NULLIF(s.user_id, 0) AS user_id, NULLIF(s.team_id, 0) AS team_id,
                   s.size AS cohort_customers,
                   COALESCE(a.active, 0) AS active_customers,
                   COALESCE(a.active, 0) * 100.0 / s.size AS retention_rate
              FROM segment s
             CROSS JOIN LATERAL generate_series(
                   0,
                   ((date_part('year', %(this_month)s::date) - date_part('year', s.cohort_month))
                     * 12 + date_part('month', %(this_month)s::date)
                     - date_part('month', s.cohort_month))::int
             ) AS m(months_since)
              LEFT JOIN active a
                     ON a.company_id = s.company_id AND a.cohort_month = s.cohort_month
                    AND a.tier_id = s.tier_id AND a.config_id = s.config_id
                    AND a.user_id = s.user_id AND a.team_id = s.team_id
                    AND a.months_since = m.months_since
            """,
            this_month=this_month,
        )
