from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .loyalty_analytics_filters import analytics_filters

PERIODS = ("month", "quarter", "year", "custom")
# The filters that hold ids, and the fact column each one filters (categ_ids: the order has a
# line of the category; see _loyalty_dashboard_where).
ID_FILTERS = ("company_ids", "config_ids", "tier_ids", "user_ids", "categ_ids")
REFRESHED_AT_PARAM = "customer_loyalty.retention_refreshed_at"
# The planner settings of the dashboard's statements (set for each statement, then put back):
# - the memory of the per-customer aggregates (one group per customer: 120,000 groups for a year
#   of 100,000 customers need about 60 MB); PostgreSQL's default 4 MB spills them to disk, which
#   made these queries grow faster than the data (tools/bench_analytics.py);
# - no JIT compilation: it only starts above a cost the large data sets reach, and costs 40 ms or
#   more per statement to save less on queries of a fraction of a second;
# - no parallel workers: on a small server each worker builds the same hash of the lines again.
STATEMENT_SETTINGS = (
    ("work_mem", "64MB"),
    ("jit", "off"),
    ("max_parallel_workers_per_gather", "0"),
)

class LoyaltyDashboard(models.AbstractModel):
    """The first screen of the Loyalty app: headline figures of a period against the previous
    one, monthly graphs and the RFM segments by tier, all read set-wise from the retention facts
    (``loyalty.retention.order`` / ``loyalty.retention.line``) and the RFM segment stored on the
    contacts. Two public methods, both checking the caller's rights; the figures themselves come
    from private methods, one per query (tools/bench_analytics.py times each)."""

    _name = "loyalty.dashboard"
    _description = "Loyalty Dashboard"

    # ------------------------------------------------------------------
    # Public: the client action's calls
    # ------------------------------------------------------------------

    @api.model
    def get_dashboard_data(self, filters=None):
        """The dashboard's figures for ``filters`` (a dict: ``period`` month/quarter/year/custom,
        ``date`` (the day the period contains, default today), ``date_from``/``date_to`` for a
        custom period, and lists of ids ``company_ids``, ``config_ids``, ``tier_ids``,
        ``user_ids``, ``categ_ids``). Loyalty users only; only the user's companies."""
        self._loyalty_dashboard_check_user()
        return self._loyalty_dashboard_data(self._loyalty_dashboard_filters(filters))

    @api.model
    def action_loyalty_refresh(self, filters=None):
        """Refresh the retention facts (Loyalty managers), then return the figures."""
        if not self.env.user.has_group("customer_loyalty.group_loyalty_manager"):
            raise AccessError(_("Only Loyalty managers can refresh the figures."))
        self.env.flush_all()  # the facts read the orders' tables
        self.env["loyalty.retention.order"].sudo()._loyalty_refresh()
        return self.get_dashboard_data(filters)

    # ------------------------------------------------------------------
    # Rights and filters
    # ------------------------------------------------------------------

    def _loyalty_dashboard_check_user(self):
        if not self.env.user.has_group("customer_loyalty.group_loyalty_user"):
            raise AccessError(_("Only Loyalty users can see the Loyalty dashboard."))

    @api.model
    def _loyalty_dashboard_filters(self, filters):
        """``filters`` from the client, checked: known keys only, dates as dates, ids as lists
        of integers, companies limited to the user's (another company's id is dropped, so that
        it shows nothing). Returns a new dict with the period's and the previous period's days."""
        filters = filters or {}
        if not isinstance(filters, dict):
            raise UserError(_("The dashboard's filters are not valid."))
        period = filters.get("period") or "month"
        if period not in PERIODS:
            raise UserError(_("Unknown period: %(period)s.", period=period))
        try:
            ref = fields.Date.to_date(filters.get("date")) or fields.Date.context_today(self)
            date_from = fields.Date.to_date(filters.get("date_from"))
            date_to = fields.Date.to_date(filters.get("date_to"))
        except (TypeError, ValueError) as error:
            raise UserError(_("The dashboard's dates are not valid dates.")) from error
        if period == "custom":
            if not date_from or not date_to:
                raise UserError(_("Choose the first and the last day of the period."))
            if date_from > date_to:
                raise UserError(_("The period's first day must not be after its last day."))
            prev_to = date_from - relativedelta(days=1)
            prev_from = prev_to - (date_to - date_from)
        else:
            months = {"month": 1, "quarter": 3, "year": 12}[period]
            start_month = (ref.month - 1) // months * months + 1
            date_from = ref.replace(month=start_month, day=1)
            date_to = date_from + relativedelta(months=months, days=-1)
            prev_from = date_from - relativedelta(months=months)
            prev_to = date_from - relativedelta(days=1)
        clean = {
            "period": period, "date_from": date_from, "date_to": date_to,
            "prev_from": prev_from, "prev_to": prev_to,
        }
        for key in ID_FILTERS:
            ids = filters.get(key) or []
            if not isinstance(ids, list | tuple) or not all(
                isinstance(id_, int) and not isinstance(id_, bool) for id_ in ids
            ):
                raise UserError(_("The dashboard's filters are not valid."))
            clean[key] = sorted(set(ids))
        allowed = set(self.env.user.company_ids.ids)
        if filters.get("company_ids"):
            clean["company_ids"] = [cid for cid in clean["company_ids"] if cid in allowed]
        else:
            clean["company_ids"] = [cid for cid in self.env.companies.ids if cid in allowed]
        return clean

    def _loyalty_dashboard_fetchall(self, query, params):
        """Run a statement of the dashboard with its planner settings (``STATEMENT_SETTINGS``),
        then put the transaction's settings back."""
        cr = self.env.cr
        names = [name for name, _value in STATEMENT_SETTINGS]
        cr.execute(
            "SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names
        )
        previous = cr.fetchone()
        self._loyalty_dashboard_settings(STATEMENT_SETTINGS)
        # (An error aborts the transaction, and the settings with it.)
        cr.execute(query, params)
        rows = cr.fetchall()
        self._loyalty_dashboard_settings(zip(names, previous, strict=True))
        return rows

    def _loyalty_dashboard_settings(self, settings):
        settings = list(settings)
        self.env.cr.execute(
            "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(settings)),
            [item for setting in settings for item in setting],
        )

    @api.model
    def _loyalty_dashboard_whole_sequence(self, filters, join):
        """Whether the figures can be read from each order's place in its customer's sequence
        (``previous_day``, ``next_day``: the customer's counted orders in the company) instead
        of grouping the orders by customer: when nothing but the companies and the days selects
        the orders (no shop, tier, salesperson or category), so that the sequence is the one of
        the orders read. One pass over the orders, no per-customer groups: it grows with the
        orders, where a hash of every customer outgrows the processor's caches."""
        return not join and not any(filters[key] for key in ("config_ids", "tier_ids", "user_ids"))

    def _loyalty_dashboard_where(self, filters, day_from, day_to, alias="o"):
        """The join, the SQL condition of ``filters`` on the order facts aliased ``alias`` (no
        dates) and the revenue expression, and their parameters. Only fixed SQL and bound
        parameters: no client text in the query. With categories (and their sub-categories),
        as the retention reports: the orders with a line in them, and the revenue of those
        lines (the lines of the days ``day_from`` to ``day_to``, those of the orders read)."""
        clauses = [f"{alias}.company_id = ANY(%(company_ids)s)"]
        for key, column in (("config_ids", "config_id"), ("tier_ids", "tier_id"),
                            ("user_ids", "user_id")):
            if filters[key]:
                clauses.append(f"{alias}.{column} = ANY(%({key})s)")
        params = {key: filters[key] for key in ID_FILTERS}
        params.update(line_from=day_from, line_to=day_to)
        join, revenue = "", f"{alias}.revenue"
        Category = self.env["product.category"].sudo()
        categ_ids = filters["categ_ids"] and Category.search(
            [("id", "child_of", filters["categ_ids"])]
        ).ids
        # Every category (the root and its children): every line, no filter (a product always
        # has a category); reading the lines would cost seconds at a million lines for nothing.
        if categ_ids and len(categ_ids) < Category.search_count([]):
            params["categ_ids"] = categ_ids
            join = f"""
                JOIN (SELECT l.order_id, sum(l.revenue) AS revenue
                        FROM loyalty_retention_line l
                       WHERE l.categ_id = ANY(%(categ_ids)s) AND l.company_id = ANY(%(company_ids)s)
                         AND l.day BETWEEN %(line_from)s AND %(line_to)s
                       GROUP BY l.order_id
                      HAVING bool_or(NOT l.is_refund)) categ ON categ.order_id = {alias}.id"""
            revenue = "categ.revenue"
        return join, " AND ".join(clauses), revenue, params

    # ------------------------------------------------------------------
    # The figures
    # ------------------------------------------------------------------

    @api.model
    def _loyalty_dashboard_queries(self):
        """The dashboard's queries by name: each takes the checked filters (benchmarked one by
        one by tools/bench_analytics.py)."""
        return {
            "headline": self._loyalty_dashboard_headline,
            "monthly": self._loyalty_dashboard_monthly,
            "new_members": self._loyalty_dashboard_new_members,
            "points_liability": self._loyalty_dashboard_points_liability,
            "segments": self._loyalty_dashboard_segments,
            "nps": self._loyalty_dashboard_nps,
        }

    @api.model
    def _loyalty_dashboard_data(self, filters):
        queries = self._loyalty_dashboard_queries()
        results = {name: query(filters) for name, query in queries.items()}
        headline = results["headline"]
        headline["new_members"] = results["new_members"]
        companies = self.env["res.company"].browse(filters["company_ids"])
        currency = companies[:1].currency_id or self.env.company.currency_id
        # Amounts are in each company's currency: no sum of two currencies.
        mixed_currencies = len(companies.currency_id) > 1
        refreshed_at = self.env["ir.config_parameter"].sudo().get_param(REFRESHED_AT_PARAM)
        return {
            "filters": {
                key: fields.Date.to_string(value) if key.endswith(("_from", "_to")) else value
                for key, value in filters.items()
            },
            "currency": {
                "id": currency.id, "symbol": currency.symbol, "position": currency.position,
                "digits": currency.decimal_places,
            },
            "cards": self._loyalty_dashboard_cards(
                headline, results["points_liability"], mixed_currencies, nps=results["nps"]
            ),
            "mixed_currencies": mixed_currencies,
            "monthly": results["monthly"],
            "segments": results["segments"],
            "refreshed_at": refreshed_at or False,
            "can_refresh": self.env.user.has_group("customer_loyalty.group_loyalty_manager"),
            "options": self._loyalty_dashboard_options(),
        }

    def _loyalty_dashboard_cards(self, headline, liability, mixed_currencies=False, nps=None):
        """The headline cards: value, the previous period's value and the trend in %; no
        amount (False) when the companies' currencies differ."""
        def card(key, label, kind, current, previous=None):
            if kind == "monetary" and mixed_currencies:
                current = previous = False
            trend = False
            if previous not in (None, False) and previous:
                trend = round((current - previous) / abs(previous) * 100.0, 1)
            return {"key": key, "label": label, "kind": kind, "value": current,
                    "previous": previous if previous is not None else False, "trend": trend}

        cur, prev = headline["current"], headline["previous"]
        cards = [
            card("active_customers", _("Active customers"), "integer",
                 cur["customers"], prev["customers"]),
            card("repurchase_rate", _("Repurchase rate"), "percent",
                 cur["repurchase_rate"], prev["repurchase_rate"]),
            card("orders_per_customer", _("Orders per customer"), "float",
                 cur["orders_per_customer"], prev["orders_per_customer"]),
            card("aov", _("Average order value"), "monetary", cur["aov"], prev["aov"]),
            card("returning_revenue", _("Revenue from returning customers"), "monetary",
                 cur["returning_revenue"], prev["returning_revenue"]),
            card("new_members", _("New members"), "integer",
                 headline["new_members"]["current"], headline["new_members"]["previous"]),
            # Outstanding points now: the ledger has no valuation at a past date.
            card("points_liability", _("Points liability"), "monetary", liability),
        ]
        # NPS of the customer feedback answered in the period; no answer yet: "placeholder"
        # (the client shows that there is no feedback yet).
        nps = nps or {}
        if nps.get("current") is None:
            cards.append(card("nps", _("NPS"), "placeholder", False))
        else:
            cards.append(card("nps", _("NPS"), "float", nps["current"], nps.get("previous")))
        return cards

    @api.model
    def _loyalty_dashboard_nps(self, filters):
        """The NPS (% promoters 9-10 minus % detractors 0-6) of the NPS answers given in the
        period and in the previous one, of the customer feedback (``loyalty.feedback.request``)
        filtered by company, shop, tier (at the order) and salesperson; the product category
        does not apply. ``{"current": nps or None, "previous": nps or None}`` (None: no
        answer)."""
        clauses = ["r.company_id = ANY(%(company_ids)s)"]
        for key, column in (("config_ids", "pos_config_id"), ("tier_ids", "tier_id"),
                            ("user_ids", "user_id")):
            if filters[key]:
                clauses.append(f"r.{column} = ANY(%({key})s)")
        params = {key: filters[key] for key in ID_FILTERS}
        params.update({key: filters[key] for key in ("date_from", "date_to", "prev_from")})
        rows = self._loyalty_dashboard_fetchall(
            f"""
            SELECT r.answer_date::date >= %(date_from)s AS cur,
                   count(*), count(*) FILTER (WHERE r.score >= 9),
                   count(*) FILTER (WHERE r.score <= 6)
              FROM loyalty_feedback_request r
             WHERE r.scale = 'nps' AND r.state = 'answered'
               AND r.answer_date::date BETWEEN %(prev_from)s AND %(date_to)s
               AND {" AND ".join(clauses)}
             GROUP BY 1
            """,
            params,
        )
        result = {"current": None, "previous": None}
        for cur, answers, promoters, detractors in rows:
            result["current" if cur else "previous"] = round(
                100.0 * (promoters - detractors) / answers, 1
            )
        return result

    @api.model
    def _loyalty_dashboard_headline(self, filters):
        """Customers, repurchasers, orders and revenue of the period and the previous one, in
        one statement over the counted orders (partner known, not fully refunded), with the
        definitions of the retention reports (``loyalty.retention.figures``): a customer is a
        contact in a company; a returning customer has two counted orders or more in the
        period; returning revenue is the revenue of the returning customers' orders."""
        join, where, revenue, params = self._loyalty_dashboard_where(
            filters, filters["prev_from"], filters["date_to"]
        )
        params.update({
            key: filters[key] for key in ("date_from", "date_to", "prev_from", "prev_to")
        })
        if self._loyalty_dashboard_whole_sequence(filters, join):
            # A customer's first order of the period is the one whose previous order is before
            # it; a customer with one order only in the period has no next order in it either:
            # the returning customers are the first orders followed by another in the period,
            # and the returning revenue all but that of the single orders.
            query = f"""
            WITH seq AS (
                SELECT o.day >= %(date_from)s AS cur, o.revenue,
                       (o.previous_day IS NULL OR o.previous_day < CASE
                            WHEN o.day >= %(date_from)s THEN %(date_from)s
                            ELSE %(prev_from)s END) AS first,
                       (o.next_day IS NULL OR o.next_day > CASE
                            WHEN o.day >= %(date_from)s THEN %(date_to)s
                            ELSE %(prev_to)s END) AS last
                  FROM loyalty_retention_order o
                 WHERE o.is_counted AND o.day BETWEEN %(prev_from)s AND %(date_to)s AND {where}
            )
            SELECT cur, count(*) FILTER (WHERE first), count(*) FILTER (WHERE first AND NOT last),
                   count(*), sum(revenue),
                   coalesce(sum(revenue) FILTER (WHERE NOT (first AND last)), 0)
              FROM seq GROUP BY cur
            """
        elif join and not filters["tier_ids"]:
            # A category without a tier: the category's lines alone (each carries its order's
            # day, customer, shop, salesperson and whether the order counts), not the period's
            # every order joined to them.
            _join, line_where, _revenue, _params = self._loyalty_dashboard_where(
                filters, filters["prev_from"], filters["date_to"], alias="l"
            )
            query = f"""
            WITH o AS (
                SELECT l.order_id, min(l.company_id) AS company_id,
                       min(l.partner_id) AS partner_id, min(l.day) AS day,
                       sum(l.revenue) AS revenue
                  FROM loyalty_retention_line l
                 WHERE l.order_is_counted AND l.categ_id = ANY(%(categ_ids)s)
                   AND l.day BETWEEN %(prev_from)s AND %(date_to)s AND {line_where}
                 GROUP BY l.order_id
                HAVING bool_or(NOT l.is_refund)
            ), c AS (
                SELECT o.day >= %(date_from)s AS cur, count(*) AS orders,
                       sum(o.revenue) AS revenue
                  FROM o
                 GROUP BY 1, o.company_id, o.partner_id
            )
            SELECT cur, count(*), count(*) FILTER (WHERE orders >= 2), sum(orders), sum(revenue),
                   coalesce(sum(revenue) FILTER (WHERE orders >= 2), 0)
              FROM c GROUP BY cur
            """
        else:
            query = f"""
            WITH c AS (
                SELECT o.day >= %(date_from)s AS cur, count(*) AS orders,
                       sum({revenue}) AS revenue
                  FROM loyalty_retention_order o {join}
                 WHERE o.is_counted AND o.day BETWEEN %(prev_from)s AND %(date_to)s AND {where}
                 GROUP BY 1, o.company_id, o.partner_id
            )
            SELECT cur, count(*), count(*) FILTER (WHERE orders >= 2), sum(orders), sum(revenue),
                   coalesce(sum(revenue) FILTER (WHERE orders >= 2), 0)
              FROM c GROUP BY cur
            """
        rows = self._loyalty_dashboard_fetchall(query, params)
        empty = {"customers": 0, "repeaters": 0, "orders": 0, "revenue": 0.0,
                 "returning_revenue": 0.0}
        by_period = {True: dict(empty), False: dict(empty)}
        for cur, customers, repeaters, orders, revenue, returning in rows:
            by_period[cur] = {
                "customers": customers, "repeaters": repeaters, "orders": int(orders),
                "revenue": float(revenue or 0), "returning_revenue": float(returning),
            }
        for figures in by_period.values():
            customers, orders = figures["customers"], figures["orders"]
            figures["repurchase_rate"] = (
                round(figures["repeaters"] / customers * 100.0, 1) if customers else 0.0
            )
            figures["orders_per_customer"] = round(orders / customers, 2) if customers else 0.0
            figures["aov"] = round(figures["revenue"] / orders, 2) if orders else 0.0
        return {"current": by_period[True], "previous": by_period[False]}

    @api.model
    def _loyalty_dashboard_monthly(self, filters):
        """The 12 months ending with the period's: revenue of the customers' first orders in
        the company ("new") and of their later orders ("repeat"), and the month's repurchase
        rate (customers with two counted orders or more in the month, in % of the month's
        customers)."""
        last = filters["date_to"].replace(day=1)
        first = last - relativedelta(months=11)
        join, where, revenue, params = self._loyalty_dashboard_where(
            filters, first, filters["date_to"]
        )
        params.update({"first": first, "last_day": filters["date_to"]})
        if self._loyalty_dashboard_whole_sequence(filters, join):
            # As the headline: a customer's first order of the month, and those followed by
            # another in the month (up to the period's last day).
            query = f"""
            SELECT o.month,
                   count(*) FILTER (WHERE o.previous_day IS NULL OR o.previous_day < o.month),
                   count(*) FILTER (
                       WHERE (o.previous_day IS NULL OR o.previous_day < o.month)
                         AND o.next_day <= LEAST(
                             (o.month + INTERVAL '1 month - 1 day')::date, %(last_day)s)),
                   coalesce(sum(o.revenue) FILTER (WHERE o.customer_order_number = 1), 0),
                   coalesce(sum(o.revenue) FILTER (WHERE o.customer_order_number > 1), 0)
              FROM loyalty_retention_order o
             WHERE o.is_counted AND o.day BETWEEN %(first)s AND %(last_day)s AND {where}
             GROUP BY o.month
            """
        else:
            query = f"""
            WITH c AS (
                SELECT o.month, count(*) AS orders,
                       coalesce(sum({revenue}) FILTER (WHERE o.customer_order_number = 1), 0)
                           AS first_rev,
                       coalesce(sum({revenue}) FILTER (WHERE o.customer_order_number > 1), 0)
                           AS repeat_rev
                  FROM loyalty_retention_order o {join}
                 WHERE o.is_counted AND o.day BETWEEN %(first)s AND %(last_day)s AND {where}
                 GROUP BY o.month, o.company_id, o.partner_id
            )
            SELECT month, count(*), count(*) FILTER (WHERE orders >= 2), sum(first_rev),
                   sum(repeat_rev)
              FROM c GROUP BY month
            """
        rows = self._loyalty_dashboard_fetchall(query, params)
        rows = {month: row for month, *row in rows}
        months = []
        month = first
        while month <= last:
            customers, repeaters, new, returning = rows.get(month, (0, 0, 0, 0))
            months.append({
                "month": fields.Date.to_string(month),
                "new_revenue": float(new), "repeat_revenue": float(returning),
                "customers": customers,
                "repurchase_rate": round(repeaters / customers * 100.0, 1) if customers else 0.0,
            })
            month += relativedelta(months=1)
        return months

    @api.model
    def _loyalty_dashboard_new_members(self, filters):
        """Member cards created in the period and in the previous one (companies and tiers
        filters only: a card has no shop, salesperson or category)."""
        params = {key: filters[key] for key in ("company_ids", "tier_ids", "date_from",
                                                 "date_to", "prev_from")}
        tier_clause = "AND c.tier_id = ANY(%(tier_ids)s)" if filters["tier_ids"] else ""
        # create_date is a UTC timestamp: compare with the next day's midnight.
        self.env.cr.execute(
            f"""
            SELECT count(*) FILTER (WHERE c.create_date >= %(date_from)s),
                   count(*) FILTER (WHERE c.create_date < %(date_from)s)
              FROM loyalty_card c
              JOIN loyalty_program p ON p.id = c.program_id
             WHERE c.is_membership AND c.active AND c.partner_id IS NOT NULL
               AND p.company_id = ANY(%(company_ids)s)
               AND c.create_date >= %(prev_from)s
               AND c.create_date < %(date_to)s::date + 1 {tier_clause}
            """,
            params,
        )
        current, previous = self.env.cr.fetchone()
        return {"current": current, "previous": previous}

    @api.model
    def _loyalty_dashboard_points_liability(self, filters):
        """Today's points liability of the companies (``loyalty.points.figures``: the members'
        points valued at the best value of a point), in their currency; False when the
        companies' currencies differ (no sum to show)."""
        flt = analytics_filters(self.env, {
            # No company left (another company's ids only): none, not the default companies.
            "company_ids": filters["company_ids"] or [0], "tier_ids": filters["tier_ids"],
        })
        liability = self.env["loyalty.points.figures"]._loyalty_points_liability(flt)
        if len({line["currency_id"] for line in liability}) > 1:
            return False
        return sum(line["value"] for line in liability)

    @api.model
    def _loyalty_dashboard_segments(self, filters):
        """Contacts per RFM segment and tier in the user's current company (the tier of a
        contact is per company, as is the contact list the cells open); the tier filter limits
        the columns. The counts: ``res.partner._loyalty_rfm_segment_counts`` (one grouped
        query over the company-dependent RFM segment and tier)."""
        Partner = self.env["res.partner"]
        company = self.env.company
        if company.id not in filters["company_ids"]:
            return {"company": False, "tiers": [], "rows": []}
        tiers = self.env["loyalty.tier"].search([("company_id", "=", company.id)])
        if filters["tier_ids"]:
            tiers = tiers.filtered(lambda tier: tier.id in filters["tier_ids"])
        counts = Partner._loyalty_rfm_segment_counts(
            {"company_ids": company.ids, "tier_ids": tiers.ids or [0]}
            if filters["tier_ids"] else {"company_ids": company.ids}
        )
        labels = dict(Partner._fields["loyalty_rfm_segment"]._description_selection(self.env))
        columns = [{"id": tier.id, "name": tier.name} for tier in tiers]
        if not filters["tier_ids"]:
            columns.append({"id": False, "name": _("No tier")})
        rows = []
        for key, label in labels.items():
            cells = [{"tier_id": col["id"], "count": counts.get(key, {}).get(col["id"], 0)}
                     for col in columns]
            rows.append({"key": key, "label": label, "cells": cells,
                         "total": sum(cell["count"] for cell in cells)})
        return {"company": company.name, "tiers": columns, "rows": rows}

    def _loyalty_dashboard_options(self):
        """The choices of the filter bar, in the user's companies."""
        companies = self.env.user.company_ids
        shops = self.env["pos.config"].sudo().search_read(
            [("company_id", "in", companies.ids)], ["name"], order="name"
        )
        tiers = self.env["loyalty.tier"].search_read(
            [("company_id", "in", companies.ids)], ["name", "company_id"], order="sequence"
        )
        users = self.env["res.users"].search_read(
            [("share", "=", False), ("company_ids", "in", companies.ids)], ["name"], order="name"
        )
        categories = self.env["product.category"].search_read([], ["complete_name"])
        return {
            "companies": [{"id": c.id, "name": c.name} for c in companies],
            "shops": [{"id": s["id"], "name": s["name"]} for s in shops],
            "tiers": [{"id": t["id"], "name": f"{t['name']} ({t['company_id'][1]})"}
                      if len(companies) > 1 else {"id": t["id"], "name": t["name"]}
                      for t in tiers],
            "users": [{"id": u["id"], "name": u["name"]} for u in users],
            "categories": [{"id": c["id"], "name": c["complete_name"]} for c in categories],
        }
