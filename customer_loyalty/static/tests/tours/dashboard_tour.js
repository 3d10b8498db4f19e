import { registry } from "@web/core/registry";

// The data set of tests/test_dashboard_tour.py: 2 customers this month, one of them twice.
registry.category("web_tour.tours").add("CustomerLoyaltyDashboardTour", {
    steps: () => [
        {
            content: "open the Loyalty app",
            trigger: ".o_app[data-menu-xmlid='customer_loyalty.menu_loyalty_root']",
            run: "click",
        },
        {
            content: "the dashboard is the first screen: 2 active customers this month",
            trigger:
                ".o_loyalty_dashboard .o_loyalty_card_active_customers .o_loyalty_dashboard_value:contains('2')",
        },
        {
            content: "one of the two bought again: repurchase rate 50.0 %",
            trigger:
                ".o_loyalty_dashboard .o_loyalty_card_repurchase_rate .o_loyalty_dashboard_value:contains('50.0 %')",
        },
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
