import datetime

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL, format_date
from odoo.tools.query import Query

from .occasion_dates import (
    days_by_month_day,
    days_to_next_sql,
    local_today,
    matching_days,
    month_day_sql,
    next_occurrence,
)

# The oldest birth date accepted, in years before today.
MAX_AGE_YEARS = 120

# Demo members' birthdays: (year of birth, days from the day of installation), leap years of
# birth so that any day exists; and one member born on 29 February.
DEMO_BIRTHDAYS = {
    "demo_partner_bich": (1988, 2),  # the portal member: birthday this week
    "demo_partner_an": (1984, 12),
    "demo_partner_dung": (1996, 25),
    "demo_partner_ha": (1992, 0),
    "demo_partner_huy": (1980, -40),
}
DEMO_LEAP_DAY_BIRTHDAY = ("demo_partner_cuong", datetime.date(1992, 2, 29))
# Demo members enrolled years ago: (years before, days from the day of installation), so that
# Loyalty › Upcoming Anniversaries has some.
DEMO_ENROLMENTS = {
    "demo_partner_an": (3, 5),
    "demo_partner_long": (1, 20),
    "demo_partner_mai": (2, -10),
}


# A file of its own (STYLE.md: a file per concern): the birth date of OCA's
# partner_contact_birthdate, when it was set, and the upcoming birthdays.
class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # Kept for the birthday gift's anti-abuse rule (no gift for a birth date set or changed just
    # before). Written here only, whichever way the birth date changes (back end, POS, portal,
    # import); empty for birth dates that existed before this addon: they count as old.
    birthdate_changed_date = fields.Date(
        string="Birth Date Changed On", readonly=True, copy=False,
        help="The day the birth date was last set or changed (in the user's time zone). Empty "
        "for a birth date entered before the membership addon was installed.",
    )
    loyalty_birthday_next_date = fields.Date(
        string="Next Birthday", compute="_compute_loyalty_birthday",
        help="The next birthday, today included (29 February is celebrated on 28 February in "
        "other years).",
    )
    loyalty_birthday_in_days = fields.Integer(
        string="Birthday In (Days)", compute="_compute_loyalty_birthday",
        search="_search_loyalty_birthday_in_days",
        help="Days until the next birthday: 0 today, 1 tomorrow. Meaningless without a birth "
        "date.",
    )

    def init(self):
        res = super().init()
        # The upcoming-birthday searches look birth dates up by month and day.
        self.env.cr.execute(SQL(
            """CREATE INDEX IF NOT EXISTS res_partner_birthday_month_day_index
                   ON res_partner (%s) WHERE birthdate_date IS NOT NULL""",
            month_day_sql(SQL.identifier("birthdate_date")),
        ))
        return res

    # ------------------------------------------------------------------
    # When the birth date was set
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        today = local_today(self.env)
        vals_list = [self._loyalty_birthdate_vals(vals) for vals in vals_list]
        for vals in vals_list:
            if vals.get("birthdate_date"):
                vals["birthdate_changed_date"] = today
        return super().create(vals_list)

    def write(self, vals):
        vals = self._loyalty_birthdate_vals(vals)
        if "birthdate_date" not in vals:
            return super().write(vals)
        new_date = fields.Date.to_date(vals["birthdate_date"]) or False
        changed = self.filtered(lambda partner: partner.birthdate_date != new_date)
        res = super().write(vals)
        if changed:
            # super(): the override above drops the field from anybody else's values.
            super(ResPartner, changed).write({"birthdate_changed_date": local_today(self.env)})
        return res

    @api.model
    def _loyalty_birthdate_vals(self, vals):
        """``vals`` without ``birthdate_changed_date``: nobody writes it but this model (a
        member could otherwise back-date it and pass the gift's waiting period)."""
        if "birthdate_changed_date" not in vals:
            return vals
        return {key: value for key, value in vals.items() if key != "birthdate_changed_date"}

    # ------------------------------------------------------------------
    # Bad birth dates
    # ------------------------------------------------------------------

    @api.model
    def _loyalty_birthdate_error(self, birthdate):
        """The message refusing ``birthdate`` (a date), or None if it is plausible: not in the
        future, not more than MAX_AGE_YEARS ago. The portal shows it as the constraint does."""
        if not birthdate:
            return None
        today = local_today(self.env)
        if birthdate > today:
            return self.env._(
                "The birth date %(date)s is in the future: enter the day the person was born.",
                date=format_date(self.env, birthdate),
            )
        if birthdate < today - relativedelta(years=MAX_AGE_YEARS):
            return self.env._(
                "The birth date %(date)s is more than %(years)s years ago: check the year.",
                date=format_date(self.env, birthdate), years=MAX_AGE_YEARS,
            )
        return None

    @api.constrains("birthdate_date")
    def _check_birthdate_date(self):
        for partner in self:
            if message := self._loyalty_birthdate_error(partner.birthdate_date):
                raise ValidationError(message)

    # ------------------------------------------------------------------
    # Upcoming birthdays
    # ------------------------------------------------------------------

    @api.depends("birthdate_date")
    @api.depends_context("tz")
    def _compute_loyalty_birthday(self):
        today = local_today(self.env)
        for partner in self:
            next_date = next_occurrence(partner.birthdate_date, today)
            partner.loyalty_birthday_next_date = next_date
            partner.loyalty_birthday_in_days = (next_date - today).days if next_date else 0

    def _search_loyalty_birthday_in_days(self, operator, value):
        """Set-wise: the month/days that are ``operator value`` days away, looked up in SQL
        (an index on month * 100 + day), never the figure computed per contact."""
        predicate = matching_days(operator, value)
        if predicate is None:
            return NotImplemented
        today = local_today(self.env)
        month_days = sorted(
            key for key, days in days_by_month_day(today).items() if predicate(days)
        )
        if not month_days:
            return expression.FALSE_DOMAIN
        query = Query(self.env, self._table, self._table_sql)
        birthdate = self._field_to_sql(self._table, "birthdate_date", query)
        query.add_where(SQL("%s IS NOT NULL", birthdate))
        query.add_where(SQL("%s IN %s", month_day_sql(birthdate), tuple(month_days)))
        return [("id", "in", query.subselect())]

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        # The upcoming-birthday figures as SQL, so that lists sort by them (next birthday
        # first, across the year end) without computing them per contact.
        if fname in ("loyalty_birthday_in_days", "loyalty_birthday_next_date"):
            today = local_today(self.env)
            days = days_to_next_sql(
                super()._field_to_sql(alias, "birthdate_date", query, flush), today
            )
            if fname == "loyalty_birthday_in_days":
                return days
            return SQL("(%s::date + %s)", today, days)
        return super()._field_to_sql(alias, fname, query, flush)

    @api.model
    def _loyalty_demo_birthdates(self):
        """Demo data: birth dates relative to the day of installation (in the demo shop's time
        zone), so that the demo always has birthdays this week and this month. They count as
        old birth dates (no "changed on" date), as if entered long ago."""
        today = local_today(self.with_context(tz="Asia/Ho_Chi_Minh").env)
        partners = self.browse()
        for xmlid, (year, days) in DEMO_BIRTHDAYS.items():
            partner = self.env.ref(f"customer_loyalty.{xmlid}")
            partner.birthdate_date = (today + datetime.timedelta(days=days)).replace(year=year)
            partners |= partner
        xmlid, birthdate = DEMO_LEAP_DAY_BIRTHDAY
        partner = self.env.ref(f"customer_loyalty.{xmlid}")
        partner.birthdate_date = birthdate
        partners |= partner
        self.flush_model(["birthdate_changed_date"])
        self.env.cr.execute(SQL(
            "UPDATE res_partner SET birthdate_changed_date = NULL WHERE id IN %s",
            tuple(partners.ids),
        ))
        partners.invalidate_recordset(["birthdate_changed_date"])
        company = self.env.ref("customer_loyalty.demo_company_hoa_mai")
        for xmlid, (years, days) in DEMO_ENROLMENTS.items():
            card = company._loyalty_member_cards(self.env.ref(f"customer_loyalty.{xmlid}"))
            if not card:
                continue
            enrolled = today + datetime.timedelta(days=days) - relativedelta(years=years)
            self.env.cr.execute(SQL(
                "UPDATE loyalty_card SET create_date = %s WHERE id IN %s",
                datetime.datetime.combine(enrolled, datetime.time(3, 0)), tuple(card.ids),
            ))
            card.invalidate_recordset(["create_date"])

    @api.model
    def _load_pos_data_fields(self, config_id):
        # The POS member panel tells the cashier about a birthday this week (computed in the
        # browser, in the shop's time zone, so it stays right past midnight).
        return [*super()._load_pos_data_fields(config_id), "birthdate_date"]
