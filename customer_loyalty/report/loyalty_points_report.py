from odoo import fields, models
from odoo.tools import SQL

# What a ledger line of a member card does, by its type (see loyalty_history.py and the
# README's "Points and the ledger"):
# - issued: points earned on orders and gifts, less what refunds and cancellations took back
#   (a refund line takes back ``used - issued`` of the earned points, a cancellation ``used``);
# - redeemed: points spent on orders, less what refunds and cancellations gave back
#   (``issued - used`` of a "points returned" line, ``issued`` of a cancellation);
# - expired: what expiry lines took;
# - adjusted: manual adjustments and opening balances, net;
# - moved: points moved between cards by a contact merge (zero over both cards).
# So issued - redeemed - expired + adjusted + moved of a card's lines is its balance.
ISSUED_SQL = """CASE h.entry_type WHEN 'order' THEN h.issued WHEN 'gift' THEN h.issued
                    WHEN 'refund' THEN h.issued - h.used WHEN 'reversal' THEN -h.used
                    ELSE 0 END"""
REDEEMED_SQL = """CASE h.entry_type WHEN 'order' THEN h.used
                      WHEN 'refund_redeemed' THEN h.used - h.issued
                      WHEN 'reversal' THEN -h.issued ELSE 0 END"""
EXPIRED_SQL = "CASE WHEN h.entry_type = 'expiry' THEN h.used - h.issued ELSE 0 END"
ADJUSTED_SQL = "CASE WHEN h.entry_type IN ('adjustment', 'other') THEN h.issued - h.used ELSE 0 END"
MOVED_SQL = "CASE WHEN h.entry_type = 'merge' THEN h.issued - h.used ELSE 0 END"

# The lines of the member cards, with the order behind each (its salesperson and shop, from the
# retention facts: a sales order's fact id is its id * 2, a POS order's id * 2 + 1).
LEDGER_FROM_SQL = """
      FROM loyalty_history h
      JOIN loyalty_card card ON card.id = h.card_id
      LEFT JOIN loyalty_retention_order o
             ON o.id = CASE h.order_model WHEN 'sale.order' THEN h.order_id * 2
                                          WHEN 'pos.order' THEN h.order_id * 2 + 1 END
     WHERE card.is_membership
"""


class LoyaltyPointsReport(models.Model):
    """The points ledger of member cards as figures: issued, redeemed, expired, adjusted per
    line, to group by month, company, tier, salesperson, shop."""

    _name = "loyalty.points.report"
    _description = "Points Issued and Redeemed"
    _auto = False
    _order = "date desc, id desc"

    date = fields.Datetime(readonly=True)
    card_id = fields.Many2one("loyalty.card", string="Member Card", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Member", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    tier_id = fields.Many2one(
        "loyalty.tier", string="Current Tier", readonly=True,
        help="The member's tier today (the ledger does not keep the tier of each line).",
    )
    entry_type = fields.Selection(
        selection=lambda self: self.env["loyalty.history"]._fields["entry_type"].selection,
        string="Type", readonly=True,
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    config_id = fields.Many2one("pos.config", string="Shop", readonly=True)
    points_issued = fields.Float(string="Issued", readonly=True, aggregator="sum")
    points_redeemed = fields.Float(string="Redeemed", readonly=True, aggregator="sum")
    points_expired = fields.Float(string="Expired", readonly=True, aggregator="sum")
    points_adjusted = fields.Float(string="Adjusted", readonly=True, aggregator="sum")
    points_moved = fields.Float(string="Moved by Merges", readonly=True, aggregator="sum")

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT h.id, h.create_date AS date, h.card_id, card.partner_id, card.company_id,
                   card.tier_id, h.entry_type, o.user_id, o.config_id,
                   %(issued)s AS points_issued, %(redeemed)s AS points_redeemed,
                   %(expired)s AS points_expired, %(adjusted)s AS points_adjusted,
                   %(moved)s AS points_moved
            %(from)s
            """,
            issued=SQL(ISSUED_SQL), redeemed=SQL(REDEEMED_SQL), expired=SQL(EXPIRED_SQL),
            adjusted=SQL(ADJUSTED_SQL), moved=SQL(MOVED_SQL), **{"from": SQL(LEDGER_FROM_SQL)},
        )
