from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.tools import SQL


class LoyaltyClvReport(models.Model):
    """Customer lifetime value: one row per customer (commercial partner) and company with a
    counted order (a known customer, not fully refunded), Sales and POS together, untaxed, net of
    refunds, in the company's currency.

    - Historical value: the customer's net revenue to date.
    - Annual value: historical value / years since the first order (at least 1 year).
    - Retention estimate r (per company): of the customers who bought in the 12 months before
      the last 12 months, the share who bought again in the last 12 months.
    - Projected value over the company's horizon H months (settings), with its gross margin m
      and yearly discount rate d: m x annual value / 12 x sum for k = 1..H of q^k, where
      q = (r / (1 + d))^(1/12), a monthly survival and discount factor. Empty while the company
      has no customers in the 12 months before the last 12 months (no estimate of r).
    - Lifetime value: historical + projected.

    Assumptions: every customer keeps buying at their own average yearly rate and survives each
    year with the company's retention r (whatever their own recency); margin and r are the same
    for all customers of a company."""

    _name = "loyalty.clv.report"
    _description = "Customer Lifetime Value"
    _auto = False
    _order = "lifetime_value desc, id"
    _rec_name = "partner_id"
    # read by the query below (the retention facts are refreshed on their own)
    _depends = {
        "res.company": [
            "loyalty_clv_horizon_months", "loyalty_clv_margin", "loyalty_clv_discount_rate",
        ],
        "res.partner": ["user_id"],
        "loyalty.card": ["partner_id", "company_id", "tier_id", "is_membership", "active"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    tier_id = fields.Many2one(
        "loyalty.tier", string="Current Tier", readonly=True,
        help="The tier of the customer's membership card in the company, if any.",
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True, help="The customer's salesperson."
    )
    config_id = fields.Many2one(
        "pos.config", string="First Shop", readonly=True,
        help="The POS shop of the customer's first order (empty for a sales order).",
    )
    first_order_date = fields.Date(readonly=True)
    last_order_date = fields.Date(readonly=True)
    orders = fields.Integer(readonly=True, help="Counted orders (not fully refunded).")
    historical_value = fields.Monetary(
        currency_field="currency_id", readonly=True,
        help="The customer's net revenue to date: untaxed, refunds deducted.",
    )
    aov = fields.Monetary(
        string="Average Order Value", currency_field="currency_id", readonly=True,
        aggregator="avg", help="Historical value / orders.",
    )
    annual_value = fields.Monetary(
        currency_field="currency_id", readonly=True,
        help="Historical value / years since the first order (at least one year).",
    )
    retention_estimate = fields.Float(
        string="Retention Estimate (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Of the company's customers who bought in the 12 months before the last 12 months, "
        "the share who bought again in the last 12 months.",
    )
    horizon_months = fields.Integer(readonly=True, aggregator="max")
    projected_value = fields.Monetary(
        currency_field="currency_id", readonly=True,
        help="Expected gross margin over the horizon: margin x annual value / 12 x sum over the "
        "months k = 1..horizon of q^k, with q = (retention / (1 + discount rate))^(1/12). "
        "Empty while there is no retention estimate (less than a year of history).",
    )
    is_projected = fields.Boolean(
        string="Projected", readonly=True,
        help="The company has a retention estimate: the projected value is computed.",
    )
    lifetime_value = fields.Monetary(
        currency_field="currency_id", readonly=True,
        help="Historical value + projected value.",
    )

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec in ("aov:avg", "aov:sum"):
            return SQL(
                "SUM(%s) / NULLIF(SUM(%s), 0)",
                self._field_to_sql(self._table, "historical_value", query),
                self._field_to_sql(self._table, "orders", query),
            )
        return super()._read_group_select(aggregate_spec, query)

    @property
    def _table_query(self):
        today = fields.Date.context_today(self)
        year_ago = today - relativedelta(years=1)
        two_years_ago = today - relativedelta(years=2)
        return SQL(
            """
            WITH customer AS (
                SELECT company_id, partner_id,
                       MIN(day) FILTER (WHERE is_counted) AS first_day,
                       MAX(day) FILTER (WHERE is_counted) AS last_day,
                       COUNT(*) FILTER (WHERE is_counted) AS orders,
                       SUM(revenue) AS historical_value,
                       (array_agg(config_id) FILTER (WHERE customer_order_number = 1))[1]
                           AS config_id
                  FROM loyalty_retention_order
                 WHERE partner_id IS NOT NULL AND day <= %(today)s
                 GROUP BY company_id, partner_id
                HAVING COUNT(*) FILTER (WHERE is_counted) > 0
            ),
            retention AS (
                SELECT company_id,
                       COUNT(*) FILTER (WHERE before AND last) * 1.0
                           / NULLIF(COUNT(*) FILTER (WHERE before), 0) AS rate
                  FROM (SELECT company_id, partner_id,
                               bool_or(day <= %(year_ago)s) AS before,
                               bool_or(day > %(year_ago)s) AS last
                          FROM loyalty_retention_order
                         WHERE is_counted AND day > %(two_years_ago)s AND day <= %(today)s
                         GROUP BY company_id, partner_id) yearly
                 GROUP BY company_id
            ),
            valued AS (
                SELECT c.*,
                       c.historical_value
                           / GREATEST((%(today)s::date - c.first_day) / 365.0, 1.0)
                           AS annual_value,
                       r.rate,
                       GREATEST(co.loyalty_clv_horizon_months, 0) AS horizon,
                       co.loyalty_clv_margin / 100.0 AS margin,
                       power(r.rate / (1 + co.loyalty_clv_discount_rate / 100.0), 1.0 / 12)
                           AS q
                  FROM customer c
                  JOIN res_company co ON co.id = c.company_id
                  LEFT JOIN retention r ON r.company_id = c.company_id
            ),
            projected AS (
                SELECT v.*,
                       v.margin * v.annual_value / 12 * CASE
                           WHEN v.q >= 1 THEN v.horizon
                           ELSE v.q * (1 - power(v.q, v.horizon)) / (1 - v.q)
                       END AS projected_value
                  FROM valued v
            )
            SELECT row_number() OVER (ORDER BY p.company_id, p.partner_id) AS id,
                   p.company_id, p.partner_id, card.tier_id, partner.user_id, p.config_id,
                   p.first_day AS first_order_date, p.last_day AS last_order_date, p.orders,
                   p.historical_value, p.historical_value / p.orders AS aov, p.annual_value,
                   p.rate * 100 AS retention_estimate, p.horizon AS horizon_months,
                   p.projected_value, p.rate IS NOT NULL AS is_projected,
                   p.historical_value + COALESCE(p.projected_value, 0) AS lifetime_value
              FROM projected p
              JOIN res_partner partner ON partner.id = p.partner_id
              LEFT JOIN LATERAL (
                    SELECT lc.tier_id
                      FROM loyalty_card lc
                     WHERE lc.partner_id = p.partner_id AND lc.company_id = p.company_id
                       AND lc.is_membership AND lc.active
                     ORDER BY lc.id
                     LIMIT 1
              ) card ON TRUE
            """,
            today=today, year_ago=year_ago, two_years_ago=two_years_ago,
        )
