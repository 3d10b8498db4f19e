import pytz

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.query import Query

from .occasion_dates import days_to_next_sql, local_today, local_tz_name, next_occurrence

SQL_OPERATORS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


# A file of its own (STYLE.md: a file per concern): members' birthdays and membership
# anniversaries, for the staff's "upcoming" lists and the gift engine.
class LoyaltyCard(models.Model):
    """The membership anniversary is the card's enrolment date: the day the card was created
    (``create_date``, "Member Since"), in the user's time zone."""

    _inherit = "loyalty.card"  # pylint: disable=consider-merging-classes-inherited

    member_birthdate = fields.Date(related="partner_id.birthdate_date", string="Birth Date")
    birthday_next_date = fields.Date(
        related="partner_id.loyalty_birthday_next_date", string="Next Birthday"
    )
    birthday_in_days = fields.Integer(
        related="partner_id.loyalty_birthday_in_days", string="Birthday In (Days)"
    )
    enrolment_date = fields.Date(
        string="Member Since", compute="_compute_anniversary",
        help="The day the member card was created, in your time zone.",
    )
    anniversary_next_date = fields.Date(
        string="Next Anniversary", compute="_compute_anniversary",
        help="The next anniversary of the enrolment (the day of enrolment is not one; "
        "29 February is celebrated on 28 February in other years).",
    )
    anniversary_in_days = fields.Integer(
        string="Anniversary In (Days)", compute="_compute_anniversary",
        search="_search_anniversary_in_days",
    )
    anniversary_years = fields.Integer(
        string="Years of Membership", compute="_compute_anniversary",
        help="The years of membership the next anniversary celebrates.",
    )

    @api.depends("create_date")
    @api.depends_context("tz")
    def _compute_anniversary(self):
        today = local_today(self.env)
        tz = pytz.timezone(local_tz_name(self.env))
        for card in self:
            enrolled = card.create_date and pytz.utc.localize(card.create_date).astimezone(tz)
            enrolled = enrolled and enrolled.date()
            next_date = next_occurrence(enrolled, today, strictly_after=enrolled)
            card.enrolment_date = enrolled
            card.anniversary_next_date = next_date
            card.anniversary_in_days = (next_date - today).days if next_date else 0
            card.anniversary_years = next_date.year - enrolled.year if next_date else 0

    def _enrolment_date_sql(self, alias, query):
        """The enrolment date in the user's time zone, as SQL."""
        create_date = self._field_to_sql(alias, "create_date", query)
        return SQL(
            "(timezone(%s, timezone('UTC', %s)))::date", local_tz_name(self.env), create_date
        )

    def _anniversary_in_days_sql(self, alias, query):
        enrolled = self._enrolment_date_sql(alias, query)
        return days_to_next_sql(enrolled, local_today(self.env), strictly_after_sql=enrolled)

    def _search_anniversary_in_days(self, operator, value):
        """Set-wise: one SQL condition on the days to the anniversary of every card."""
        if operator == "in" and isinstance(value, list | tuple):
            values = [int(v) for v in value if v is not False]
            if not values:
                return expression.FALSE_DOMAIN
            condition = SQL("= ANY(%s)", values)
        elif operator in SQL_OPERATORS and isinstance(value, int) and not isinstance(value, bool):
            condition = SQL("%s %s", SQL(SQL_OPERATORS[operator]), value)
        else:
            return NotImplemented
        query = Query(self.env, self._table, self._table_sql)
        query.add_where(SQL("%s %s", self._anniversary_in_days_sql(self._table, query), condition))
        return [("id", "in", query.subselect())]

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        # Sortable lists of anniversaries (the soonest first, across the year end).
        if fname == "anniversary_in_days":
            return self._anniversary_in_days_sql(alias, query)
        if fname == "anniversary_next_date":
            return SQL(
                "(%s::date + %s)", local_today(self.env),
                self._anniversary_in_days_sql(alias, query),
            )
        if fname == "enrolment_date":
            return self._enrolment_date_sql(alias, query)
        return super()._field_to_sql(alias, fname, query, flush)
