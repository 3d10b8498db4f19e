/** The member's birthday or anniversary coupon: applied to the order like a typed code. */
import { PosStore } from "@point_of_sale/app/store/pos_store";
import { ResPartner } from "@point_of_sale/app/models/res_partner";
import { deserializeDate, formatDate } from "@web/core/l10n/dates";
import { patch } from "@web/core/utils/patch";
import { _t } from "@web/core/l10n/translation";

patch(PosStore.prototype, {
    async loyaltyUseGiftCoupon(partner) {
        const code = partner && partner.loyalty_gift_coupon_code;
        if (!code) {
            return;
        }
        const result = await this.activateCode(code);
        if (result !== true) {
            this.notification.add(result || _t("This coupon cannot be used on this order."), {
                type: "warning",
            });
        }
    },
});

patch(ResPartner.prototype, {
    /** The gift coupon's expiry in the user's date format. */
    get loyaltyGiftCouponExpiry() {
        const value = this.loyalty_gift_coupon_expiry;
        if (!value) {
            return "";
        }
        const date = typeof value === "string" ? deserializeDate(value) : value;
        return formatDate(date);
    },
});
