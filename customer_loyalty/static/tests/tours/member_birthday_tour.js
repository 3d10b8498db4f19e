import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as PartnerList from "@point_of_sale/../tests/tours/utils/partner_list_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import { registry } from "@web/core/registry";

const { DateTime } = luxon;

// Set by tests/test_pos_birthdate_tour.py: a member without a birth date.
const MEMBER_NAME = "Zyx Birthday Member";

registry.category("web_tour.tours").add("CustomerLoyaltyBirthdateTour", {
    steps: () => {
        // Born in 1992 (a leap year: any day exists), birthday the day after tomorrow.
        const birthdate = DateTime.local().plus({ days: 2 }).set({ year: 1992 });
        return [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            PartnerList.clickPartnerOptions(MEMBER_NAME),
            {
                content: "edit the customer's details",
                trigger: ".o-dropdown-item:contains('Edit Details')",
                run: "click",
            },
            {
                content: "the birth date is at hand for a member, near the membership",
                trigger: ".modal .o_form_view .o_customer_loyalty_birthdate input",
                run: `edit ${birthdate.toFormat("MM/dd/yyyy")}`,
            },
            {
                content: "save the customer",
                trigger: ".modal .o_form_button_save",
                run: "click",
            },
            {
                content: "the member is selected; the panel says the birthday is this week",
                trigger:
                    ".o_customer_loyalty_member .o_customer_loyalty_birthday:contains('Birthday this week')",
            },
            {
                content: "with the day",
                trigger: `.o_customer_loyalty_birthday:contains('${birthdate
                    .set({ year: DateTime.local().plus({ days: 2 }).year })
                    .toFormat("cccc d MMMM")}')`,
            },
            {
                content: "picture of the panel (LOYALTY_POS_SCREENSHOT, see tests/test_pos_tour.py)",
                trigger: ".o_customer_loyalty_birthday",
                run: async () => {
                    console.log("customer_loyalty:screenshot");
                    await new Promise((resolve) => setTimeout(resolve, 1000));
                },
            },
        ].flat();
    },
});

registry.category("web_tour.tours").add("CustomerLoyaltyBirthdayTodayTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            ProductScreen.clickCustomer("Zyx Birthday Today"),
            {
                content: "a member whose birthday is today",
                trigger: ".o_customer_loyalty_member .o_customer_loyalty_birthday:contains('Birthday today')",
            },
            ProductScreen.clickPartnerButton(),
            ProductScreen.clickCustomer("Zyx Birthday Later"),
            {
                content: "a member whose birthday is in 7 days: no birthday this week",
                trigger: ".o_customer_loyalty_member:contains('Zyx Birthday Later'):not(:has(.o_customer_loyalty_birthday))",
            },
        ].flat(),
});
