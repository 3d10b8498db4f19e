from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.loyalty_feedback_request import SCALES, TRIGGERS

# The ratios of the report, computed from the counts of the rows grouped, whatever the
# grouping: an average of per-row ratios would weigh a salesperson with 2 answers like one
# with 200.
RATIOS = {
    "response_rate": "100.0 * SUM(%(t)s.answered_count) / NULLIF(SUM(%(t)s.sent_count), 0)",
    "nps": "100.0 * (SUM(%(t)s.promoter_count) - SUM(%(t)s.detractor_count))"
           " / NULLIF(SUM(%(t)s.nps_count), 0)",
    "csat": "SUM(%(t)s.csat_sum)::float / NULLIF(SUM(%(t)s.csat_count), 0)",
    "ces": "SUM(%(t)s.ces_sum)::float / NULLIF(SUM(%(t)s.ces_count), 0)",
}


class LoyaltyFeedbackReport(models.Model):
    """Customer feedback figures: one row per question sent (not the ones consent stopped),
    by the date it was sent, salesperson, sales team, shop, tier at the order and company.

    Counts are plain sums; the ratios (response rate, NPS = % promoters (9-10) - % detractors
    (0-6), CSAT and CES averages) are computed from the sums of the group
    (``_read_group_select``), so totals and subtotals are right in pivot, graph and list."""

    _name = "loyalty.feedback.report"
    _description = "Customer Feedback Report"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    date = fields.Datetime(string="Sent On", readonly=True)
    answer_date = fields.Datetime(string="Answered On", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    pos_config_id = fields.Many2one("pos.config", string="Shop", readonly=True)
    tier_id = fields.Many2one("loyalty.tier", string="Tier at Order", readonly=True)
    scale = fields.Selection(SCALES, readonly=True)
    trigger = fields.Selection(TRIGGERS, string="Asked", readonly=True)
    request_id = fields.Many2one("loyalty.feedback.request", readonly=True)
    sent_count = fields.Integer(string="Sent", readonly=True)
    answered_count = fields.Integer(string="Answered", readonly=True)
    nps_count = fields.Integer(string="NPS Answers", readonly=True)
    promoter_count = fields.Integer(string="Promoters", readonly=True)
    detractor_count = fields.Integer(string="Detractors", readonly=True)
    csat_count = fields.Integer(string="CSAT Answers", readonly=True)
    csat_sum = fields.Integer(string="CSAT Total", readonly=True)
    ces_count = fields.Integer(string="CES Answers", readonly=True)
    ces_sum = fields.Integer(string="CES Total", readonly=True)
    response_rate = fields.Float(string="Response Rate (%)", readonly=True, aggregator="avg",
                                 digits=(16, 1))
    nps = fields.Float(string="NPS", readonly=True, aggregator="avg", digits=(16, 1),
                       help="% of promoters (9-10) minus % of detractors (0-6), from -100 to 100.")
    csat = fields.Float(string="CSAT", readonly=True, aggregator="avg", digits=(16, 2),
                        help="Average satisfaction, 1 to 5.")
    ces = fields.Float(string="CES", readonly=True, aggregator="avg", digits=(16, 2),
                       help="Average effort, 1 (very easy) to 7 (very difficult).")

    def _read_group_select(self, aggregate_spec, query):
        fname, _property, func = models.parse_read_group_spec(aggregate_spec)
        if fname in RATIOS and func not in ("count", "count_distinct", "array_agg", "recordset"):
            return SQL(RATIOS[fname], t=SQL.identifier(self._table))
        return super()._read_group_select(aggregate_spec, query)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL(
            """
            CREATE OR REPLACE VIEW %s AS (
                SELECT r.id, r.id AS request_id, r.sent_date AS date, r.answer_date,
                       r.company_id, r.partner_id, r.user_id, r.team_id, r.pos_config_id,
                       r.tier_id, r.scale, r.trigger,
                       1 AS sent_count,
                       (r.state = 'answered')::int AS answered_count,
                       (r.state = 'answered' AND r.scale = 'nps')::int AS nps_count,
                       (r.state = 'answered' AND r.scale = 'nps' AND r.score >= 9)::int
                           AS promoter_count,
                       (r.state = 'answered' AND r.scale = 'nps' AND r.score <= 6)::int
                           AS detractor_count,
                       (r.state = 'answered' AND r.scale = 'csat')::int AS csat_count,
                       CASE WHEN r.state = 'answered' AND r.scale = 'csat' THEN r.score ELSE 0 END
                           AS csat_sum,
                       (r.state = 'answered' AND r.scale = 'ces')::int AS ces_count,
                       CASE WHEN r.state = 'answered' AND r.scale = 'ces' THEN r.score ELSE 0 END
                           AS ces_sum,
                       100.0 * (r.state = 'answered')::int AS response_rate,
                       CASE WHEN r.state = 'answered' AND r.scale = 'nps'
                            THEN CASE WHEN r.score >= 9 THEN 100.0
                                      WHEN r.score <= 6 THEN -100.0 ELSE 0.0 END END AS nps,
                       CASE WHEN r.state = 'answered' AND r.scale = 'csat' THEN r.score END
                           ::float AS csat,
                       CASE WHEN r.state = 'answered' AND r.scale = 'ces' THEN r.score END
                           ::float AS ces
                  FROM loyalty_feedback_request r
                 WHERE r.state != 'skipped'
            )
            """,
            SQL.identifier(self._table),
        ))
