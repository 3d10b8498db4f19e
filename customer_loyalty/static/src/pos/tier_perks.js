/** Tier perks in the POS, as the server applies them at sync (pos_order_tier_perks.py):
 *  tier-only promotions and category bonus points. */
import { PosOrder } from "@point_of_sale/app/models/pos_order";
import { PosStore } from "@point_of_sale/app/store/pos_store";
import { roundPrecision } from "@web/core/utils/numbers";
import { patch } from "@web/core/utils/patch";

/** Whether ``partner`` (or nobody) may get ``program``: programs without tiers are Odoo's. */
export function tierAllowsProgram(program, partner) {
    const tiers = (program && program.pos_tier_ids) || [];
    if (!tiers.length || program.is_membership_program) {
        return true;
    }
    return tiers.includes((partner && partner.loyalty_tier_ref) || 0);
}

function categoryId(product) {
    const categ = product && product.categ_id;
    return categ && typeof categ === "object" ? categ.id : categ;
}

patch(PosOrder.prototype, {
    /** A tier-only promotion is not applicable to customers of other tiers. */
    _programIsApplicable(program) {
        return (
            super._programIsApplicable(...arguments) &&
            tierAllowsProgram(program, this.get_partner())
        );
    },
    /** Nor are the rewards of its coupons claimable. */
    getClaimableRewards() {
        const partner = this.get_partner();
        return super
            .getClaimableRewards(...arguments)
            .filter(({ reward }) => tierAllowsProgram(reward.program_id, partner));
    },
    /**
     * Points the category bonus of the customer's tier adds to ``program``'s points, before
     * the tier multiplier: for each per-amount or per-unit rule giving points (its code, minimum
     * amount and quantity met, judged as pos_loyalty's pointsForPrograms does), each regular
     * line of a category with a bonus earns the rule's points again, times (bonus - 1).
     */
    loyaltyCategoryBonus(program) {
        const bonuses = this.get_partner()?.loyalty_category_bonus || {};
        if (!Object.keys(bonuses).length) {
            return 0;
        }
        const lines = this.get_orderlines();
        let total = 0;
        for (const rule of program.rule_ids) {
            if (!["money", "unit"].includes(rule.reward_point_mode)) {
                continue;
            }
            if (
                rule.mode === "with_code" &&
                !this.uiState.codeActivatedProgramRules.includes(rule.id)
            ) {
                continue;
            }
            const matches = (line) =>
                rule.any_product || rule.validProductIds.has(line.product_id.id);
            const thresholdLines = lines.filter((line) => {
                const reward = line.reward_id;
                if (
                    reward &&
                    reward.reward_type === "discount" &&
                    (reward.program_id.trigger === "auto" || reward.program_id.id === program.id)
                ) {
                    return false;
                }
                return this.isLineValidForLoyaltyPoints(line) && matches(line);
            });
            const withTax = thresholdLines.reduce((s, line) => s + line.get_price_with_tax(), 0);
            const withoutTax = thresholdLines.reduce(
                (s, line) => s + line.get_price_without_tax(),
                0
            );
            if (
                rule.minimum_amount >
                ((rule.minimum_amount_tax_mode === "incl" && withTax) || withoutTax)
            ) {
                continue;
            }
            const counted = lines.filter(
                (line) => !line.is_reward_line && matches(line) && !line.ignoreLoyaltyPoints({ program })
            );
            const qty = counted.reduce((s, line) => s + line.get_quantity(), 0);
            if (qty < rule.minimum_qty) {
                continue;
            }
            let extra = 0;
            for (const line of counted) {
                const factor = (bonuses[String(categoryId(line.get_product()))] || 1) - 1;
                if (factor <= 0 || line.get_quantity() <= 0) {
                    continue;
                }
                extra +=
                    rule.reward_point_mode === "money"
                        ? rule.reward_point_amount * line.get_price_with_tax() * factor
                        : rule.reward_point_amount * line.get_quantity() * factor;
            }
            total += rule.reward_point_mode === "money" ? roundPrecision(extra, 0.01) : extra;
        }
        return total;
    },
});

patch(PosStore.prototype, {
    /** A promotion code of a tier-only program says why it is refused (coupons are refused by
     *  the server, pos.config.use_coupon_code). */
    async activateCode(code) {
        const rule = this.models["loyalty.rule"].find(
            (rule) =>
                rule.mode === "with_code" && (rule.promo_barcode === code || rule.code === code)
        );
        const partner = this.get_order()?.get_partner();
        if (rule && !tierAllowsProgram(rule.program_id, partner)) {
            return rule.program_id.pos_tier_refusal;
        }
        return super.activateCode(...arguments);
    },
});
