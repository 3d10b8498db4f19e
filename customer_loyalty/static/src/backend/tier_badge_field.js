/** The member's tier as a badge in the tier's colour (Odoo's badge widget is always grey). */
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { BadgeField, badgeField } from "@web/views/fields/badge/badge_field";

export class LoyaltyTierBadgeField extends BadgeField {
    static template = "customer_loyalty.LoyaltyTierBadgeField";
    static props = {
        ...BadgeField.props,
        colorField: { type: String, optional: true },
    };

    /** The tier's colour index (0-11, the colour picker's): Odoo's own tag colours. */
    get colorIndex() {
        const color = this.props.colorField ? this.props.record.data[this.props.colorField] : 0;
        return (color || 0) % 12;
    }
}

export const loyaltyTierBadgeField = {
    ...badgeField,
    component: LoyaltyTierBadgeField,
    displayName: _t("Tier Badge"),
    supportedTypes: ["many2one"],
    supportedOptions: [
        {
            label: _t("Color field"),
            name: "color_field",
            type: "field",
            availableTypes: ["integer"],
        },
    ],
    extractProps: (fieldInfo) => ({
        ...badgeField.extractProps(fieldInfo),
        colorField: fieldInfo.options.color_field,
    }),
};

registry.category("fields").add("loyalty_tier_badge", loyaltyTierBadgeField);
