"""The filters of the points and tier figures, as the dashboard passes them."""

from odoo import _, fields
from odoo.exceptions import AccessError, UserError

GRANULARITIES = ("day", "week", "month", "quarter", "year")
ID_KEYS = ("company_ids", "config_ids", "team_ids", "tier_ids", "user_ids", "categ_ids")


def analytics_filters(env, filters, granularity=None):
    """``filters`` (``{date_from, date_to, company_ids, config_ids, team_ids, tier_ids,
    user_ids, categ_ids}``, any of them missing or empty) checked and normalised: dates as
    ``date``, id lists as tuples of ints, the companies limited to the user's (the current
    companies when none is given). Loyalty users only."""
    if not env.su and not env.user.has_group("customer_loyalty.group_loyalty_user"):
        raise AccessError(_("Only loyalty users can read the loyalty figures."))
    if granularity is not None and granularity not in GRANULARITIES:
        raise UserError(_("Unknown period “%s”: use day, week, month, quarter or year.",
                          granularity))
    filters = dict(filters or {})
    result = {}
    for key in ("date_from", "date_to"):
        try:
            result[key] = fields.Date.to_date(filters.get(key)) or None
        except (TypeError, ValueError) as error:
            raise UserError(_("“%s” is not a date.", filters.get(key))) from error
    for key in ID_KEYS:
        values = filters.get(key) or ()
        try:
            result[key] = tuple(int(value) for value in values)
        except (TypeError, ValueError) as error:
            raise UserError(_("The filter %s expects a list of ids.", key)) from error
    companies = result["company_ids"] or tuple(env.companies.ids)
    if not env.su:
        companies = tuple(cid for cid in companies if cid in env.user.company_ids.ids)
    result["company_ids"] = companies or (0,)
    return result
