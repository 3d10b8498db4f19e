import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import * as PosLoyalty from "@pos_loyalty/../tests/tours/utils/pos_loyalty_util";
import { registry } from "@web/core/registry";

// The table of cases is tests/test_pos_points_table.py's (its only source): the test sets it
// on `window` before it starts this tour, and reads back what this tour logs with this signal.
const TABLE = "customerLoyaltyPointsTable";
const SIGNAL = "customer_loyalty:points";

/** The membership points the POS shows for the current order: the figure of the order
 *  summary (and of the receipt), once pos_loyalty has counted the order's last lines. */
function logPoints(name) {
    return {
        content: `log the points the POS shows for case '${name}'`,
        trigger: ".product-screen .order-summary",
        run: async () => {
            const pos = window.posmodel;
            await pos.orderUpdateLoyaltyPrograms();
            // Let the order summary render the figure just counted.
            await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
            const order = pos.get_order();
            const stat = order
                .getLoyaltyPoints()
                .find(({ program }) => program.is_membership_program);
            const shown = document.querySelector(
                ".product-screen .loyalty-points-won .value"
            )?.textContent;
            console.log(
                SIGNAL,
                JSON.stringify({
                    case: name,
                    uuid: order.uuid,
                    points: stat ? stat.points.won : 0,
                    shown: (shown || "").trim(),
                })
            );
        },
    };
}

function caseSteps({ name, customer, lines, total }) {
    return [
        ProductScreen.clickPartnerButton(),
        ProductScreen.clickCustomer(customer),
        ...lines.map(([product, qty]) => ProductScreen.addOrderline(product, qty)),
        // The order the table describes, with the promotion applied when it should be.
        PosLoyalty.orderTotalIs(total),
        logPoints(name),
        ProductScreen.clickPayButton(),
        PaymentScreen.clickPaymentMethod("Bank"),
        PaymentScreen.clickValidate(),
        ReceiptScreen.isShown(),
        ReceiptScreen.clickNextOrder(),
    ].flat();
}

registry.category("web_tour.tours").add("CustomerLoyaltyPointsTableTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ...(window[TABLE] || []).map(caseSteps),
        ].flat(),
});
