import logging

from odoo import _, api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# A customer's own rhythm is trusted from this many purchase days on (two intervals).
HISTORY_MIN_PURCHASES = 3

STATUSES = [
    ("upcoming", "Upcoming"),
    ("due", "Due"),
    ("at_risk", "At Risk"),
]


class LoyaltyRepurchasePrediction(models.Model):
    """When each customer should buy each product with a repurchase cycle again.

    One row per company, commercial partner and product, rewritten set-wise by the daily
    reminder run (``_loyalty_refresh``: one ``INSERT ... ON CONFLICT DO UPDATE``). The rule:

    - purchase days are the days of confirmed sales orders and paid POS orders of the customer
      (the commercial partner) containing the product; POS refunds are netted on the day of the
      refunded order, a day whose quantity nets to zero is no purchase;
    - fewer than 3 purchase days: next = last purchase + cycle x quantity bought that day;
    - 3 or more: next = last purchase + the median of the customer's intervals between
      purchase days (rounded to the day, half a day up: ``percentile_cont`` gives a double,
      whose ``ROUND`` would round half to even, 28.5 to 28 but 29.5 to 30);
    - at risk: the last purchase is older than the company's factor x the interval;
    - due: from the next date minus the company's lead time (reminders are made then).
    """

    _name = "loyalty.repurchase.prediction"
    _description = "Repurchase Prediction"
    _order = "next_date, id"
    _rec_name = "product_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True,
        ondelete="cascade",
    )
    product_id = fields.Many2one(
        "product.product", required=True, readonly=True, index=True, ondelete="cascade"
    )
    last_date = fields.Date(string="Last Purchase", readonly=True)
    last_qty = fields.Float(
        string="Quantity Last Bought", readonly=True, digits="Product Unit of Measure"
    )
    purchase_count = fields.Integer(string="Purchase Days", readonly=True)
    cycle_days = fields.Integer(string="Cycle (days)", readonly=True)
    interval_days = fields.Integer(
        string="Interval (days)", readonly=True,
        help="The days from the last purchase to the next one: the cycle times the quantity, "
        "or the customer's median interval.",
    )
    basis_kind = fields.Selection(
        [("cycle", "Cycle x quantity"), ("median", "Customer's median interval")],
        string="Rule", readonly=True,
    )
    basis = fields.Char(compute="_compute_basis", help="How the next date was predicted.")
    next_date = fields.Date(string="Next Purchase", readonly=True, index=True)
    remind_date = fields.Date(string="Remind On", readonly=True)
    status = fields.Selection(STATUSES, readonly=True, index=True)
    days_late = fields.Integer(
        readonly=True, help="Days since the predicted next purchase (0 when not yet passed)."
    )
    refreshed_on = fields.Date(readonly=True)

    _sql_constraints = [
        ("company_partner_product_uniq", "UNIQUE(company_id, partner_id, product_id)",
         "A customer has one prediction per product and company."),
    ]

    @api.depends("basis_kind", "cycle_days", "last_qty", "interval_days", "purchase_count")
    def _compute_basis(self):
        for prediction in self:
            if prediction.basis_kind == "median":
                prediction.basis = _(
                    "median of %(count)s intervals: %(days)s days",
                    count=prediction.purchase_count - 1, days=prediction.interval_days,
                )
            elif prediction.basis_kind == "cycle":
                # Formatted outside the call: Babel's extractor cannot read an f-string in it.
                quantity = f"{prediction.last_qty:g}"
                prediction.basis = _(
                    "cycle %(cycle)s days x %(qty)s", cycle=prediction.cycle_days, qty=quantity
                )
            else:
                prediction.basis = False

    @api.model
    def _loyalty_partner_filter(self, column, partners):
        """``AND column IN partners`` when the run is limited to some customers."""
        if partners is None:
            return SQL()
        return SQL("AND %s = ANY(%s)", SQL(column), partners.commercial_partner_id.ids)

    @api.model
    def _loyalty_purchases_sql(self, company_ids, partners=None):
        """The purchase days per company, commercial partner and product with a cycle:
        ``company_id, partner_id, product_id, cycle_days, day, qty``. Extend to add a source."""
        return SQL(
            """
            WITH RECURSIVE category_cycle AS (
                SELECT c.id, c.loyalty_repurchase_days AS days
                  FROM product_category c WHERE c.parent_id IS NULL
                 UNION ALL
                SELECT c.id, COALESCE(NULLIF(c.loyalty_repurchase_days, 0), parent.days)
                  FROM product_category c JOIN category_cycle parent ON parent.id = c.parent_id
            ),
            product_cycle AS (
                SELECT pp.id AS product_id,
                       COALESCE(NULLIF(pt.loyalty_repurchase_days, 0), cc.days) AS cycle_days
                  FROM product_product pp
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN category_cycle cc ON cc.id = pt.categ_id
                 WHERE COALESCE(NULLIF(pt.loyalty_repurchase_days, 0), cc.days) > 0
            ),
            lines AS (
                SELECT so.company_id, p.commercial_partner_id AS partner_id, sol.product_id,
                       so.date_order::date AS day, sol.product_uom_qty AS qty
                  FROM sale_order_line sol
                  JOIN sale_order so ON so.id = sol.order_id
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.state = 'sale' AND sol.display_type IS NULL
                   AND so.company_id = ANY(%(companies)s) %(sale_partners)s
                   AND sol.product_id IN (SELECT product_id FROM product_cycle)
                 UNION ALL
                SELECT po.company_id, p.commercial_partner_id, pol.product_id,
                       COALESCE(refunded.date_order, po.date_order)::date, pol.qty
                  FROM pos_order_line pol
                  JOIN pos_order po ON po.id = pol.order_id
                  JOIN res_partner p ON p.id = po.partner_id
                  LEFT JOIN pos_order_line refunded_line
                         ON refunded_line.id = pol.refunded_orderline_id
                  LEFT JOIN pos_order refunded ON refunded.id = refunded_line.order_id
                 WHERE po.state IN ('paid', 'done', 'invoiced')
                   AND po.company_id = ANY(%(companies)s) %(pos_partners)s
                   AND pol.product_id IN (SELECT product_id FROM product_cycle)
            )
            SELECT l.company_id, l.partner_id, l.product_id, pc.cycle_days, l.day,
                   SUM(l.qty) AS qty
              FROM lines l JOIN product_cycle pc ON pc.product_id = l.product_id
             GROUP BY l.company_id, l.partner_id, l.product_id, pc.cycle_days, l.day
            HAVING SUM(l.qty) > 0
            """,
            companies=list(company_ids),
            sale_partners=self._loyalty_partner_filter("p.commercial_partner_id", partners),
            pos_partners=self._loyalty_partner_filter("p.commercial_partner_id", partners),
        )

    @api.model
    def _loyalty_refresh(self, companies, today=None, partners=None):
        """Recompute the predictions of ``companies`` (of ``partners`` only, if given) as of
        ``today`` in one statement (rows that do not change are not written), and delete
        those whose purchases are gone. The purchase days are read once, into a temporary
        table both statements use (reading them is most of the cost: a scan of every sales and
        POS line, 3 s for a million)."""
        if not companies:
            return
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("DROP TABLE IF EXISTS loyalty_repurchase_days")
        cr.execute(SQL(
            "CREATE TEMPORARY TABLE loyalty_repurchase_days ON COMMIT DROP AS %s",
            self._loyalty_purchases_sql(companies.ids, partners),
        ))
        cr.execute("ANALYZE loyalty_repurchase_days")
        cr.execute(SQL(
            """
            WITH days AS (SELECT * FROM loyalty_repurchase_days),
            gaps AS (
                SELECT d.*,
                       d.day - LAG(d.day) OVER w AS gap,
                       ROW_NUMBER() OVER (PARTITION BY d.company_id, d.partner_id, d.product_id
                                          ORDER BY d.day DESC) AS recent
                  FROM days d
                WINDOW w AS (PARTITION BY d.company_id, d.partner_id, d.product_id ORDER BY d.day)
            ),
            summary AS (
                SELECT company_id, partner_id, product_id, MAX(cycle_days) AS cycle_days,
                       MAX(day) AS last_date, COUNT(*) AS purchase_count,
                       MAX(qty) FILTER (WHERE recent = 1) AS last_qty,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS median_gap
                  FROM gaps GROUP BY company_id, partner_id, product_id
            ),
            predicted AS (
                SELECT s.*,
                       CASE WHEN s.purchase_count >= %(min_history)s
                            THEN GREATEST(ROUND(s.median_gap::numeric), 1)
                            ELSE CEIL(s.cycle_days * s.last_qty) END::int AS interval_days,
                       CASE WHEN s.purchase_count >= %(min_history)s
                            THEN 'median' ELSE 'cycle' END AS basis_kind,
                       c.loyalty_reminder_lead_days AS lead_days,
                       c.loyalty_reminder_risk_factor AS risk_factor
                  FROM summary s JOIN res_company c ON c.id = s.company_id
            ),
            rows AS (
                SELECT company_id, partner_id, product_id, cycle_days, last_date, last_qty,
                       purchase_count, interval_days, basis_kind,
                       last_date + interval_days AS next_date,
                       last_date + interval_days - lead_days AS remind_date,
                       CASE WHEN %(today)s::date - last_date > risk_factor * interval_days
                                 THEN 'at_risk'
                            WHEN %(today)s::date >= last_date + interval_days - lead_days
                                 THEN 'due'
                            ELSE 'upcoming' END AS status,
                       GREATEST(%(today)s::date - (last_date + interval_days), 0) AS days_late
                  FROM predicted
            )
            INSERT INTO loyalty_repurchase_prediction AS pr (
                company_id, partner_id, product_id, cycle_days, last_date, last_qty,
                purchase_count, interval_days, basis_kind, next_date, remind_date, status,
                days_late, refreshed_on, create_uid, write_uid, create_date, write_date)
            SELECT rows.*, %(today)s, %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC',
                   NOW() AT TIME ZONE 'UTC'
              FROM rows
            ON CONFLICT (company_id, partner_id, product_id) DO UPDATE
               SET cycle_days = EXCLUDED.cycle_days, last_date = EXCLUDED.last_date,
                   last_qty = EXCLUDED.last_qty, purchase_count = EXCLUDED.purchase_count,
                   interval_days = EXCLUDED.interval_days, basis_kind = EXCLUDED.basis_kind,
                   next_date = EXCLUDED.next_date, remind_date = EXCLUDED.remind_date,
                   status = EXCLUDED.status, days_late = EXCLUDED.days_late,
                   refreshed_on = EXCLUDED.refreshed_on, write_uid = EXCLUDED.write_uid,
                   write_date = EXCLUDED.write_date
             WHERE (pr.cycle_days, pr.last_date, pr.last_qty, pr.purchase_count,
                    pr.interval_days, pr.basis_kind, pr.next_date, pr.remind_date, pr.status,
                    pr.days_late)
                   IS DISTINCT FROM
                   (EXCLUDED.cycle_days, EXCLUDED.last_date, EXCLUDED.last_qty,
                    EXCLUDED.purchase_count, EXCLUDED.interval_days, EXCLUDED.basis_kind,
                    EXCLUDED.next_date, EXCLUDED.remind_date, EXCLUDED.status,
                    EXCLUDED.days_late)
            """,
            min_history=HISTORY_MIN_PURCHASES, today=today, uid=self.env.uid,
        ))
        upserted = cr.rowcount
        cr.execute(SQL(
            """
            DELETE FROM loyalty_repurchase_prediction pr
             WHERE pr.company_id = ANY(%(companies)s) %(partner_filter)s
               AND NOT EXISTS (SELECT 1 FROM loyalty_repurchase_days d
                                WHERE d.company_id = pr.company_id
                                  AND d.partner_id = pr.partner_id
                                  AND d.product_id = pr.product_id)
            """,
            companies=companies.ids,
            partner_filter=self._loyalty_partner_filter("pr.partner_id", partners),
        ))
        deleted = cr.rowcount
        cr.execute("DROP TABLE loyalty_repurchase_days")
        self.invalidate_model()
        _logger.info("Repurchase predictions: %s written, %s deleted", upserted, deleted)
