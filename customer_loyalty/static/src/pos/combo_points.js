/** Per-unit points count a combo once, as Sales does and as the server does at sync
 *  (pos.order._loyalty_membership_points): pos_loyalty counts the combo line and each of its
 *  items. Only for programs without per-amount rules, which need the items (they carry the
 *  combo's price). */
import { PosOrderline } from "@point_of_sale/app/models/pos_order_line";
import { patch } from "@web/core/utils/patch";

patch(PosOrderline.prototype, {
    ignoreLoyaltyPoints({ program }) {
        if (
            this.combo_parent_id &&
            program &&
            !program.rule_ids.some((rule) => rule.reward_point_mode === "money")
        ) {
            return true;
        }
        return super.ignoreLoyaltyPoints(...arguments);
    },
});
