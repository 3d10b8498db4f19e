/** Scanning a member card selects the member, even when the POS did not load the contact. */
import { PosStore } from "@point_of_sale/app/store/pos_store";
import { patch } from "@web/core/utils/patch";

patch(PosStore.prototype, {
    async activateCode(code) {
        const localCard = this.models["loyalty.card"].find(
            (card) => card.code === code && card.program_id?.is_membership_program
        );
        if (localCard && localCard.partner_id) {
            return super.activateCode(...arguments);
        }
        const isKnownCode = this.models["loyalty.rule"].some(
            (rule) => rule.mode === "with_code" && (rule.promo_barcode === code || rule.code === code)
        );
        if (!isKnownCode) {
            // Only member codes are answered here; gift cards, eWallets, coupons and promotion
            // codes (whose codes also start with 044) go to pos_loyalty untouched.
            const result = await this.data.call("pos.config", "loyalty_find_member", [
                [this.config.id],
                code,
            ]);
            if (result.member && result.found) {
                await this.loyaltySelectMember(result.partner_id);
                return true;
            }
            if (result.member && !localCard) {
                return result.message;
            }
        }
        return super.activateCode(...arguments);
    },
    /** Load (or refresh) a member's contact and select it on the current order. */
    async loyaltySelectMember(partnerId) {
        const [partner] = await this.data.read("res.partner", [partnerId]);
        const order = this.get_order();
        if (partner && order) {
            order.set_partner(partner);
            this.updateRewards();
        }
        return partner;
    },
    /** Refresh members' balances after the server wrote their points. */
    async loyaltyRefreshMembers(partnerIds) {
        const ids = [...new Set(partnerIds.filter(Boolean))];
        if (ids.length) {
            await this.data.read("res.partner", ids);
        }
    },
});
