import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import { scan_barcode } from "@point_of_sale/../tests/tours/utils/common";
import { registry } from "@web/core/registry";

// The member card code and figures are set by tests/test_pos_tour.py.
const MEMBER_CODE = "0441cl00000000000000a";

registry.category("web_tour.tours").add("CustomerLoyaltyScanMemberTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            scan_barcode(MEMBER_CODE),
            {
                content: "the scanned member is selected, with the tier badge",
                trigger: ".o_customer_loyalty_member .o_customer_loyalty_tier:contains('Gold')",
            },
            {
                content: "and the member's points balance",
                trigger: ".o_customer_loyalty_member .o_customer_loyalty_points:contains('250')",
            },
            {
                content: "and the perks of the member's tier, as text",
                trigger:
                    ".o_customer_loyalty_member .o_customer_loyalty_perks:contains('Free coffee at every visit')",
            },
            ProductScreen.clickDisplayedProduct("Desk Organizer"),
            ProductScreen.selectedOrderlineHas("Desk Organizer", "1.00"),
            {
                content: "picture of the scanned member for the README (tools/pos_screenshot.sh)",
                trigger: ".o_customer_loyalty_member .o_customer_loyalty_tier",
                run: async () => {
                    console.log("customer_loyalty:screenshot");
                    await new Promise((resolve) => setTimeout(resolve, 1000));
                },
            },
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Bank"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

registry.category("web_tour.tours").add("CustomerLoyaltyUnknownCodeTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            scan_barcode("0440000000000000000000"),
            {
                content: "an unknown member code is refused with a clear notification",
                trigger: ".o_notification:contains('No member card')",
            },
            {
                content: "nobody is selected: no member panel",
                trigger: ".product-screen:not(:has(.o_customer_loyalty_member))",
            },
        ].flat(),
});
