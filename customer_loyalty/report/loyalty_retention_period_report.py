from odoo import fields, models
from odoo.tools import SQL

GRANULARITIES = [("month", "Month"), ("quarter", "Quarter"), ("year", "Year")]


class LoyaltyRetentionPeriodReport(models.Model):
    """Repurchase per period: one row per customer (commercial partner in a company) and period
    in which the customer has a counted order (a known customer, not fully refunded), for each
    of the three granularities (month, quarter, year: filter on one). Sales and POS together,
    revenue net of refunds, untaxed, in the company's currency.

    The shop, salesperson, sales team and tier of a row are those of the customer's first order
    in the period, so that each customer is in one segment and the counts add up. The ratios are
    computed on the group (sum over sum, see ``_read_group_select``), so they are right at any
    grouping. For order-level filters (a shop's orders, a product category) use
    ``loyalty.retention.figures``."""

    _name = "loyalty.retention.period.report"
    _description = "Repurchase by Period"
    _auto = False
    _order = "period desc, id"
    _rec_name = "partner_id"

    granularity = fields.Selection(GRANULARITIES, readonly=True)
    period = fields.Date(readonly=True, help="The first day of the period.")
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    tier_id = fields.Many2one(
        "loyalty.tier", readonly=True,
        help="The customer's tier at their first order of the period.",
    )
    config_id = fields.Many2one(
        "pos.config", string="Shop", readonly=True,
        help="The POS shop of the customer's first order of the period (empty for a sales order).",
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True,
        help="The salesperson (or cashier) of the customer's first order of the period.",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    cohort_month = fields.Date(
        string="First Order Month", readonly=True,
        help="The month of the customer's first order in the company.",
    )
    customers = fields.Integer(readonly=True, help="Customers with an order in the period.")
    new_customers = fields.Integer(
        readonly=True, help="Customers whose first order in the company is in the period."
    )
    returning_customers = fields.Integer(
        readonly=True, help="Customers with two orders or more in the period."
    )
    came_back_next = fields.Integer(
        string="Came Back Next Period", readonly=True,
        help="Customers of the period who have an order in the next period.",
    )
    orders = fields.Integer(readonly=True)
    revenue = fields.Monetary(
        currency_field="currency_id", readonly=True,
        help="Untaxed revenue of the orders, refunds deducted, in the company's currency.",
    )
    returning_revenue = fields.Monetary(
        currency_field="currency_id", readonly=True,
        help="Revenue of the returning customers (two orders or more in the period).",
    )
    repurchase_rate = fields.Float(
        string="Repurchase Rate (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Returning customers / customers x 100.",
    )
    came_back_rate = fields.Float(
        string="Came Back Rate (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Customers who came back in the next period / customers x 100 (the next period "
        "may not be over yet).",
    )
    orders_per_customer = fields.Float(
        readonly=True, aggregator="avg", digits=(16, 2), help="Orders / customers."
    )
    aov = fields.Monetary(
        string="Average Order Value", currency_field="currency_id", readonly=True,
        aggregator="avg", help="Revenue / orders.",
    )

    # The ratios of a group are those of its sums, not the average of its rows' ratios.
    _LOYALTY_RATIOS = {
        "repurchase_rate": ("returning_customers", "customers", 100.0),
        "came_back_rate": ("came_back_next", "customers", 100.0),
        "orders_per_customer": ("orders", "customers", 1.0),
        "aov": ("revenue", "orders", 1.0),
    }

    def _read_group_select(self, aggregate_spec, query):
        fname, __, func = aggregate_spec.partition(":")
        if fname in self._LOYALTY_RATIOS and func in ("avg", "sum"):
            numerator, denominator, factor = self._LOYALTY_RATIOS[fname]
            return SQL(
                "SUM(%s) * %s / NULLIF(SUM(%s), 0)",
                self._field_to_sql(self._table, numerator, query), factor,
                self._field_to_sql(self._table, denominator, query),
            )
        return super()._read_group_select(aggregate_spec, query)

    @property
    def _table_query(self):
        # The id is made of the row's keys, not a row_number() over all rows, so that a filter
        # on the granularity (or company, customer) is pushed down into the aggregate:
        # (partner x 1024 + company) x 4 + granularity) x 2048 + months since 2000 (ids stay
        # below 2^53, JavaScript's integers, up to a billion partners and 1,024 companies).
        return SQL(
            """
            WITH granularity(name, step, code) AS (
                VALUES ('month', interval '1 month', 0), ('quarter', interval '3 months', 1),
                       ('year', interval '1 year', 2)
            ),
            customer_period AS (
                SELECT g.name AS granularity, g.step, g.code, o.company_id, o.partner_id,
                       date_trunc(g.name, o.day::timestamp)::date AS period,
                       (array_agg(o.tier_id ORDER BY o.date, o.id))[1] AS tier_id,
                       (array_agg(o.config_id ORDER BY o.date, o.id))[1] AS config_id,
                       (array_agg(o.user_id ORDER BY o.date, o.id))[1] AS user_id,
                       (array_agg(o.team_id ORDER BY o.date, o.id))[1] AS team_id,
                       MIN(o.cohort_month) AS cohort_month,
                       bool_or(o.customer_order_number = 1) AS is_new,
                       COUNT(*) AS orders,
                       SUM(o.revenue) AS revenue
                  FROM loyalty_retention_order o
                 CROSS JOIN granularity g
                 WHERE o.is_counted
                 GROUP BY g.name, g.step, g.code, o.company_id, o.partner_id,
                          date_trunc(g.name, o.day::timestamp)
            ),
            chained AS (
                SELECT cp.*,
                       LEAD(cp.period) OVER (
                           PARTITION BY cp.granularity, cp.company_id, cp.partner_id
                           ORDER BY cp.period
                       ) AS next_period
                  FROM customer_period cp
            )
            SELECT ((c.partner_id::bigint * 1024 + c.company_id) * 4 + c.code) * 2048
                       + ((date_part('year', c.period) - 2000) * 12
                          + date_part('month', c.period) - 1)::bigint AS id,
                   c.granularity, c.period, c.company_id, c.partner_id, c.tier_id,
                   c.config_id, c.user_id, c.team_id, c.cohort_month,
                   1 AS customers,
                   c.is_new::int AS new_customers,
                   (c.orders >= 2)::int AS returning_customers,
                   COALESCE(c.next_period = (c.period + c.step)::date, FALSE)::int
                       AS came_back_next,
                   c.orders,
                   c.revenue,
                   CASE WHEN c.orders >= 2 THEN c.revenue ELSE 0 END AS returning_revenue,
                   CASE WHEN c.orders >= 2 THEN 100.0 ELSE 0 END AS repurchase_rate,
                   CASE WHEN c.next_period = (c.period + c.step)::date THEN 100.0 ELSE 0 END
                       AS came_back_rate,
                   c.orders::float AS orders_per_customer,
                   c.revenue / c.orders AS aov
              FROM chained c
            """
        )
