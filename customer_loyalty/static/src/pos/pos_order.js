/** Points of the membership program in the POS: the tier multiplier and the program's
 *  rounding down, applied the way the server applies them when the order is synced. */
import { PosOrder } from "@point_of_sale/app/models/pos_order";
import { patch } from "@web/core/utils/patch";

export function roundDown(value, rounding) {
    if (!rounding) {
        return Math.floor(value * 100 + 1e-9) / 100;
    }
    return Math.floor(value / rounding + 1e-9) * rounding;
}

patch(PosOrder.prototype, {
    pointsForPrograms(programs) {
        const result = super.pointsForPrograms(...arguments);
        const partner = this.get_partner();
        for (const program of programs) {
            if (!program.is_membership_program || !result[program.id]) {
                continue;
            }
            const multiplier = (partner && partner.loyalty_tier_multiplier) || 1;
            result[program.id] = result[program.id].map((entry) =>
                entry.points > 0
                    ? { ...entry, points: roundDown(entry.points * multiplier, program.points_rounding) }
                    : entry
            );
        }
        return result;
    },
    /** The member card of the order's customer, and what it can claim now. */
    getMemberInfo() {
        const partner = this.get_partner();
        if (!partner || !partner.loyalty_is_member) {
            return null;
        }
        const rewards = (this.getClaimableRewards() || []).filter(
            ({ reward }) => reward.program_id?.is_membership_program
        );
        return { partner, rewards: rewards.map(({ reward }) => reward.description) };
    },
});
