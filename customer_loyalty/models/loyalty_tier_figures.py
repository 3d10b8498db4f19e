from odoo import api, models
from odoo.tools import SQL

from .loyalty_analytics_filters import analytics_filters


class LoyaltyTierFigures(models.AbstractModel):
    """Members per tier, upgrades and downgrades, and what each tier's members spend."""

    _name = "loyalty.tier.figures"
    _description = "Loyalty Tier Figures"

    @api.model
    def _loyalty_tier_figures(self, filters=None):
        """Per tier of the companies: ``[{tier_id, company_id, members, upgrades, downgrades,
        customers, orders, revenue, avg_spend, aov}]``, in the tiers' order.

        - ``members``: active member cards holding the tier today;
        - ``upgrades``: changes of the period up *into* the tier; ``downgrades``: changes of the
          period down *out of* the tier (tier history; enrolments are neither);
        - ``customers``, ``orders``, ``revenue``: counted orders of the period placed while the
          customer held the tier (``loyalty.retention.order.tier_id``), net of refunds;
          ``avg_spend`` = revenue / customers, ``aov`` = revenue / orders.
        Filters: period, company and tier apply to all; shop, salesperson, sales team and
        product category to the spend only (a category keeps the revenue of its lines, and the
        orders with such a line); members and tier changes belong to no shop or salesperson."""
        flt = analytics_filters(self.env, filters)
        for model in ("loyalty.card", "loyalty.tier.history", "loyalty.tier"):
            self.env[model].flush_model()
        tier = SQL("AND t.id IN %s", flt["tier_ids"]) if flt["tier_ids"] else SQL()
        history_period = SQL(" ").join(
            cond for cond in (
                flt["date_from"] and SQL("AND h.date >= %s", flt["date_from"]),
                flt["date_to"] and SQL("AND h.date < %s::date + 1", flt["date_to"]),
            ) if cond
        )
        spend = self._loyalty_tier_spend_sql(flt)
        rows = self.env.execute_query(SQL(
            """
            WITH members AS (
                SELECT card.tier_id, COUNT(*) AS members
                  FROM loyalty_card card
                 WHERE card.is_membership AND card.active AND card.tier_id IS NOT NULL
                 GROUP BY card.tier_id
            ), moves AS (
                SELECT t.id AS tier_id,
                       COUNT(*) FILTER (WHERE h.direction = 'up' AND h.new_tier_id = t.id)
                           AS upgrades,
                       COUNT(*) FILTER (WHERE h.direction = 'down' AND h.old_tier_id = t.id)
                           AS downgrades
                  FROM loyalty_tier t
                  JOIN loyalty_tier_history h
                    ON (h.new_tier_id = t.id OR h.old_tier_id = t.id) %(history_period)s
                 GROUP BY t.id
            ), spend AS (%(spend)s)
            SELECT t.id, t.company_id, COALESCE(m.members, 0), COALESCE(mv.upgrades, 0),
                   COALESCE(mv.downgrades, 0), COALESCE(s.customers, 0),
                   COALESCE(s.orders, 0), COALESCE(s.revenue, 0)
              FROM loyalty_tier t
              LEFT JOIN members m ON m.tier_id = t.id
              LEFT JOIN moves mv ON mv.tier_id = t.id
              LEFT JOIN spend s ON s.tier_id = t.id
             WHERE t.company_id IN %(companies)s AND t.active %(tier)s
             ORDER BY t.company_id, t.sequence, t.id
            """,
            history_period=history_period, spend=spend, companies=flt["company_ids"], tier=tier,
        ))
        return [
            {
                "tier_id": tier_id,
                "company_id": company_id,
                "members": members,
                "upgrades": upgrades,
                "downgrades": downgrades,
                "customers": customers,
                "orders": orders,
                "revenue": float(revenue),
                "avg_spend": float(revenue) / customers if customers else None,
                "aov": float(revenue) / orders if orders else None,
            }
            for (tier_id, company_id, members, upgrades, downgrades, customers, orders,
                 revenue) in rows
        ]

    @api.model
    def _loyalty_tier_spend_sql(self, flt):
        """Per tier: customers, orders and net revenue of the counted orders matching ``flt``."""
        conditions = [SQL("o.is_counted AND o.tier_id IS NOT NULL"),
                      SQL("o.company_id IN %s", flt["company_ids"])]
        for key, column in (("config_ids", "config_id"), ("user_ids", "user_id"),
                            ("team_ids", "team_id"), ("tier_ids", "tier_id")):
            if flt[key]:
                conditions.append(SQL("o.%s IN %s", SQL.identifier(column), flt[key]))
        if flt["date_from"]:
            conditions.append(SQL("o.day >= %s", flt["date_from"]))
        if flt["date_to"]:
            conditions.append(SQL("o.day <= %s", flt["date_to"]))
        where = SQL(" AND ").join(conditions)
        if flt["categ_ids"]:
            # Only the lines of the categories (child categories included).
            return SQL(
                """
                SELECT o.tier_id, COUNT(DISTINCT o.partner_id) AS customers,
                       COUNT(DISTINCT o.id) AS orders, SUM(l.revenue) AS revenue
                  FROM loyalty_retention_order o
                  JOIN loyalty_retention_line l ON l.order_id = o.id
                  JOIN product_category categ ON categ.id = l.categ_id
                  JOIN product_category parent ON parent.id IN %(categs)s
                   AND (categ.parent_path LIKE parent.parent_path || '%%')
                 WHERE %(where)s
                 GROUP BY o.tier_id
                """,
                categs=flt["categ_ids"], where=where,
            )
        return SQL(
            """
            SELECT o.tier_id, COUNT(DISTINCT o.partner_id) AS customers, COUNT(*) AS orders,
                   SUM(o.revenue) AS revenue
              FROM loyalty_retention_order o
             WHERE %(where)s
             GROUP BY o.tier_id
            """,
            where=where,
        )

    @api.model
    def _loyalty_tier_periods(self, filters=None, granularity="month"):
        """Per period and tier: ``[{period, tier_id, members, upgrades, downgrades}]`` where
        ``members`` is the number of member cards holding the tier at the end of the period
        (from the tier history: a card holds the tier of its last change before the end; a
        card without history, its current tier from its creation), ``upgrades`` and
        ``downgrades`` as in ``_loyalty_tier_figures``. Periods from ``date_from`` (default:
        12 periods before ``date_to``) to ``date_to`` (default: today). Cards archived (merged)
        are left out. Filters: period, company, tier."""
        flt = analytics_filters(self.env, filters, granularity)
        for model in ("loyalty.card", "loyalty.tier.history"):
            self.env[model].flush_model()
        date_to = flt["date_to"] or SQL("CURRENT_DATE")
        date_from = flt["date_from"] or SQL(
            "(%s::date - %s::interval)::date", date_to, f"11 {granularity}"
            if granularity != "quarter" else "33 month",
        )
        tier = SQL("AND tier_id IN %s", flt["tier_ids"]) if flt["tier_ids"] else SQL()
        rows = self.env.execute_query(SQL(
            """
            WITH periods AS (
                SELECT p::date AS period,
                       (p + %(step)s::interval)::date AS period_end
                  FROM generate_series(date_trunc(%(gran)s, %(date_from)s::date),
                                       %(date_to)s::date, %(step)s::interval) AS p
            ), spans AS (
                SELECT h.card_id, h.new_tier_id AS tier_id, h.date AS date_start,
                       LEAD(h.date) OVER (PARTITION BY h.card_id ORDER BY h.date, h.id)
                           AS date_stop
                  FROM loyalty_tier_history h
                  JOIN loyalty_card card ON card.id = h.card_id
                 WHERE card.active AND card.company_id IN %(companies)s
                 UNION ALL
                SELECT card.id, card.tier_id, card.create_date, NULL
                  FROM loyalty_card card
                 WHERE card.is_membership AND card.active AND card.tier_id IS NOT NULL
                   AND card.company_id IN %(companies)s
                   AND NOT EXISTS (SELECT 1 FROM loyalty_tier_history h
                                    WHERE h.card_id = card.id)
            ), held AS (
                SELECT p.period, s.tier_id, COUNT(*) AS members
                  FROM periods p
                  JOIN spans s ON s.date_start < p.period_end
                              AND (s.date_stop IS NULL OR s.date_stop >= p.period_end)
                 WHERE s.tier_id IS NOT NULL
                 GROUP BY 1, 2
            ), moves AS (
                SELECT p.period, t.tier_id,
                       COUNT(*) FILTER (WHERE h.direction = 'up' AND h.new_tier_id = t.tier_id)
                           AS upgrades,
                       COUNT(*) FILTER (WHERE h.direction = 'down' AND h.old_tier_id = t.tier_id)
                           AS downgrades
                  FROM periods p
                  JOIN loyalty_tier_history h ON h.date >= p.period AND h.date < p.period_end
                   AND h.company_id IN %(companies)s
                  CROSS JOIN LATERAL (VALUES (h.new_tier_id), (h.old_tier_id)) AS t(tier_id)
                 WHERE t.tier_id IS NOT NULL
                 GROUP BY 1, 2
            )
            SELECT period, tier_id, SUM(members), SUM(upgrades), SUM(downgrades)
              FROM (
                SELECT period, tier_id, members, 0 AS upgrades, 0 AS downgrades FROM held
                 UNION ALL
                SELECT period, tier_id, 0, upgrades, downgrades FROM moves
              ) AS figures
             WHERE TRUE %(tier)s
             GROUP BY period, tier_id
             ORDER BY period, tier_id
            """,
            step="3 month" if granularity == "quarter" else f"1 {granularity}", gran=granularity, date_from=date_from, date_to=date_to,
            companies=flt["company_ids"], tier=tier,
        ))
        return [
            {"period": period, "tier_id": tier_id, "members": int(members),
             "upgrades": int(upgrades), "downgrades": int(downgrades)}
            for period, tier_id, members, upgrades, downgrades in rows
        ]
