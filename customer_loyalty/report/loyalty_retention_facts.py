"""The retention facts: every order of both channels, once, as the analytics read them.

Two materialized views, refreshed set-wise by ``loyalty.retention.order._loyalty_refresh()`` (the
daily cron, and the dashboard's Refresh button): the retention reports, the RFM segments and the
dashboard aggregate these tables instead of reading the order lines of Sales and the POS again,
so that each figure is one aggregate over an indexed table whatever the size of the history.

- ``loyalty.retention.line``: one row per line of a confirmed sales order or a paid POS order,
  plus a negative row per posted credit-note line of a sales order line and per POS refund line,
  both folded into the order they refund (its date, customer, salesperson and shop).
- ``loyalty.retention.order``: one row per order, with its gross and refunded revenue, whether
  it counts as a purchase (a customer, not fully refunded) and, for the orders that count, the
  customer's order number, first order, cohort and the days since the previous order.

Amounts are untaxed, in the company's currency. Days are UTC dates of ``date_order``.
"""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

ORIGINS = [("sale", "Sales Order"), ("pos", "Point of Sale")]
REFRESHED_AT_PARAM = "customer_loyalty.retention_refreshed_at"

# Whether the line's order was refunded in full and whether it counts as a purchase (a
# customer, not refunded in full) are defined here, once, on each line (a category filter then
# needs no order); the order facts take them from their lines.
LINES_QUERY = """
  SELECT flagged.*,
         (flagged.partner_id IS NOT NULL AND NOT flagged.order_is_refunded) AS order_is_counted
    FROM (
  SELECT line.*,
         COALESCE(
              SUM(line.revenue) FILTER (WHERE NOT line.is_refund) OVER order_lines > 0
              AND COALESCE(-SUM(line.revenue) FILTER (WHERE line.is_refund) OVER order_lines, 0)
                  >= SUM(line.revenue) FILTER (WHERE NOT line.is_refund) OVER order_lines,
              FALSE) AS order_is_refunded
    FROM (
    SELECT sol.id * 4 AS id,
           so.id * 2 AS order_id,
           'sale'::varchar AS origin,
           so.id AS sale_order_id,
           NULL::integer AS pos_order_id,
           so.date_order AS date,
           so.date_order::date AS day,
           so.company_id,
           partner.commercial_partner_id AS partner_id,
           so.user_id,
           so.team_id,
           NULL::integer AS config_id,
           sol.product_id,
           pt.categ_id,
           sol.product_uom_qty AS quantity,
           sol.price_subtotal / COALESCE(NULLIF(so.currency_rate, 0), 1) AS revenue,
           FALSE AS is_refund
      FROM sale_order_line sol
      JOIN sale_order so ON so.id = sol.order_id
      JOIN res_partner partner ON partner.id = so.partner_id
      LEFT JOIN product_product pp ON pp.id = sol.product_id
      LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
     WHERE so.state = 'sale'
       AND sol.display_type IS NULL
       AND NOT COALESCE(sol.is_downpayment, FALSE)
    UNION ALL
    -- the posted credit notes of sales order lines, as negative lines of the order
    SELECT aml.id * 4 + 1,
           so.id * 2,
           'sale',
           so.id,
           NULL,
           so.date_order,
           so.date_order::date,
           so.company_id,
           partner.commercial_partner_id,
           so.user_id,
           so.team_id,
           NULL,
           sol.product_id,
           pt.categ_id,
           -aml.quantity,
           -aml.balance,
           TRUE
      FROM account_move_line aml
      JOIN account_move am ON am.id = aml.move_id
      JOIN LATERAL (
            SELECT MIN(rel.order_line_id) AS order_line_id
              FROM sale_order_line_invoice_rel rel
             WHERE rel.invoice_line_id = aml.id
      ) link ON link.order_line_id IS NOT NULL
      JOIN sale_order_line sol ON sol.id = link.order_line_id
      JOIN sale_order so ON so.id = sol.order_id
      JOIN res_partner partner ON partner.id = so.partner_id
      LEFT JOIN product_product pp ON pp.id = sol.product_id
      LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
     WHERE am.move_type = 'out_refund' AND am.state = 'posted'
       AND aml.display_type = 'product'
       AND so.state = 'sale'
       AND sol.display_type IS NULL
       AND NOT COALESCE(sol.is_downpayment, FALSE)
    UNION ALL
    -- POS lines; a refund line belongs to the order it refunds
    SELECT pol.id * 4 + 2,
           COALESCE(orig.id, po.id) * 2 + 1,
           'pos',
           NULL,
           COALESCE(orig.id, po.id),
           COALESCE(orig.date_order, po.date_order),
           COALESCE(orig.date_order, po.date_order)::date,
           COALESCE(orig.company_id, po.company_id),
           partner.commercial_partner_id,
           COALESCE(orig.user_id, po.user_id),
           COALESCE(orig.crm_team_id, po.crm_team_id),
           COALESCE(orig.config_id, po.config_id),
           pol.product_id,
           pt.categ_id,
           pol.qty,
           pol.price_subtotal / COALESCE(NULLIF(po.currency_rate, 0), 1),
           opl.id IS NOT NULL
      FROM pos_order_line pol
      JOIN pos_order po ON po.id = pol.order_id
      LEFT JOIN pos_order_line opl ON opl.id = pol.refunded_orderline_id
      LEFT JOIN pos_order orig ON orig.id = opl.order_id
      LEFT JOIN res_partner partner ON partner.id = COALESCE(orig.partner_id, po.partner_id)
      LEFT JOIN product_product pp ON pp.id = pol.product_id
      LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
     WHERE po.state IN ('paid', 'done', 'invoiced')
       AND (orig.id IS NULL OR orig.state IN ('paid', 'done', 'invoiced'))
    ) line
  WINDOW order_lines AS (PARTITION BY line.order_id)
    ) flagged
"""

# One row per order from its lines; then the customer's sequence of the orders that count.
ORDERS_QUERY = """
    WITH orders AS (
        SELECT line.order_id AS id,
               MIN(line.origin) AS origin,
               MIN(line.sale_order_id) AS sale_order_id,
               MIN(line.pos_order_id) AS pos_order_id,
               MIN(line.date) AS date,
               MIN(line.day) AS day,
               MIN(line.company_id) AS company_id,
               MIN(line.partner_id) AS partner_id,
               MIN(line.user_id) AS user_id,
               MIN(line.team_id) AS team_id,
               MIN(line.config_id) AS config_id,
               COALESCE(SUM(line.revenue) FILTER (WHERE NOT line.is_refund), 0) AS gross_revenue,
               COALESCE(-SUM(line.revenue) FILTER (WHERE line.is_refund), 0) AS refunded_revenue,
               BOOL_AND(line.order_is_refunded) AS is_refunded,
               BOOL_AND(line.order_is_counted) AS is_counted
          FROM loyalty_retention_line line
         GROUP BY line.order_id
    ), counted AS (
        SELECT orders.*, orders.gross_revenue - orders.refunded_revenue AS revenue
          FROM orders
    )
    SELECT counted.id,
           counted.origin,
           counted.sale_order_id,
           counted.pos_order_id,
           COALESCE(so.name, po.name) AS name,
           counted.date,
           counted.day,
           date_trunc('month', counted.day)::date AS month,
           counted.company_id,
           counted.partner_id,
           counted.user_id,
           counted.team_id,
           counted.config_id,
           COALESCE(past.new_tier_id, upcoming.old_tier_id, current_card.tier_id) AS tier_id,
           counted.gross_revenue,
           counted.refunded_revenue,
           counted.revenue,
           counted.is_refunded,
           counted.is_counted,
           CASE WHEN counted.is_counted THEN ROW_NUMBER() OVER customer END
               AS customer_order_number,
           CASE WHEN counted.is_counted THEN FIRST_VALUE(counted.day) OVER customer END
               AS first_day,
           CASE WHEN counted.is_counted
                THEN date_trunc('month', FIRST_VALUE(counted.day) OVER customer)::date END
               AS cohort_month,
           CASE WHEN counted.is_counted THEN LAG(counted.day) OVER customer END AS previous_day,
           CASE WHEN counted.is_counted THEN counted.day - LAG(counted.day) OVER customer END
               AS days_since_previous,
           CASE WHEN counted.is_counted THEN LEAD(counted.day) OVER customer END AS next_day
      FROM counted
      LEFT JOIN sale_order so ON so.id = counted.sale_order_id
      LEFT JOIN pos_order po ON po.id = counted.pos_order_id
      LEFT JOIN LATERAL (
            SELECT history.new_tier_id
              FROM loyalty_tier_history history
             WHERE history.partner_id = counted.partner_id
               AND history.company_id = counted.company_id
               AND history.date <= counted.date
               -- not the upgrade the order itself earned
               AND NOT COALESCE(history.sale_order_id = counted.sale_order_id
                                OR history.pos_order_id = counted.pos_order_id, FALSE)
             ORDER BY history.date DESC, history.id DESC
             LIMIT 1
      ) past ON counted.partner_id IS NOT NULL
      -- no change before the order: the tier the first change after it (or its own) started from
      LEFT JOIN LATERAL (
            SELECT history.old_tier_id
              FROM loyalty_tier_history history
             WHERE history.partner_id = counted.partner_id
               AND history.company_id = counted.company_id
               AND (history.date > counted.date
                    OR history.sale_order_id = counted.sale_order_id
                    OR history.pos_order_id = counted.pos_order_id)
             ORDER BY history.date, history.id
             LIMIT 1
      ) upcoming ON counted.partner_id IS NOT NULL AND past.new_tier_id IS NULL
      LEFT JOIN LATERAL (
            SELECT card.tier_id
              FROM loyalty_card card
             WHERE card.partner_id = counted.partner_id
               AND card.company_id = counted.company_id
               AND card.is_membership
               AND NOT EXISTS (
                    SELECT 1 FROM loyalty_tier_history h WHERE h.card_id = card.id
               )
             ORDER BY card.id
             LIMIT 1
      ) current_card ON counted.partner_id IS NOT NULL
    -- the counted orders first in each customer's window, so that the window's frame counts them
    WINDOW customer AS (
        PARTITION BY counted.company_id, counted.partner_id, counted.is_counted
        ORDER BY counted.day, counted.date, counted.id
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
"""


class LoyaltyRetentionLine(models.Model):
    """One row per order line of Sales and the POS, refunds as negative rows of the order they
    refund. A materialized view: see ``loyalty.retention.order._loyalty_refresh``."""

    _name = "loyalty.retention.line"
    _description = "Retention Facts: Order Lines"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "product_id"

    order_id = fields.Many2one("loyalty.retention.order", readonly=True)
    origin = fields.Selection(ORIGINS, string="Sold In", readonly=True)
    sale_order_id = fields.Many2one("sale.order", string="Sales Order", readonly=True)
    pos_order_id = fields.Many2one("pos.order", string="POS Order", readonly=True)
    date = fields.Datetime(string="Order Date", readonly=True)
    day = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    config_id = fields.Many2one("pos.config", string="Shop", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    quantity = fields.Float(readonly=True, digits="Product Unit of Measure")
    revenue = fields.Monetary(
        currency_field="currency_id", readonly=True,
        help="Untaxed, in the company's currency; negative for refunds.",
    )
    is_refund = fields.Boolean(string="Refund", readonly=True)
    order_is_refunded = fields.Boolean(
        string="Order Refunded in Full", readonly=True,
        help="The line's order was refunded in full: it does not count as a purchase.",
    )
    order_is_counted = fields.Boolean(
        string="Order Counts as a Purchase", readonly=True,
        help="The line's order is of a known customer and was not refunded in full.",
    )

    def init(self):
        # Both views are (re)built here, the lines' first: the orders' view reads it.
        cr = self.env.cr
        cr.execute("DROP MATERIALIZED VIEW IF EXISTS loyalty_retention_order CASCADE")
        cr.execute("DROP MATERIALIZED VIEW IF EXISTS loyalty_retention_line CASCADE")
        cr.execute(SQL("CREATE MATERIALIZED VIEW loyalty_retention_line AS (%s)", SQL(LINES_QUERY)))
        cr.execute(
            "CREATE UNIQUE INDEX loyalty_retention_line_id_idx ON loyalty_retention_line (id)"
        )
        cr.execute(
            "CREATE INDEX loyalty_retention_line_order_idx ON loyalty_retention_line (order_id)"
        )
        cr.execute(
            "CREATE INDEX loyalty_retention_line_company_day_idx "
            "ON loyalty_retention_line (company_id, day)"
        )
        cr.execute(
            "CREATE INDEX loyalty_retention_line_categ_idx "
            "ON loyalty_retention_line (categ_id, order_id)"
        )
        cr.execute(
            SQL("CREATE MATERIALIZED VIEW loyalty_retention_order AS (%s)", SQL(ORDERS_QUERY))
        )
        cr.execute(
            "CREATE UNIQUE INDEX loyalty_retention_order_id_idx ON loyalty_retention_order (id)"
        )
        cr.execute(
            "CREATE INDEX loyalty_retention_order_partner_idx "
            "ON loyalty_retention_order (company_id, partner_id, day)"
        )
        cr.execute(
            "CREATE INDEX loyalty_retention_order_day_idx "
            "ON loyalty_retention_order (company_id, day)"
        )


class LoyaltyRetentionOrder(models.Model):
    """One row per order of Sales and the POS (POS refunds folded into the order they refund),
    with the customer's order sequence. A materialized view, as ``loyalty.retention.line``."""

    _name = "loyalty.retention.order"
    _description = "Retention Facts: Orders"
    _auto = False
    _order = "date desc, id desc"

    origin = fields.Selection(ORIGINS, string="Sold In", readonly=True)
    sale_order_id = fields.Many2one("sale.order", string="Sales Order", readonly=True)
    pos_order_id = fields.Many2one("pos.order", string="POS Order", readonly=True)
    name = fields.Char(string="Order", readonly=True)
    date = fields.Datetime(string="Order Date", readonly=True)
    day = fields.Date(readonly=True)
    month = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    config_id = fields.Many2one("pos.config", string="Shop", readonly=True)
    tier_id = fields.Many2one(
        "loyalty.tier", string="Tier at Order", readonly=True,
        help="The customer's membership tier when the order was placed (before any upgrade the "
        "order itself earned); empty for customers who were not members.",
    )
    line_ids = fields.One2many("loyalty.retention.line", "order_id", readonly=True)
    gross_revenue = fields.Monetary(currency_field="currency_id", readonly=True)
    refunded_revenue = fields.Monetary(currency_field="currency_id", readonly=True)
    revenue = fields.Monetary(
        string="Net Revenue", currency_field="currency_id", readonly=True,
        help="The order's untaxed amount less its refunds, in the company's currency.",
    )
    is_refunded = fields.Boolean(
        string="Fully Refunded", readonly=True,
        help="Refunded in full: the order does not count as a purchase.",
    )
    is_counted = fields.Boolean(
        string="Counts as a Purchase", readonly=True,
        help="An order of a known customer that was not refunded in full.",
    )
    customer_order_number = fields.Integer(
        string="Customer's Order No.", readonly=True, aggregator="max",
        help="1 for the customer's first order in the company, 2 for the second...",
    )
    first_day = fields.Date(string="Customer's First Order", readonly=True)
    cohort_month = fields.Date(readonly=True)
    previous_day = fields.Date(string="Previous Order", readonly=True)
    days_since_previous = fields.Integer(readonly=True, aggregator="avg")
    next_day = fields.Date(
        string="Next Order", readonly=True,
        help="The day of the customer's next counted order in the company, if any.",
    )

    def init(self):
        # Created by loyalty.retention.line's init (this view reads that one).
        return

    @api.model
    def _loyalty_refresh(self):
        """Rebuild both views from the orders, set-wise (two statements). Concurrent refreshes
        let readers read the previous figures meanwhile. Pending ORM writes are flushed first:
        the views read the tables."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY loyalty_retention_line")
        cr.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY loyalty_retention_order")
        self.env["loyalty.retention.line"].invalidate_model()
        self.invalidate_model()
        now = fields.Datetime.to_string(fields.Datetime.now())
        self.env["ir.config_parameter"].sudo().set_param(REFRESHED_AT_PARAM, now)
        return now

    @api.model
    def _cron_refresh_retention(self):
        self._loyalty_refresh()

    def action_loyalty_refresh(self):
        """The Refresh button of the reports: loyalty managers only."""
        if not self.env.user.has_group("customer_loyalty.group_loyalty_manager"):
            raise AccessError(_("Only loyalty managers can refresh the retention figures."))
        self.sudo()._loyalty_refresh()
        return True

    @api.model
    def _loyalty_refreshed_at(self):
        value = self.env["ir.config_parameter"].sudo().get_param(REFRESHED_AT_PARAM)
        return fields.Datetime.to_datetime(value) if value else False
