/** The member panel tells the cashier about a birthday in the next 7 days. "Today" is the
 *  till's (the shop's) today, computed here so that it stays right past midnight. */
import { ResPartner } from "@point_of_sale/app/models/res_partner";
import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";

const { DateTime } = luxon;

/** The next celebration of `isoDate`'s month and day on or after `today` (a luxon date at the
 *  start of the day); 29 February is celebrated on 28 February in other years, as on the
 *  server (models/occasion_dates.py). */
export function nextOccasion(isoDate, today) {
    if (!isoDate) {
        return null;
    }
    const origin = DateTime.fromISO(isoDate);
    for (const year of [today.year, today.year + 1, today.year + 2]) {
        const leap = DateTime.local(year, 1, 1).isInLeapYear;
        const day = origin.month === 2 && origin.day === 29 && !leap ? 28 : origin.day;
        const candidate = DateTime.local(year, origin.month, day);
        if (candidate >= today) {
            return candidate;
        }
    }
    return null;
}

patch(ResPartner.prototype, {
    /** Days to the next birthday (0 today), or null without a birth date. */
    get loyaltyBirthdayInDays() {
        const today = DateTime.local().startOf("day");
        const next = nextOccasion(this.birthdate_date, today);
        return next ? Math.round(next.diff(today, "days").days) : null;
    },
    /** "Birthday today" or "Birthday this week: Friday 4 December", or "" (not within 7 days). */
    get loyaltyBirthdayLabel() {
        const days = this.loyaltyBirthdayInDays;
        if (days === null || days >= 7) {
            return "";
        }
        if (days === 0) {
            return _t("Birthday today");
        }
        const next = DateTime.local().startOf("day").plus({ days });
        return _t("Birthday this week: %s", next.toFormat("cccc d MMMM"));
    },
});
