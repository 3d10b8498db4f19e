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
            // The category bonus of the tier (tier_perks.js) comes before the multiplier.
            const bonus = this.loyaltyCategoryBonus(program);
            result[program.id] = result[program.id].map((entry, index) => {
                const points = entry.points + (index === 0 ? bonus : 0);
                return points > 0
                    ? { ...entry, points: roundDown(points * multiplier, program.points_rounding) }
                    : entry;
            });
        }
        return result;
    },
    /** Pending points of a member card cannot be spent (the server refuses them at sync). */
    _getRealCouponPoints(coupon_id) {
        const points = super._getRealCouponPoints(...arguments);
        const card = this.models["loyalty.card"].get(coupon_id);
        if (card && card.program_id?.is_membership_program) {
            return points - (card.points_pending || 0);
        }
        return points;
    },
    /** Rewards reserved for tiers are offered to members of those tiers only. */
    getClaimableRewards() {
        const partner = this.get_partner();
        const tierId = (partner && partner.loyalty_tier_ref) || 0;
        return super.getClaimableRewards(...arguments).filter(({ reward }) => {
            const tiers = reward.pos_tier_ids || [];
            return !tiers.length || tiers.includes(tierId);
        });
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
