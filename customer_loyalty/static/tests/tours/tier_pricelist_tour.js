import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import { scan_barcode } from "@point_of_sale/../tests/tours/utils/common";
import { registry } from "@web/core/registry";

// The member card code and figures are set by tests/test_pos_tier_pricelist_tour.py.
const VIP_CODE = "0441cl000000000000v1p";

registry.category("web_tour.tours").add("CustomerLoyaltyTierPricelistTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            // No customer yet: the shop's default pricelist, the list price.
            ProductScreen.clickDisplayedProduct("Desk Organizer"),
            ProductScreen.selectedOrderlineHas("Desk Organizer", "1.00", "5.10"),
            scan_barcode(VIP_CODE),
            {
                content: "the scanned VIP member is selected",
                trigger: ".o_customer_loyalty_member .o_customer_loyalty_tier:contains('VIP')",
            },
            {
                content: "the panel shows the tier's pricelist among its perks",
                trigger: ".o_customer_loyalty_member .o_customer_loyalty_perk:contains('Prices: VIP −10%')",
            },
            {
                content: "and the tier's other perks",
                trigger: ".o_customer_loyalty_member .o_customer_loyalty_perk:contains('Private spa room')",
            },
            // The order switched to the tier's pricelist: 5.10 less 10 % = 4.59, with the list
            // price struck through on the line (no hidden discount).
            ProductScreen.selectedOrderlineHas("Desk Organizer", "1.00", "4.59"),
            {
                content: "the line shows the list price struck through",
                trigger: ".orderline.selected .price-per-unit s:contains('5.10')",
            },
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Bank"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});
