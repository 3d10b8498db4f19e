from odoo import fields, models
from odoo.tools import SQL


class LoyaltyPackageLiabilityReport(models.Model):
    """What the shop still owes its members in prepaid uses, at the sold price.

    One row per active package: a package of N uses is worth its price per use × the uses
    left; a package of unlimited uses over a validity is worth its sold price × the days left
    / the days of its validity (frozen days included in both), all of it before its first use:
    the rule of ``loyalty.package._loyalty_refund_value``. "Today" is the database's date.
    """

    _name = "loyalty.package.liability.report"
    _description = "Prepaid Package Liability"
    _auto = False
    _rec_name = "package_id"
    _order = "company_id, product_id, package_id"

    package_id = fields.Many2one("loyalty.package", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Holder", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    product_id = fields.Many2one("product.product", string="Package Product", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date_sale = fields.Date(string="Sold On", readonly=True)
    date_expiry = fields.Date(string="Valid Until", readonly=True)
    uses_total = fields.Integer(string="Uses Sold", readonly=True, aggregator="sum")
    uses_left = fields.Integer(readonly=True, aggregator="sum")
    days_left = fields.Integer(
        readonly=True, aggregator="sum", help="Unlimited packages: the days of validity left."
    )
    amount = fields.Monetary(string="Sold Price", readonly=True, aggregator="sum")
    price_per_use = fields.Monetary(readonly=True, aggregator="avg")
    liability = fields.Monetary(
        string="Unused Value", readonly=True, aggregator="sum",
        help="What the unused part of the package is worth at the sold price.",
    )

    @property
    def _table_query(self):
        days_left = SQL(
            "GREATEST(p.date_expiry - GREATEST(CURRENT_DATE, p.date_start) + 1, 0)"
        )
        return SQL(
            """
            SELECT p.id, p.id AS package_id, p.partner_id, p.company_id, p.product_id,
                   p.currency_id, p.date_sale, p.date_expiry, p.uses_total,
                   CASE WHEN p.uses_total > 0 THEN GREATEST(p.uses_left, 0) ELSE 0 END
                       AS uses_left,
                   CASE WHEN p.uses_total = 0 AND p.date_expiry IS NOT NULL
                        AND p.date_start IS NOT NULL THEN %(days_left)s ELSE 0 END AS days_left,
                   p.amount, p.price_per_use,
                   ROUND(CASE
                       WHEN p.uses_total > 0 THEN p.price_per_use * GREATEST(p.uses_left, 0)
                       WHEN p.date_start IS NULL OR p.date_expiry IS NULL THEN p.amount
                       ELSE p.amount * %(days_left)s
                            / NULLIF(p.date_expiry - p.date_start + 1, 0)
                   END::numeric / cur.rounding) * cur.rounding AS liability
              FROM loyalty_package p
              JOIN res_currency cur ON cur.id = p.currency_id
             WHERE p.state = 'active'
            """,
            days_left=days_left,
        )
