/** Members in the POS: search by card code (and phone, as Odoo does), tier colours. */
import { ResPartner } from "@point_of_sale/app/models/res_partner";
import { patch } from "@web/core/utils/patch";

// Odoo's colour index (0-11, as in the backend's colour picker) as hexadecimal colours.
export const TIER_COLORS = [
    "#6c757d", "#ee2d2d", "#dc8534", "#e8bb1d", "#5794dd", "#9f628f",
    "#db8865", "#41a9a2", "#304be0", "#ee2f8a", "#61c36e", "#9872e6",
];

patch(ResPartner.prototype, {
    get searchString() {
        return [super.searchString, this.loyalty_card_code || ""].filter(Boolean).join(" ");
    },
    exactMatch(searchWord) {
        return (
            super.exactMatch(searchWord) ||
            Boolean(this.loyalty_card_code && this.loyalty_card_code.toLowerCase() === searchWord)
        );
    },
    /** The tier's perks as plain text (they are HTML, written by the admin). */
    get loyaltyTierPerks() {
        const html = this.loyalty_tier_perks || "";
        return new DOMParser().parseFromString(html, "text/html").body.textContent.trim();
    },
    get loyaltyTierColor() {
        return TIER_COLORS[(this.loyalty_tier_color || 0) % TIER_COLORS.length];
    },
});
