/** The Loyalty dashboard: the first screen of the Loyalty app (a client action).
 *
 * Every figure comes from one call, loyalty.dashboard.get_dashboard_data(filters), which checks
 * the user's rights and the filters on the server; a segment cell opens the standard contact list
 * (Schedule Activity, Send email, tags by multi-edit) filtered on the segment and the tier. */
import {
    Component,
    onMounted,
    onWillStart,
    onWillUnmount,
    status,
    useRef,
    useState,
} from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { _t } from "@web/core/l10n/translation";
import { formatFloat } from "@web/core/utils/numbers";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

const NEW_COLOR = "#1f77b4";
const RETURNING_COLOR = "#2ca02c";
const RATE_COLOR = "#ff7f0e";

export class LoyaltyDashboard extends Component {
    static template = "customer_loyalty.LoyaltyDashboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        this.revenueCanvas = useRef("revenueChart");
        this.rateCanvas = useRef("rateChart");
        this.charts = [];
        this.state = useState({
            data: null,
            loading: false,
            filters: {
                period: "month",
                date_from: "",
                date_to: "",
                company_id: "",
                config_id: "",
                tier_id: "",
                user_id: "",
                categ_id: "",
            },
        });
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            await this.load();
        });
        onMounted(() => this.renderCharts());
        onWillUnmount(() => this.destroyCharts());
    }

    get periods() {
        return [
            ["month", _t("This month")],
            ["quarter", _t("This quarter")],
            ["year", _t("This year")],
            ["custom", _t("Custom")],
        ];
    }

    /** The filters as the server takes them: lists of ids, dates for a custom period. */
    get serverFilters() {
        const f = this.state.filters;
        const ids = (value) => (value ? [parseInt(value)] : []);
        const filters = {
            period: f.period,
            company_ids: ids(f.company_id),
            config_ids: ids(f.config_id),
            tier_ids: ids(f.tier_id),
            user_ids: ids(f.user_id),
            categ_ids: ids(f.categ_id),
        };
        if (f.period === "custom") {
            filters.date_from = f.date_from || false;
            filters.date_to = f.date_to || false;
        }
        return filters;
    }

    async load(method = "get_dashboard_data") {
        const f = this.state.filters;
        // Left before Chart.js was loaded (another menu clicked): nothing to load.
        if (status(this) === "destroyed" || (f.period === "custom" && (!f.date_from || !f.date_to))) {
            return;
        }
        this.state.loading = true;
        try {
            this.state.data = await this.orm.call("loyalty.dashboard", method, [this.serverFilters]);
        } finally {
            this.state.loading = false;
        }
        if (this.revenueCanvas.el) {
            this.renderCharts();
        }
    }

    async onFilterChange(key, ev) {
        this.state.filters[key] = ev.target.value;
        await this.load();
    }

    async onRefresh() {
        await this.load("action_loyalty_refresh");
        this.notification.add(_t("The figures are up to date."), { type: "success" });
    }

    // ------------------------------------------------------------------
    // Formatting
    // ------------------------------------------------------------------

    formatValue(card, value = card.value) {
        const currency = this.state.data.currency;
        if (value === false) {
            return "—";
        }
        switch (card.kind) {
            case "integer":
                return formatFloat(value, { digits: [16, 0] });
            case "percent":
                return `${formatFloat(value, { digits: [16, 1] })} %`;
            case "float":
                return formatFloat(value, { digits: [16, 2] });
            case "monetary": {
                const amount = formatFloat(value, { digits: [16, currency.digits] });
                return currency.position === "before"
                    ? `${currency.symbol} ${amount}`
                    : `${amount} ${currency.symbol}`;
            }
        }
        return "";
    }

    trendClass(card) {
        if (card.trend === false || card.trend === 0) {
            return "text-muted";
        }
        return card.trend > 0 ? "text-success" : "text-danger";
    }

    trendText(card) {
        if (card.trend === false) {
            return card.previous === false ? "" : _t("no comparison");
        }
        const sign = card.trend > 0 ? "+" : "";
        return `${sign}${formatFloat(card.trend, { digits: [16, 1] })} %`;
    }

    get refreshedAt() {
        const at = this.state.data.refreshed_at;
        return at ? luxon.DateTime.fromSQL(at, { zone: "utc" }).toLocal().toFormat("f") : _t("never");
    }

    monthLabel(month) {
        return luxon.DateTime.fromISO(month).toFormat("MMM yyyy");
    }

    // ------------------------------------------------------------------
    // Graphs (Chart.js, Odoo's bundle)
    // ------------------------------------------------------------------

    destroyCharts() {
        for (const chart of this.charts) {
            chart.destroy();
        }
        this.charts = [];
    }

    renderCharts() {
        this.destroyCharts();
        const months = this.state.data.monthly;
        const labels = months.map((m) => this.monthLabel(m.month));
        this.charts.push(
            new Chart(this.revenueCanvas.el, {
                type: "bar",
                data: {
                    labels,
                    datasets: [
                        {
                            label: _t("First orders"),
                            data: months.map((m) => m.new_revenue),
                            backgroundColor: NEW_COLOR,
                        },
                        {
                            label: _t("Repeat orders"),
                            data: months.map((m) => m.repeat_revenue),
                            backgroundColor: RETURNING_COLOR,
                        },
                    ],
                },
                options: {
                    maintainAspectRatio: false,
                    animation: false,
                    scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
                },
            })
        );
        this.charts.push(
            new Chart(this.rateCanvas.el, {
                type: "line",
                data: {
                    labels,
                    datasets: [
                        {
                            label: _t("Repurchase rate (%)"),
                            data: months.map((m) => m.repurchase_rate),
                            borderColor: RATE_COLOR,
                            backgroundColor: RATE_COLOR,
                            tension: 0.2,
                        },
                    ],
                },
                options: {
                    maintainAspectRatio: false,
                    animation: false,
                    scales: { y: { beginAtZero: true, suggestedMax: 100 } },
                },
            })
        );
    }

    // ------------------------------------------------------------------
    // Segments
    // ------------------------------------------------------------------

    /** The contacts of a segment (and a tier, or all tiers when ``tier`` is undefined). */
    openSegment(row, tier) {
        const domain = [["loyalty_rfm_segment", "=", row.key]];
        let name = row.label;
        if (tier) {
            domain.push(["loyalty_tier_id", "=", tier.id]);
            name = `${row.label} · ${tier.name}`;
        } else {
            const tierIds = this.state.data.segments.tiers.filter((t) => t.id).map((t) => t.id);
            if (this.state.filters.tier_id) {
                domain.push(["loyalty_tier_id", "in", tierIds]);
            }
        }
        this.action.doAction({
            type: "ir.actions.act_window",
            name,
            res_model: "res.partner",
            domain,
            views: [
                [false, "list"],
                [false, "form"],
            ],
            context: { create: false },
        });
    }
}

registry.category("actions").add("customer_loyalty.dashboard", LoyaltyDashboard);
