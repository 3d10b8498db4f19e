"""Dates of yearly occasions (birthdays, membership anniversaries), in Python and in SQL.

One rule everywhere: an occasion on 29 February is celebrated on 28 February in other years.
The Python functions give the figures shown on one record; the SQL ones let searches and sorts
run set-wise over all members (no per-record computation)."""

import calendar
import datetime

import pytz

from odoo import fields
from odoo.tools import SQL

# Days from today covered by the table of month/days: 366 reaches every month/day once,
# including 29 February of the next leap year.
HORIZON_DAYS = 366


def occasion_in_year(month, day, year):
    """The day ``month``/``day`` is celebrated in ``year`` (29 February → 28 February)."""
    if month == 2 and day == 29 and not calendar.isleap(year):
        day = 28
    return datetime.date(year, month, day)


def next_occurrence(origin, today, strictly_after=None):
    """The first celebration of ``origin``'s month/day on or after ``today`` (and, for an
    anniversary, after ``strictly_after``, the enrolment date: joining is not an anniversary)."""
    if not origin:
        return None
    for year in range(today.year, today.year + 3):
        candidate = occasion_in_year(origin.month, origin.day, year)
        if candidate >= today and (strictly_after is None or candidate > strictly_after):
            return candidate
    return None


def days_by_month_day(today):
    """``{month * 100 + day: days from today}`` for the next celebration of every month/day
    (1 to 365 or 366 days away; 229 is 28 February's figure in a year without 29 February)."""
    days = {}
    for offset in range(HORIZON_DAYS):
        date = today + datetime.timedelta(days=offset)
        days.setdefault(date.month * 100 + date.day, offset)
        if date.month == 2 and date.day == 28 and not calendar.isleap(date.year):
            days.setdefault(229, offset)
    return days


def month_day_sql(date_sql):
    """``month * 100 + day`` of a date, as an immutable SQL expression (indexable)."""
    return SQL(
        "(EXTRACT(MONTH FROM %(d)s) * 100 + EXTRACT(DAY FROM %(d)s))", d=date_sql,
    )


def _occasion_in_year_sql(date_sql, year):
    return SQL(
        """make_date(%(year)s, EXTRACT(MONTH FROM %(d)s)::int,
                     CASE WHEN EXTRACT(MONTH FROM %(d)s) = 2 AND EXTRACT(DAY FROM %(d)s) = 29
                               AND NOT %(leap)s THEN 28
                          ELSE EXTRACT(DAY FROM %(d)s)::int END)""",
        year=year, d=date_sql, leap=calendar.isleap(year),
    )


def days_to_next_sql(date_sql, today, strictly_after_sql=None):
    """SQL of the number of days from ``today`` to the next celebration of ``date_sql`` (NULL
    when it is NULL), as :func:`next_occurrence` computes it; for sorting."""
    this_year = _occasion_in_year_sql(date_sql, today.year)
    next_year = _occasion_in_year_sql(date_sql, today.year + 1)
    condition = SQL("%s >= %s", this_year, today)
    if strictly_after_sql is not None:
        condition = SQL("%s AND %s > %s", condition, this_year, strictly_after_sql)
    return SQL(
        "((CASE WHEN %(cond)s THEN %(this)s ELSE %(next)s END) - %(today)s::date)",
        cond=condition, this=this_year, next=next_year, today=today,
    )


def matching_days(operator, value):
    """The predicate on a number of days that a domain leaf ``(field, operator, value)``
    states, or None for operators the searches do not support."""
    if operator == "in" and isinstance(value, list | tuple):
        wanted = {int(v) for v in value if v is not False}
        return lambda days: days in wanted
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return {
        "=": lambda days: days == value,
        "!=": lambda days: days != value,
        "<": lambda days: days < value,
        "<=": lambda days: days <= value,
        ">": lambda days: days > value,
        ">=": lambda days: days >= value,
    }.get(operator)


def local_tz_name(env):
    """The user's time zone: the context's, else the user's, else the company's contact's, else
    UTC (a shop in Asia/Ho_Chi_Minh is in tomorrow from 17:00 UTC)."""
    # sudo: portal users may not read their shop's contact.
    tz_name = env.context.get("tz") or env.user.tz or env.company.sudo().partner_id.tz or "UTC"
    return tz_name if tz_name in pytz.all_timezones_set else "UTC"


def local_today(env):
    """Today in :func:`local_tz_name`'s time zone."""
    tz = pytz.timezone(local_tz_name(env))
    return pytz.utc.localize(fields.Datetime.now()).astimezone(tz).date()
