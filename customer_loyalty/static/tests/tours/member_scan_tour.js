import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import * as PosLoyalty from "@pos_loyalty/../tests/tours/utils/pos_loyalty_util";
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
                content: "a code that is no member card is Odoo's to answer: an invalid coupon",
                trigger: ".o_notification:contains('This coupon is invalid')",
            },
            {
                content: "nobody is selected: no member panel",
                trigger: ".product-screen:not(:has(.o_customer_loyalty_member))",
            },
        ].flat(),
});

// Codes set by tests/test_pos_tour.py: a gift card and a coupon of other programs, whose codes
// start with 044 like every code Odoo generates, used beside a member scan.
registry.category("web_tour.tours").add("CustomerLoyaltyGiftCardCouponTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            scan_barcode(MEMBER_CODE),
            {
                content: "the scanned member is selected",
                trigger: ".o_customer_loyalty_member .o_customer_loyalty_tier:contains('Gold')",
            },
            ProductScreen.clickDisplayedProduct("Desk Organizer"),
            PosLoyalty.enterCode("044654321"),
            PosLoyalty.hasRewardLine("10% on your order", "-0.51"),
            scan_barcode("044123456"),
            {
                content: "Odoo asks about a gift card sold outside the POS",
                trigger: ".modal:contains('Unpaid gift card')",
            },
            Dialog.confirm(),
            PosLoyalty.orderTotalIs("0.00"),
            {
                content: "the member is still the customer",
                trigger: ".o_customer_loyalty_member .o_customer_loyalty_tier:contains('Gold')",
            },
            PosLoyalty.finalizeOrder("Bank", "0"),
        ].flat(),
});
