from odoo import fields, models, tools
from odoo.tools import SQL


class LoyaltyComboSaleReport(models.Model):
    """Combos sold, by the tier of their customer: one row per combo line (not its items) of a
    confirmed sales order or a paid POS order, at the price the combo was sold (its items'
    untaxed amounts, in the company's currency). Credit notes of a sales order lower its row
    (in proportion to the combo quantity refunded); a POS refund is a row of its own, negative,
    with the tier of the order it refunds."""

    _name = "loyalty.combo.sale.report"
    _description = "Combo Sales by Tier"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "product_id"

    date = fields.Datetime(readonly=True)
    origin = fields.Selection(
        [("sale", "Sales Order"), ("pos", "Point of Sale")], string="Sold In", readonly=True
    )
    sale_order_id = fields.Many2one("sale.order", string="Sales Order", readonly=True)
    pos_order_id = fields.Many2one("pos.order", string="POS Order", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    product_id = fields.Many2one("product.product", string="Combo", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", string="Combo Product", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    tier_id = fields.Many2one(
        "loyalty.tier",
        string="Tier at Sale",
        readonly=True,
        help="The customer's membership tier when the combo was sold, from the tier history "
        "(before any upgrade the order itself earned); the member's current tier for cards "
        "without history; empty for customers who were not members then.",
    )
    quantity = fields.Float(readonly=True, digits="Product Unit of Measure")
    revenue = fields.Monetary(
        currency_field="currency_id",
        readonly=True,
        help="The combo's price as sold (its items' amounts without taxes), less refunds, in "
        "the company's currency.",
    )

    def _loyalty_lines_query(self):
        """The combo lines of both channels, with the order whose date and customer decide the
        tier (for a POS refund, the order it refunds)."""
        return """
            SELECT sol.id * 2 AS id,
                   'sale' AS origin,
                   so.id AS sale_order_id,
                   NULL::integer AS pos_order_id,
                   so.date_order AS date,
                   so.company_id,
                   sol.product_id,
                   pp.product_tmpl_id,
                   so.partner_id,
                   so.date_order AS tier_date,
                   so.id AS tier_sale_order_id,
                   NULL::integer AS tier_pos_order_id,
                   sol.product_uom_qty - COALESCE(rf.qty, 0) AS quantity,
                   COALESCE(items.amount, 0)
                       * (CASE WHEN sol.product_uom_qty > 0
                               THEN (sol.product_uom_qty - COALESCE(rf.qty, 0))
                                    / sol.product_uom_qty
                               ELSE 0 END)
                       / COALESCE(NULLIF(so.currency_rate, 0), 1) AS revenue
              FROM sale_order_line sol
              JOIN sale_order so ON so.id = sol.order_id
              JOIN product_product pp ON pp.id = sol.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              LEFT JOIN LATERAL (
                    SELECT SUM(item.price_subtotal) AS amount
                      FROM sale_order_line item
                     WHERE item.linked_line_id = sol.id AND item.combo_item_id IS NOT NULL
              ) items ON TRUE
              LEFT JOIN LATERAL (
                    SELECT SUM(aml.quantity) AS qty
                      FROM sale_order_line_invoice_rel rel
                      JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                      JOIN account_move am ON am.id = aml.move_id
                     WHERE rel.order_line_id = sol.id
                       AND am.move_type = 'out_refund' AND am.state = 'posted'
              ) rf ON TRUE
             WHERE pt.type = 'combo' AND so.state = 'sale' AND sol.combo_item_id IS NULL
            UNION ALL
            SELECT pol.id * 2 + 1,
                   'pos',
                   NULL::integer,
                   po.id,
                   po.date_order,
                   po.company_id,
                   pol.product_id,
                   pp.product_tmpl_id,
                   COALESCE(orig.partner_id, po.partner_id),
                   COALESCE(orig.date_order, po.date_order),
                   NULL::integer,
                   COALESCE(orig.id, po.id),
                   pol.qty,
                   COALESCE(
                       items.amount,
                       orig_items.amount * pol.qty / NULLIF(opl.qty, 0),
                       0
                   ) / COALESCE(NULLIF(po.currency_rate, 0), 1)
              FROM pos_order_line pol
              JOIN pos_order po ON po.id = pol.order_id
              JOIN product_product pp ON pp.id = pol.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              LEFT JOIN pos_order_line opl ON opl.id = pol.refunded_orderline_id
              LEFT JOIN pos_order orig ON orig.id = opl.order_id
              LEFT JOIN LATERAL (
                    SELECT SUM(item.price_subtotal) AS amount
                      FROM pos_order_line item
                     WHERE item.combo_parent_id = pol.id
              ) items ON TRUE
              LEFT JOIN LATERAL (
                    SELECT SUM(item.price_subtotal) AS amount
                      FROM pos_order_line item
                     WHERE item.combo_parent_id = opl.id
              ) orig_items ON TRUE
             WHERE pt.type = 'combo' AND pol.combo_parent_id IS NULL
               AND po.state IN ('paid', 'done', 'invoiced')
        """

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                SELECT line.id, line.origin, line.sale_order_id, line.pos_order_id, line.date,
                       line.company_id, line.product_id, line.product_tmpl_id, line.partner_id,
                       COALESCE(past.new_tier_id, current_card.tier_id) AS tier_id,
                       line.quantity, line.revenue
                  FROM (%s) line
                  LEFT JOIN LATERAL (
                        SELECT history.new_tier_id
                          FROM loyalty_tier_history history
                         WHERE history.partner_id = line.partner_id
                           AND history.company_id = line.company_id
                           AND history.date <= line.tier_date
                           -- not the upgrade the order itself earned
                           AND COALESCE(history.sale_order_id != line.tier_sale_order_id, TRUE)
                           AND COALESCE(history.pos_order_id != line.tier_pos_order_id, TRUE)
                         ORDER BY history.date DESC, history.id DESC
                         LIMIT 1
                  ) past ON TRUE
                  LEFT JOIN LATERAL (
                        SELECT card.tier_id
                          FROM loyalty_card card
                         WHERE card.partner_id = line.partner_id
                           AND card.company_id = line.company_id
                           AND card.is_membership
                           AND NOT EXISTS (
                                SELECT 1 FROM loyalty_tier_history h WHERE h.card_id = card.id
                           )
                         ORDER BY card.id
                         LIMIT 1
                  ) current_card ON TRUE
            )
                """,
                SQL.identifier(self._table),
                SQL(self._loyalty_lines_query()),
            )
        )
