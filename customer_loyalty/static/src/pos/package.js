/** Prepaid packages in the POS (the server's rules: models/pos_order_package.py): the member's
 *  packages in the member panel, a "Use" button that pays for a covered service at zero, the
 *  uses left on the lines and the receipt, and the refund of a package at its refund value. */
import { PosStore } from "@point_of_sale/app/store/pos_store";
import { PosOrder } from "@point_of_sale/app/models/pos_order";
import { PosOrderline } from "@point_of_sale/app/models/pos_order_line";
import { OrderSummary } from "@point_of_sale/app/screens/product_screen/order_summary/order_summary";
import { TicketScreen } from "@point_of_sale/app/screens/ticket_screen/ticket_screen";
import { Orderline } from "@point_of_sale/app/generic_components/orderline/orderline";
import { useEffect } from "@odoo/owl";
import { patch } from "@web/core/utils/patch";
import { _t } from "@web/core/l10n/translation";

function recordId(value) {
    return value && typeof value === "object" ? value.id : value;
}

/** Whether one use of ``pkg`` pays for ``product``: one of its services, or a product of one
 *  of its categories or their subcategories (loyalty.package._loyalty_covers). */
export function packageCovers(pkg, product) {
    if (!pkg || !product) {
        return false;
    }
    const products = (pkg.service_product_ids || []).map(recordId);
    if (products.includes(product.id)) {
        return true;
    }
    const categories = new Set((pkg.service_categ_ids || []).map(recordId));
    let categ = product.categ_id;
    while (categ && typeof categ === "object") {
        if (categories.has(categ.id)) {
            return true;
        }
        categ = categ.parent_id;
    }
    return false;
}

patch(PosStore.prototype, {
    /** Load the packages ``partner`` may use in this shop (one call when the member is set). */
    async loyaltyLoadPackages(partner) {
        if (!partner || !partner.id) {
            return [];
        }
        const result = await this.data.call("pos.config", "loyalty_member_packages", [
            [this.config.id],
            partner.id,
        ]);
        this.models.loadData(result);
        // Partner id -> ids of the packages the server says they may use.
        this.loyaltyPackageIds = {
            ...(this.loyaltyPackageIds || {}),
            [partner.id]: result["loyalty.package"].map((p) => p.id),
        };
        return this.loyaltyPackages(partner);
    },
    loyaltyPackages(partner) {
        const ids = (partner && this.loyaltyPackageIds?.[partner.id]) || [];
        return ids.map((id) => this.models["loyalty.package"].get(id)).filter(Boolean);
    },
    /** Pay for a covered line of the order (the selected one first) with one use of ``pkg``
     *  per unit, or add its only service; the server's reason when it cannot. */
    async loyaltyUsePackage(pkg) {
        const order = this.get_order();
        const partner = order?.get_partner();
        const free = (line) =>
            !line.loyalty_package_id && !line.refunded_orderline_id && line.get_quantity() > 0;
        const selected = order.get_selected_orderline();
        let line =
            selected && free(selected) && packageCovers(pkg, selected.get_product())
                ? selected
                : order.get_orderlines().find((l) => free(l) && packageCovers(pkg, l.get_product()));
        const services = (pkg.service_product_ids || []).filter((p) => typeof p === "object");
        const onlyService =
            !line && !(pkg.service_categ_ids || []).length && services.length === 1
                ? services[0]
                : null;
        const product = line ? line.get_product() : onlyService || selected?.get_product();
        const quantity =
            order
                .get_orderlines()
                .filter((l) => l.loyalty_package_id?.id === pkg.id)
                .reduce((sum, l) => sum + l.get_quantity(), 0) + (line ? line.get_quantity() : 1);
        const reason = await this.data.call("pos.config", "loyalty_package_refusal", [
            [this.config.id],
            pkg.id,
            partner?.id || false,
            product?.id || false,
            quantity,
        ]);
        if (reason) {
            this.notification.add(reason, { type: "warning" });
            return false;
        }
        if (!line) {
            line = await this.addLineToCurrentOrder(
                { product_id: onlyService, qty: 1 },
                { merge: false },
                false
            );
        }
        line.update({ loyalty_package_id: pkg });
        line.set_unit_price(0);
        line.price_type = "manual";
        order.select_orderline(line);
        return line;
    },
});

patch(OrderSummary.prototype, {
    setup() {
        super.setup(...arguments);
        // The member's packages are loaded when the order's customer changes.
        useEffect(
            (partnerId) => {
                const partner = partnerId && this.pos.get_order()?.get_partner();
                if (partner && partner.loyalty_is_member) {
                    this.pos.loyaltyLoadPackages(partner);
                }
            },
            () => [this.pos.get_order()?.get_partner()?.id]
        );
    },
});

patch(PosOrder.prototype, {
    /** The customer's packages as the member panel lists them: uses left after this order. */
    getLoyaltyPackages(pos) {
        const partner = this.get_partner();
        return pos.loyaltyPackages(partner).map((pkg) => ({
            pkg,
            frozen: pkg.is_frozen,
            text: this.loyaltyPackageLeftText(pkg, this.loyaltyPackageUsesOnOrder(pkg)),
        }));
    },
    loyaltyPackageUsesOnOrder(pkg, untilLine = null) {
        let uses = 0;
        for (const line of this.get_orderlines()) {
            if (line.loyalty_package_id?.id === pkg.id && !line.refunded_orderline_id) {
                uses += line.get_quantity();
            }
            if (line === untilLine) {
                break;
            }
        }
        return uses;
    },
    /** "7 of 10 left, until 2026-07-31" after ``uses`` more uses (loyalty.package.summary). */
    loyaltyPackageLeftText(pkg, uses) {
        let text = pkg.uses_total
            ? _t("%(left)s of %(total)s left", {
                  left: pkg.uses_left - uses,
                  total: pkg.uses_total,
              })
            : _t("Unlimited uses");
        if (pkg.date_expiry) {
            text = _t("%(text)s, until %(date)s", { text, date: pkg.date_expiry });
        }
        return text;
    },
});

const VALIDITY_UNITS = {
    day: () => _t("days"),
    month: () => _t("months"),
    year: () => _t("years"),
};

patch(PosOrderline.prototype, {
    /** A line paid with a package is never merged with another line of the same service. */
    can_be_merged_with(orderline) {
        return (
            !this.loyalty_package_id &&
            !orderline.loyalty_package_id &&
            super.can_be_merged_with(...arguments)
        );
    },
    /** What the line and the receipt say about a package used or sold on the line. */
    get loyaltyPackageNote() {
        const pkg = this.loyalty_package_id;
        if (pkg && !this.refunded_orderline_id) {
            const uses = this.order_id.loyaltyPackageUsesOnOrder(pkg, this);
            return _t("Package %(name)s: %(left)s", {
                name: pkg.name,
                left: this.order_id.loyaltyPackageLeftText(pkg, uses),
            });
        }
        const product = this.get_product();
        if (product?.loyalty_package_ok && this.get_quantity() > 0) {
            const uses = product.loyalty_package_uses
                ? _t("%s uses", product.loyalty_package_uses)
                : _t("Unlimited uses");
            if (!product.loyalty_package_validity) {
                return _t("Package: %s", uses);
            }
            const unit = VALIDITY_UNITS[product.loyalty_package_validity_unit || "month"]();
            const start =
                product.loyalty_package_validity_start === "first_use"
                    ? _t("from the first use")
                    : _t("from the sale");
            return _t("Package: %(uses)s, valid %(validity)s %(unit)s %(start)s", {
                uses,
                validity: product.loyalty_package_validity,
                unit,
                start,
            });
        }
        return "";
    },
    getDisplayData() {
        return { ...super.getDisplayData(...arguments), loyaltyPackageNote: this.loyaltyPackageNote };
    },
});

patch(Orderline, {
    props: {
        ...Orderline.props,
        line: {
            ...Orderline.props.line,
            shape: {
                ...Orderline.props.line.shape,
                loyaltyPackageNote: { type: String, optional: true },
            },
        },
    },
});

patch(TicketScreen.prototype, {
    /** A package sold here is refunded at most what its unused part is worth (the server's
     *  rule, loyalty.package._loyalty_refund_value): its refund line is priced at that. */
    async addAdditionalRefundInfo(order, destinationOrder) {
        await super.addAdditionalRefundInfo(...arguments);
        const lines = destinationOrder
            .get_orderlines()
            .filter(
                (line) =>
                    line.refunded_orderline_id?.product_id?.loyalty_package_ok &&
                    typeof line.refunded_orderline_id.id === "number"
            );
        if (!lines.length) {
            return;
        }
        const values = await this.pos.data.call("pos.config", "loyalty_package_refund_values", [
            [this.pos.config.id],
            lines.map((line) => line.refunded_orderline_id.id),
        ]);
        for (const line of lines) {
            line.set_unit_price(values[line.refunded_orderline_id.id] || 0);
            line.price_type = "manual";
        }
    },
});
