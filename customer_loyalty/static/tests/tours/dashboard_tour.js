import { registry } from "@web/core/registry";

/** A step that checks the exact text of an element (":contains" would take "12" for "2"). */
function exactText(content, selector, text) {
    return {
        content,
        trigger: selector,
        run() {
            const found = document.querySelector(selector).textContent.trim();
            if (found !== text) {
                throw new Error(`${content}: expected "${text}", got "${found}"`);
            }
        },
    };
}

// The data set of tests/test_dashboard_tour.py: 2 customers this month, one of them twice.
registry.category("web_tour.tours").add("CustomerLoyaltyDashboardTour", {
    steps: () => [
        {
            content: "the members list is loaded",
            trigger: ".o_list_view",
        },
        {
            content: "open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "open the Loyalty app",
            trigger: ".o_app[data-menu-xmlid='customer_loyalty.menu_loyalty_root']",
            run: "click",
        },
        exactText(
            "the dashboard is the first screen: 2 active customers this month",
            ".o_loyalty_dashboard .o_loyalty_card_active_customers .o_loyalty_dashboard_value",
            "2"
        ),
        exactText(
            "one of the two bought again: repurchase rate 50.0 %",
            ".o_loyalty_dashboard .o_loyalty_card_repurchase_rate .o_loyalty_dashboard_value",
            "50.0 %"
        ),
        exactText(
            "average order value: 600 / 3 orders",
            ".o_loyalty_dashboard .o_loyalty_card_aov .o_loyalty_dashboard_value",
            "$ 200.00"
        ),
        {
            content: "open the Champions of all tiers",
            trigger: ".o_loyalty_dashboard .o_loyalty_segment_champions .o_loyalty_segment_total:contains('1')",
            run: "click",
        },
        {
            content: "the contact list shows the Champion",
            trigger: ".o_list_view .o_data_row td[name='complete_name']:contains('Zyx Alice')",
        },
        {
            content: "and nobody else",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Zyx Bob')))",
            run: () => {
                const rows = document.querySelectorAll(".o_list_view .o_data_row");
                if (rows.length !== 1) {
                    throw new Error(`expected 1 contact in the Champions list, got ${rows.length}`);
                }
            },
        },
    ],
});
