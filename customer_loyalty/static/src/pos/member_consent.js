/** The member's "do not contact" list, computed on the server (res.partner's
 *  loyalty_do_not_contact, in the cashier's language: one entry per channel, "; " between). */
import { ResPartner } from "@point_of_sale/app/models/res_partner";
import { patch } from "@web/core/utils/patch";

patch(ResPartner.prototype, {
    get loyaltyDoNotContact() {
        return (this.loyalty_do_not_contact || "").split("; ").filter(Boolean);
    },
});
