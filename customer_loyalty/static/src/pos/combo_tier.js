/** Products reserved for tiers (a combo for Gold members) in the POS, as the server refuses
 *  them at sync (pos_order_combo_tier.py): the cashier cannot add one for a customer of
 *  another tier, and an order holding one (the customer was changed since) cannot be paid. */
import { _t } from "@web/core/l10n/translation";
import { AlertDialog } from "@web/core/confirmation_dialog/confirmation_dialog";
import { PaymentScreen } from "@point_of_sale/app/screens/payment_screen/payment_screen";
import { PosStore } from "@point_of_sale/app/store/pos_store";
import { patch } from "@web/core/utils/patch";

/** Why ``partner`` (or nobody) may not buy ``product``, or "" (products without tiers are
 *  everyone's). */
export function tierRefusesProduct(product, partner) {
    const tiers = (product && product.loyalty_pos_tier_ids) || [];
    if (!tiers.length || tiers.includes((partner && partner.loyalty_tier_ref) || 0)) {
        return "";
    }
    return product.loyalty_pos_tier_refusal || "";
}

/** The refusals of ``order``'s lines (combo items are judged by their combo, returns are not
 *  judged), one sentence per product. */
export function orderTierRefusals(order) {
    const partner = order.get_partner();
    const reasons = new Set();
    for (const line of order.get_orderlines()) {
        if (line.combo_parent_id || line.refunded_orderline_id || line.get_quantity() <= 0) {
            continue;
        }
        const reason = tierRefusesProduct(line.get_product(), partner);
        if (reason) {
            reasons.add(reason);
        }
    }
    return [...reasons];
}

function showRefusal(dialog, reasons, partner) {
    dialog.add(AlertDialog, {
        title: _t("Reserved for members"),
        body: _t("%(reasons)s %(customer)s cannot buy it: remove it from the order, or choose a customer of that tier.", {
            reasons: reasons.join(" "),
            customer: (partner && partner.name) || _t("This customer"),
        }),
    });
}

patch(PosStore.prototype, {
    async addLineToOrder(vals, order, opts = {}, configure = true) {
        const product =
            typeof vals.product_id === "number"
                ? this.data.models["product.product"].get(vals.product_id)
                : vals.product_id;
        const partner = order?.get_partner();
        const reason = !vals.refunded_orderline_id && tierRefusesProduct(product, partner);
        if (reason) {
            showRefusal(this.dialog, [reason], partner);
            return;
        }
        return await super.addLineToOrder(...arguments);
    },
    async pay() {
        const order = this.get_order();
        const reasons = order ? orderTierRefusals(order) : [];
        if (reasons.length) {
            showRefusal(this.dialog, reasons, order.get_partner());
            return;
        }
        return await super.pay(...arguments);
    },
});

patch(PaymentScreen.prototype, {
    /** The customer may be changed on the payment screen too. */
    async _isOrderValid(isForceValidate) {
        const reasons = orderTierRefusals(this.currentOrder);
        if (reasons.length) {
            showRefusal(this.dialog, reasons, this.currentOrder.get_partner());
            return false;
        }
        return await super._isOrderValid(...arguments);
    },
});
