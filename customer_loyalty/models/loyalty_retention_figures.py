from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# The length of a period, for "the next period" and the list of periods.
GRANULARITY_INTERVALS = {"month": "1 month", "quarter": "3 months", "year": "1 year"}

FILTER_KEYS = {
    "date_from", "date_to", "company_ids", "config_ids", "team_ids", "tier_ids", "user_ids",
    "categ_ids",
}


class LoyaltyRetentionFigures(models.AbstractModel):
    """Repurchase figures per period, computed set-wise from the retention facts
    (``loyalty.retention.order`` / ``loyalty.retention.line``): the API of the Loyalty dashboard.

    The figures count the *counted* orders only (a known customer, not fully refunded), Sales and
    POS together, revenue net of refunds, untaxed, in the company's currency. A customer is a
    contact (commercial partner) in a company: one who buys in two companies is a customer of
    each."""

    _name = "loyalty.retention.figures"
    _description = "Retention Figures"

    @api.model
    def _loyalty_retention_filters(self, filters):
        """``filters`` checked and completed: the companies are limited to the user's allowed
        companies (the SQL below bypasses the record rules), the categories include their
        sub-categories."""
        filters = dict(filters or {})
        unknown = set(filters) - FILTER_KEYS
        if unknown:
            raise UserError(
                _("Unknown retention filter(s): %(keys)s.", keys=", ".join(sorted(unknown)))
            )
        allowed = self.env.companies.ids
        company_ids = [cid for cid in (filters.get("company_ids") or allowed) if cid in allowed]
        filters["company_ids"] = company_ids or [0]
        for key in ("date_from", "date_to"):
            if filters.get(key):
                filters[key] = fields.Date.to_date(filters[key])
        if filters.get("date_from") and filters.get("date_to") and (
            filters["date_from"] > filters["date_to"]
        ):
            raise UserError(_("The start of the period must be before its end."))
        if filters.get("categ_ids"):
            filters["categ_ids"] = self.env["product.category"].sudo().search(
                [("id", "child_of", list(filters["categ_ids"]))]
            ).ids
        return filters

    @api.model
    def _loyalty_retention_order_where(self, filters, alias="o"):
        """The WHERE conditions of the counted orders matching ``filters`` (no dates, no tier:
        see ``_loyalty_repurchase_figures``)."""
        conditions = [
            SQL("%s.is_counted", SQL.identifier(alias)),
            SQL("%s.company_id = ANY(%s)", SQL.identifier(alias), list(filters["company_ids"])),
        ]
        for key, column in (("config_ids", "config_id"), ("team_ids", "team_id"),
                            ("user_ids", "user_id")):
            if filters.get(key):
                conditions.append(SQL(
                    "%s = ANY(%s)", SQL.identifier(alias, column), list(filters[key])
                ))
        return SQL(" AND ").join(conditions)

    @api.model
    def _loyalty_repurchase_figures(self, filters=None, granularity="month"):
        """Repurchase figures per period, one SQL statement.

        :param dict filters: any of ``date_from``, ``date_to`` (dates or ISO strings, inclusive,
            on the order's day), ``company_ids`` (default: the allowed companies),
            ``config_ids`` (POS shops), ``team_ids`` (sales teams), ``tier_ids`` (the
            customer's tier at the time of the order), ``user_ids`` (salespeople / cashiers),
            ``categ_ids`` (product categories, with their sub-categories: the orders with a line
            in them, and the revenue of those lines).
        :param str granularity: ``month``, ``quarter`` or ``year``.
        :return: a list of dicts, one per period from the first to the last (from ``date_from``
            to ``date_to`` when given, empty periods included), in date order::

                period (date: its first day), customers, returning_customers,
                repurchase_rate (%), came_back_next, came_back_rate (%), orders,
                orders_per_customer, median_days_between (None without repeat orders),
                revenue, returning_revenue, aov

        Definitions (per period P, counting the orders matching the filters):

        - customers: the customers with at least one order in P;
        - returning_customers: those with at least 2 orders in P; repurchase_rate = returning /
          customers x 100;
        - came_back_next: the customers of P who have an order in the period after P (whatever
          their tier then; beyond ``date_to`` if need be); came_back_rate = came_back_next /
          customers x 100 (the next period may not be over yet);
        - orders, revenue: their number and net revenue; orders_per_customer = orders /
          customers; aov = revenue / orders;
        - returning_revenue: the revenue of the returning customers' orders of P;
        - median_days_between: the median of the days from each order of P to the same
          customer's previous order in the company (any shop, any category).
        """
        if granularity not in GRANULARITY_INTERVALS:
            raise UserError(_(
                "Choose the period of the retention figures: month, quarter or year "
                "(not %(granularity)s).", granularity=granularity,
            ))
        filters = self._loyalty_retention_filters(filters)
        self.env["loyalty.retention.order"].flush_model()
        interval = SQL("interval %s", GRANULARITY_INTERVALS[granularity])
        period = SQL("date_trunc(%s, o.day)::date", granularity)
        date_from, date_to = filters.get("date_from"), filters.get("date_to")
        where = [self._loyalty_retention_order_where(filters)]
        if date_from:
            where.append(SQL("o.day >= %s", date_from))
        if date_to:
            # the period after date_to's, for "came back next period"
            where.append(SQL(
                "o.day < date_trunc(%s, %s::date) + 2 * %s", granularity, date_to, interval
            ))
        in_range = SQL("o.day <= %s", date_to) if date_to else SQL("TRUE")
        tier_ok = (
            SQL("o.tier_id = ANY(%s)", list(filters["tier_ids"])) if filters.get("tier_ids")
            else SQL("TRUE")
        )
        if filters.get("categ_ids"):
            revenue = SQL("categ.revenue")
            categ_join = SQL(
                """
                JOIN (SELECT line.order_id, SUM(line.revenue) AS revenue
                        FROM loyalty_retention_line line
                       WHERE line.categ_id = ANY(%s)
                         AND line.company_id = ANY(%s)
                       GROUP BY line.order_id
                      HAVING bool_or(NOT line.is_refund)) categ ON categ.order_id = o.id
                """,
                list(filters["categ_ids"]), list(filters["company_ids"]),
            )
        else:
            revenue, categ_join = SQL("o.revenue"), SQL("")
        first = SQL("date_trunc(%s, %s::date)::date", granularity, date_from) if date_from else (
            SQL("(SELECT MIN(period) FROM in_range)")
        )
        last = SQL("date_trunc(%s, %s::date)::date", granularity, date_to) if date_to else (
            SQL("(SELECT MAX(period) FROM in_range)")
        )
        query = SQL(
            """
            WITH base AS (
                SELECT o.company_id, o.partner_id, %(period)s AS period, %(revenue)s AS revenue,
                       o.days_since_previous, %(in_range)s AS in_range, %(tier_ok)s AS tier_ok
                  FROM loyalty_retention_order o
                  %(categ_join)s
                 WHERE %(where)s
            ),
            in_range AS (SELECT * FROM base WHERE in_range AND tier_ok),
            customer AS (
                SELECT company_id, partner_id, period, COUNT(*) AS orders, SUM(revenue) AS revenue
                  FROM in_range
                 GROUP BY company_id, partner_id, period
            ),
            seen AS (
                SELECT DISTINCT company_id, partner_id, period
                  FROM base
                 WHERE in_range OR period > %(last)s
            ),
            per_period AS (
                SELECT c.period,
                       COUNT(*) AS customers,
                       COUNT(*) FILTER (WHERE c.orders >= 2) AS returning_customers,
                       COUNT(s.partner_id) AS came_back_next,
                       SUM(c.orders) AS orders,
                       SUM(c.revenue) AS revenue,
                       COALESCE(SUM(c.revenue) FILTER (WHERE c.orders >= 2), 0)
                           AS returning_revenue
                  FROM customer c
                  LEFT JOIN seen s ON s.company_id = c.company_id
                                  AND s.partner_id = c.partner_id
                                  AND s.period = (c.period + %(interval)s)::date
                 GROUP BY c.period
            ),
            median AS (
                SELECT period,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY days_since_previous) AS days
                  FROM in_range
                 WHERE days_since_previous IS NOT NULL
                 GROUP BY period
            ),
            periods AS (
                SELECT generate_series(%(first)s, %(last)s, %(interval)s)::date AS period
            )
            SELECT p.period,
                   COALESCE(pp.customers, 0), COALESCE(pp.returning_customers, 0),
                   COALESCE(pp.came_back_next, 0), COALESCE(pp.orders, 0),
                   COALESCE(pp.revenue, 0), COALESCE(pp.returning_revenue, 0), m.days
              FROM periods p
              LEFT JOIN per_period pp ON pp.period = p.period
              LEFT JOIN median m ON m.period = p.period
             ORDER BY p.period
            """,
            period=period, revenue=revenue, in_range=in_range, tier_ok=tier_ok,
            categ_join=categ_join, where=SQL(" AND ").join(where), last=last, first=first,
            interval=interval,
        )
        self.env.cr.execute(query)
        result = []
        for (period_start, customers, returning, came_back, orders, revenue, returning_revenue,
             median_days) in self.env.cr.fetchall():
            result.append({
                "period": period_start,
                "customers": customers,
                "returning_customers": returning,
                "repurchase_rate": returning * 100.0 / customers if customers else 0.0,
                "came_back_next": came_back,
                "came_back_rate": came_back * 100.0 / customers if customers else 0.0,
                "orders": orders,
                "orders_per_customer": orders / customers if customers else 0.0,
                "median_days_between": median_days,
                "revenue": revenue,
                "returning_revenue": returning_revenue,
                "aov": revenue / orders if orders else 0.0,
            })
        return result
