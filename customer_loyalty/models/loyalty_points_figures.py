from odoo import api, models
from odoo.tools import SQL

from ..report.loyalty_points_report import (
    ADJUSTED_SQL, EXPIRED_SQL, ISSUED_SQL, LEDGER_FROM_SQL, REDEEMED_SQL,
)
from .loyalty_analytics_filters import analytics_filters

# The value of one point of a reward, in the program's currency: a discount per point is worth
# its amount; a fixed discount, its amount / the points it costs; a free product, its sales
# price x quantity / the points it costs. A percentage discount has no value of its own (it
# depends on the order) and is left out.
REWARD_POINT_VALUE_SQL = """
    CASE
        WHEN r.reward_type = 'discount' AND r.discount_mode = 'per_point' THEN r.discount
        WHEN r.reward_type = 'discount' AND r.discount_mode = 'per_order'
             AND r.required_points > 0 THEN r.discount / r.required_points
        WHEN r.reward_type = 'product' AND r.required_points > 0
             THEN pt.list_price * GREATEST(r.reward_product_qty, 1) / r.required_points
    END
"""


class LoyaltyPointsFigures(models.AbstractModel):
    """Points issued, redeemed and expired per period, the redemption rate and the points
    liability, for the dashboard and the reports."""

    _name = "loyalty.points.figures"
    _description = "Loyalty Points Figures"

    @api.model
    def _loyalty_points_figures(self, filters=None, granularity="month"):
        """``{"periods": [{period, issued, redeemed, expired, adjusted, redemption_rate}],
        "liability": [{company_id, currency_id, points, value_per_point, value}],
        "liability_value": total value (None when the companies' currencies differ)}``.

        ``filters`` as ``analytics_filters``. Periods are those of the ledger lines' dates
        (UTC), first day of each period, only the periods with lines. Redemption rate =
        redeemed / issued of the period (None when nothing was issued). Tier: the member's
        current tier. Salesperson and shop: lines of an order (lines without one, such as
        expiry, gifts and adjustments, are left out when these filters are set). Sales teams and
        product categories do not apply (points belong to a card and an order, not to a
        product line) and are ignored. The liability is today's, whatever the period."""
        flt = analytics_filters(self.env, filters, granularity)
        self.env["loyalty.history"].flush_model()
        self.env["loyalty.card"].flush_model()
        where = self._loyalty_points_where(flt)
        period = SQL("date_trunc(%s, h.create_date)::date", granularity)
        rows = self.env.execute_query(SQL(
            """
            SELECT %(period)s AS period, SUM(%(issued)s), SUM(%(redeemed)s),
                   SUM(%(expired)s), SUM(%(adjusted)s)
            %(from)s %(where)s
             GROUP BY 1 ORDER BY 1
            """,
            period=period, issued=SQL(ISSUED_SQL), redeemed=SQL(REDEEMED_SQL),
            expired=SQL(EXPIRED_SQL), adjusted=SQL(ADJUSTED_SQL), where=where,
            **{"from": SQL(LEDGER_FROM_SQL)},
        ))
        periods = [
            {
                "period": day,
                "issued": float(issued or 0.0),
                "redeemed": float(redeemed or 0.0),
                "expired": float(expired or 0.0),
                "adjusted": float(adjusted or 0.0),
                "redemption_rate": float(redeemed or 0.0) / float(issued) if issued else None,
            }
            for day, issued, redeemed, expired, adjusted in rows
        ]
        liability = self._loyalty_points_liability(flt)
        currencies = {line["currency_id"] for line in liability}
        return {
            "periods": periods,
            "liability": liability,
            "liability_value": (
                sum(line["value"] for line in liability) if len(currencies) <= 1 else None
            ),
        }

    @api.model
    def _loyalty_points_where(self, flt):
        conditions = [SQL("AND card.company_id IN %s", flt["company_ids"])]
        if flt["date_from"]:
            conditions.append(SQL("AND h.create_date >= %s", flt["date_from"]))
        if flt["date_to"]:
            conditions.append(
                SQL("AND h.create_date < %s::date + 1", flt["date_to"])
            )
        if flt["tier_ids"]:
            conditions.append(SQL("AND card.tier_id IN %s", flt["tier_ids"]))
        if flt["user_ids"]:
            conditions.append(SQL("AND o.user_id IN %s", flt["user_ids"]))
        if flt["config_ids"]:
            conditions.append(SQL("AND o.config_id IN %s", flt["config_ids"]))
        return SQL(" ").join(conditions)

    @api.model
    def _loyalty_points_liability(self, flt):
        """Per company: the points members hold (positive balances of active member cards,
        pending points included: they are owed too) valued at the **highest value of a point**
        among the active rewards of the company's membership program (see
        ``REWARD_POINT_VALUE_SQL``). The highest, by prudence: every point may be spent on the
        best reward, and a liability is not to be understated. Tier filter: the cards' tier."""
        tier = SQL("AND card.tier_id IN %s", flt["tier_ids"]) if flt["tier_ids"] else SQL()
        rows = self.env.execute_query(SQL(
            """
            WITH value AS (
                SELECT r.program_id, MAX(%(value)s) AS value_per_point
                  FROM loyalty_reward r
                  LEFT JOIN product_product pp ON pp.id = r.reward_product_id
                  LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE r.active
                 GROUP BY r.program_id
            )
            SELECT c.id, COALESCE(prog.currency_id, c.currency_id),
                   COALESCE(SUM(GREATEST(card.points, 0)), 0),
                   COALESCE(MAX(value.value_per_point), 0)
              FROM res_company c
              LEFT JOIN loyalty_program prog ON prog.id = c.loyalty_program_id
              LEFT JOIN value ON value.program_id = prog.id
              LEFT JOIN loyalty_card card
                     ON card.program_id = prog.id AND card.active %(tier)s
             WHERE c.id IN %(companies)s
             GROUP BY c.id, prog.currency_id, c.currency_id
             ORDER BY c.id
            """,
            value=SQL(REWARD_POINT_VALUE_SQL), tier=tier, companies=flt["company_ids"],
        ))
        result = []
        for company_id, currency_id, points, value_per_point in rows:
            currency = self.env["res.currency"].browse(currency_id)
            result.append({
                "company_id": company_id,
                "currency_id": currency_id,
                "points": float(points),
                "value_per_point": float(value_per_point),
                "value": currency.round(float(points) * float(value_per_point)),
            })
        return result
