import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import { scan_barcode } from "@point_of_sale/../tests/tours/utils/common";
import { registry } from "@web/core/registry";

// The card codes and names are set by tests/test_pos_combo_tour.py.
const GOLD_CODE = "0441cl00000000000g01d";
const MEMBER_CODE = "0441cl0000000000m3mb1";

registry.category("web_tour.tours").add("CustomerLoyaltyComboTierTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            // No customer: the Gold Menu is refused, with the reason.
            ProductScreen.clickDisplayedProduct("Gold Menu"),
            Dialog.is({ title: "Reserved for members" }),
            {
                content: "the refusal says why",
                trigger:
                    ".modal-body:contains('“Gold Menu” is reserved for Gold members. This customer cannot buy it')",
            },
            {
                content: "picture of the refusal",
                trigger: ".modal-body",
                run: () => console.log("customer_loyalty:screenshot"),
            },
            Dialog.confirm(),
            ProductScreen.orderIsEmpty(),
            // A Gold member may buy it.
            scan_barcode(GOLD_CODE),
            {
                content: "the Gold member is selected",
                trigger: ".o_customer_loyalty_member .o_customer_loyalty_tier:contains('Gold')",
            },
            // (one item per choice: Odoo adds them without asking)
            ProductScreen.clickDisplayedProduct("Gold Menu"),
            ProductScreen.orderLineHas("Gold Menu"),
            ProductScreen.orderLineHas("Desk Organizer"),
            // The customer is changed for a plain member: the order cannot be paid.
            scan_barcode(MEMBER_CODE),
            {
                content: "the plain member is selected",
                trigger: ".o_customer_loyalty_member .o_customer_loyalty_tier:contains('Member')",
            },
            ProductScreen.clickPayButton(false),
            Dialog.is({ title: "Reserved for members" }),
            {
                content: "the refusal names the customer",
                trigger: ".modal-body:contains('Zyx Plain Member cannot buy it')",
            },
            {
                content: "picture of the refusal at payment",
                trigger: ".modal-body",
                run: () => console.log("customer_loyalty:screenshot"),
            },
            Dialog.confirm(),
            ProductScreen.isShown(),
        ].flat(),
});
