import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import { scan_barcode } from "@point_of_sale/../tests/tours/utils/common";
import { registry } from "@web/core/registry";

// The member, the package (10 haircuts, 3 used) and the products are set by
// tests/test_pos_package_tour.py.
const MEMBER_CODE = "0441cl0000000000pack1";

registry.category("web_tour.tours").add("CustomerLoyaltyPackageTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            scan_barcode(MEMBER_CODE),
            {
                content: "the member panel lists the member's package and what is left",
                trigger:
                    ".o_customer_loyalty_member .o_customer_loyalty_package:contains('10 Zyx Haircuts'):contains('7 of 10 left, until')",
            },
            {
                content: "and the frozen package, marked frozen",
                trigger:
                    ".o_customer_loyalty_package:contains('10 of 10 left'):has(.o_customer_loyalty_package_frozen)",
            },
            ProductScreen.clickDisplayedProduct("Zyx Massage"),
            {
                content: "use the package: it covers one service, which it adds, free",
                trigger:
                    ".o_customer_loyalty_package:contains('7 of 10 left') .o_customer_loyalty_package_use",
                run: "click",
            },
            {
                content: "the haircut is free and says what is left after it",
                trigger:
                    ".orderline:contains('Zyx Haircut') .o_customer_loyalty_package_note:contains('6 of 10 left, until')",
            },
            {
                content: "the member panel counts the use of this order",
                trigger: ".o_customer_loyalty_package:contains('6 of 10 left')",
            },
            {
                content: "the frozen package cannot pay for a second haircut",
                trigger:
                    ".o_customer_loyalty_package:has(.o_customer_loyalty_package_frozen) .o_customer_loyalty_package_use",
                run: "click",
            },
            {
                content: "the server's reason is shown before payment",
                trigger: ".o_notification:contains('is frozen until')",
            },
            {
                content: "picture of the package in the POS for the README (tools/pos_screenshot.sh)",
                trigger: ".o_customer_loyalty_package_note",
                run: async () => {
                    document
                        .querySelector(".orderline .o_customer_loyalty_package_note")
                        .scrollIntoView({ block: "end" });
                    console.log("customer_loyalty:screenshot");
                    await new Promise((resolve) => setTimeout(resolve, 1000));
                },
            },
            ProductScreen.clickDisplayedProduct("10 Zyx Haircuts"),
            {
                content: "a package sold on the order shows its terms",
                trigger:
                    ".orderline:contains('10 Zyx Haircuts') .o_customer_loyalty_package_note:contains('Package: 10 uses, valid 6 months from the sale')",
            },
            ProductScreen.totalAmountIs("1,100.00"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Bank"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            {
                content: "the receipt shows the package and what is left",
                trigger:
                    ".receipt-screen .o_customer_loyalty_package_note:contains('6 of 10 left, until')",
            },
            {
                content: "and the terms of the package sold",
                trigger:
                    ".receipt-screen .o_customer_loyalty_package_note:contains('Package: 10 uses, valid 6 months from the sale')",
            },
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});

registry.category("web_tour.tours").add("CustomerLoyaltyPackageNonMemberTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickDisplayedProduct("Zyx Massage"),
            {
                content: "no customer: no member panel, no package",
                trigger:
                    ".product-screen:not(:has(.o_customer_loyalty_member)):not(:has(.o_customer_loyalty_package_note))",
            },
            ProductScreen.totalAmountIs("300.00"),
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Bank"),
            PaymentScreen.clickValidate(),
            ReceiptScreen.isShown(),
            ReceiptScreen.clickNextOrder(),
        ].flat(),
});
