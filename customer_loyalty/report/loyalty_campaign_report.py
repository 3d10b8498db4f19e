from odoo import fields, models, tools
from odoo.tools import SQL
from odoo.tools.sql import create_index

# Every source of contact events gets a slot of the row id (event id * ID_SLOTS + slot), so that
# the ids of the union stay unique and stable; the slots 4 to 7 are free for the next sources.
ID_SLOTS = 8

EVENT_TYPES = [
    ("welcome", "Welcome gift"),
    ("birthday", "Birthday gift"),
    ("anniversary", "Anniversary gift"),
    ("reminder", "Repurchase reminder"),
    ("care", "After-sales care"),
    ("welcome_email", "Welcome e-mail"),
    ("welcome_call", "Welcome call"),
]


class LoyaltyCampaignReport(models.Model):
    """Did contacting the customer bring an order? One row per contact event (a gift of the
    gift journal, a repurchase reminder message, a care step or a welcome of the care journal)
    with the customer's first order within the company's campaign window after it (Sales or
    POS, in the event's company, by the commercial partner) and that order's revenue net of its
    refunds.

    An order counts when it is a confirmed sales order or a paid POS order whose untaxed amount,
    less its credit notes (posted ``out_refund`` lines of its lines) or its POS refunds, is
    positive: a fully refunded order converts nothing. The revenue is that net untaxed amount, in
    the company's currency. The orders are read from the retention facts
    (``loyalty.retention.order``, indexed on company, customer and day; refreshed nightly), so
    an order shows here once the facts are refreshed. A view over a materialized view: this
    file is imported after ``loyalty_retention_facts`` (whose rebuild drops it), so that its
    ``init`` creates it again after them.
    """

    _name = "loyalty.campaign.report"
    _description = "Campaign Results"
    _auto = False
    _order = "event_date desc, id desc"
    _rec_name = "event_type"

    event_type = fields.Selection(EVENT_TYPES, string="Contact", readonly=True)
    event_date = fields.Datetime(string="Contacted On", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    tier_id = fields.Many2one(
        "loyalty.tier", readonly=True, help="The tier of the gift (empty for reminders)."
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True,
        help="The salesperson of the reminder (empty for gifts).",
    )
    window_end = fields.Datetime(string="Window Ends", readonly=True)
    origin = fields.Selection(
        [("sale", "Sales Order"), ("pos", "Point of Sale")], string="Ordered In", readonly=True
    )
    sale_order_id = fields.Many2one("sale.order", string="Sales Order", readonly=True)
    pos_order_id = fields.Many2one("pos.order", string="POS Order", readonly=True)
    order_date = fields.Datetime(readonly=True)
    campaign_id = fields.Many2one(
        "utm.campaign", string="UTM Campaign", readonly=True,
        help="The UTM campaign of the sales order that followed (a reminder's conversion "
        "carries the Repurchase reminders campaign).",
    )
    days_to_order = fields.Integer(string="Days to Order", readonly=True, aggregator="avg")
    contacts = fields.Integer(readonly=True)
    converted = fields.Integer(readonly=True)
    conversion_rate = fields.Float(
        string="Conversion Rate (%)", readonly=True, aggregator="avg",
        help="The share of the contacts followed by an order within the window.",
    )
    revenue = fields.Monetary(
        currency_field="currency_id", readonly=True,
        help="The untaxed amount of the first order within the window, less its refunds.",
    )

    def _loyalty_events_query(self):
        """The contact events: ``id, event_type, event_date, company_id, partner_id, tier_id,
        user_id``. One SELECT per source, joined by UNION ALL; the id is the source's id times
        ID_SLOTS plus the source's slot.

        To add a source, append a SELECT here with the next free slot (4, 5...) and add its
        event type to EVENT_TYPES."""
        return SQL(
            """
            SELECT gift.id * %(slots)s + 1 AS id, gift.occasion AS event_type,
                   gift.create_date AS event_date, gift.company_id, gift.partner_id,
                   gift.tier_id, NULL::integer AS user_id
              FROM loyalty_member_gift gift
             UNION ALL
            SELECT reminder.id * %(slots)s + 2, 'reminder', reminder.sent_at,
                   reminder.company_id, reminder.partner_id, NULL, reminder.user_id
              FROM loyalty_repurchase_reminder reminder
             WHERE reminder.id = reminder.lead_id AND reminder.sent_at IS NOT NULL
             UNION ALL
            -- the care journal: care steps and welcomes done (e-mail sent or call planned)
            SELECT care.id * %(slots)s + 3,
                   CASE WHEN care.kind = 'step' THEN 'care' ELSE care.kind END,
                   care.contacted_at, care.company_id, care.partner_id, care.tier_id,
                   care.user_id
              FROM loyalty_care_event care
             WHERE care.state = 'done' AND care.contacted_at IS NOT NULL
            """,
            slots=ID_SLOTS,
        )

    def _loyalty_query(self):
        return SQL(
            """
            WITH events AS (%(events)s)
            SELECT e.id, e.event_type, e.event_date, e.company_id, e.partner_id, e.tier_id,
                   e.user_id, e.event_date + make_interval(days => w.days) AS window_end,
                   o.origin, o.sale_order_id, o.pos_order_id, o.order_date, o.campaign_id,
                   (o.order_date::date - e.event_date::date) AS days_to_order,
                   1 AS contacts,
                   (o.order_date IS NOT NULL)::integer AS converted,
                   CASE WHEN o.order_date IS NOT NULL THEN 100.0 ELSE 0.0 END
                       AS conversion_rate,
                   COALESCE(o.revenue, 0.0) AS revenue
              FROM events e
              JOIN res_company c ON c.id = e.company_id
              JOIN res_partner customer ON customer.id = e.partner_id
             CROSS JOIN LATERAL (
                 SELECT COALESCE(NULLIF(c.loyalty_campaign_window_days, 0),
                                 c.loyalty_reminder_conversion_days) AS days
             ) w
              -- the first order of the retention facts in the window (Sales or POS, refunds
              -- folded in: an order refunded in full converts nothing)
              LEFT JOIN LATERAL (
                  SELECT f.origin, f.sale_order_id, f.pos_order_id, f.date AS order_date,
                         so.campaign_id, f.revenue
                    FROM loyalty_retention_order f
                    LEFT JOIN sale_order so ON so.id = f.sale_order_id
                   WHERE f.company_id = e.company_id
                     AND f.partner_id = customer.commercial_partner_id
                     AND f.is_counted AND f.revenue > 0
                     AND f.date >= e.event_date
                     AND f.date <= e.event_date + make_interval(days => w.days)
                   ORDER BY f.date, f.id
                   LIMIT 1
              ) o ON TRUE
            """,
            events=self._loyalty_events_query(),
        )

    def init(self):
        # The refunds of an order are found from its lines (Odoo has no index on them): without
        # it, each POS order of the window scans every POS line.
        create_index(
            self.env.cr, "pos_order_line_loyalty_refunded_orderline_id_index", "pos_order_line",
            ["refunded_orderline_id"], where="refunded_orderline_id IS NOT NULL",
        )
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)",
                                SQL.identifier(self._table), self._loyalty_query()))
