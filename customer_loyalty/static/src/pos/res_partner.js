/** Members in the POS: search by card code (and phone, as Odoo does), tier colours, points. */
import { ResPartner } from "@point_of_sale/app/models/res_partner";
import { formatFloat } from "@web/core/utils/numbers";
import { patch } from "@web/core/utils/patch";

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
    /** The tier's perks, one line of text each: the enforced perks (the pricelist, …), then
     *  the description (loyalty.tier._loyalty_perks_text on the server). */
    get loyaltyTierPerkLines() {
        const lines = this.loyalty_tier_perk_lines;
        if (Array.isArray(lines)) {
            return lines;
        }
        return this.loyaltyTierPerks ? [this.loyaltyTierPerks] : [];
    },
    // The colours come from the server (loyalty.tier._color_hex, the one list of tier colours),
    // so that the counter shows the tier as the printed card and the portal do.
    get loyaltyTierColor() {
        return this.loyalty_tier_color_hex || "#a2a2a2";
    },
    get loyaltyTierTextColor() {
        return this.loyalty_tier_text_hex || "#212529";
    },
    /** The tier's multiplier in the user's number format (×1,5 in Vietnamese, ×1.5 in English). */
    get loyaltyTierMultiplier() {
        return formatFloat(this.loyalty_tier_multiplier || 1, { trailingZeros: false });
    },
    /** Points with the thousands separators of the user's language: 12,345. */
    formatLoyaltyPoints(points) {
        const value = points || 0;
        return formatFloat(value, { digits: [16, Number.isInteger(value) ? 0 : 2] });
    },
});
