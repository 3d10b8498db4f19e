import { PaymentScreen } from "@point_of_sale/app/screens/payment_screen/payment_screen";
import { patch } from "@web/core/utils/patch";

patch(PaymentScreen.prototype, {
    async _postPushOrderResolve(order, server_ids) {
        const res = await super._postPushOrderResolve(...arguments);
        const partner = order.get_partner();
        if (partner && partner.loyalty_is_member) {
            await this.pos.loyaltyRefreshMembers([partner.id]);
        }
        return res;
    },
});
